//! The `habeas` command. Thin: parse, run, print the error once, exit with the
//! documented code (see `habeas --help`).

mod args;
mod convert;
mod exit;
mod import;
mod output;
mod progress;
mod run;
mod serve;
mod users;

/// mimalloc rather than glibc malloc: the many small, short-lived allocations of
/// JSON decoding made glibc's free-list upkeep the largest cost of a rebuild
/// (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match run::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`habeas export | head`) is not a failure.
            // serde_json's error hides the io::Error it wraps from `source()`.
            if err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .map(std::io::Error::kind)
                    .or_else(|| {
                        cause
                            .downcast_ref::<serde_json::Error>()
                            .and_then(serde_json::Error::io_error_kind)
                    })
                    == Some(std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let (kind, message) = exit::classify(&err);
            eprintln!("habeas: {message}");
            kind.exit_code()
        }
    }
}
