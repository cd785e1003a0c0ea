//! Writes the HTML report of the worked example of `docs/domain.md` (Rong Chhun) to
//! the path given, for `scripts/report-screenshot.sh`:
//! `cargo run -p habeas-report --example worked-example -- out.html [--public]`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: worked-example OUT.html [--public]");
        return ExitCode::from(2);
    };
    let public = args.any(|arg| arg == "--public");
    let report = support::person_report(
        &support::worked_example(),
        support::rong_chhun(),
        support::final_view(),
        support::meta(public),
        support::Filtering::Facade,
    );
    match std::fs::write(&path, habeas_report::html::person_html(&report)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cannot write {path}: {err}");
            ExitCode::FAILURE
        }
    }
}
