//! Writes an HTML report of the worked example of `docs/domain.md` to the path
//! given, for `scripts/report-screenshot.sh`:
//! `cargo run -p habeas-report --example worked-example -- OUT.html [--public]
//! [--roster] [--namesake] [--kem-sokha] [--as-of YYYY-MM-DD]`.
//!
//! By default the report of Rong Chhun the day after the last recording;
//! `--roster` writes the roster instead (as of the campaign day 2021-10-01,
//! while three were held, unless `--as-of` says otherwise), `--kem-sokha`
//! the report of the person under a restriction, `--namesake` adds a second
//! Sar Kanika (not in the worked example) for the roster to tell apart, and
//! `--as-of` moves the view (a day long after the facts shows the broken
//! axis and the warning that the information is old).

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::ExitCode;

use habeas_domain::status::View;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!(
            "usage: worked-example OUT.html [--public] [--roster] [--namesake] [--kem-sokha] [--as-of YYYY-MM-DD]"
        );
        return ExitCode::from(2);
    };
    let flag = |name: &str| args.iter().any(|arg| arg == name);
    let as_of = match args.iter().position(|arg| arg == "--as-of") {
        Some(idx) => match args.get(idx + 1).map(|day| day.parse()) {
            Some(Ok(day)) => Some(day),
            _ => {
                eprintln!("--as-of needs a day, YYYY-MM-DD");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let public = flag("--public");
    let mut world = support::worked_example();
    if flag("--namesake") {
        support::add_namesake(&mut world);
    }
    let html = if flag("--roster") {
        let view = View {
            as_of: as_of.unwrap_or(support::campaign_view().as_of),
            ..support::campaign_view()
        };
        habeas_report::html::roster_html(&support::roster(&world, view, support::meta(public)))
    } else {
        let view = View {
            as_of: as_of.unwrap_or(support::final_view().as_of),
            ..support::final_view()
        };
        let person = if flag("--kem-sokha") {
            support::kem_sokha()
        } else {
            support::rong_chhun()
        };
        let report = support::person_report(
            &world,
            person,
            view,
            support::meta(public),
            support::Filtering::Facade,
        );
        habeas_report::html::person_html(&report)
    };
    match std::fs::write(path, html) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cannot write {path}: {err}");
            ExitCode::FAILURE
        }
    }
}
