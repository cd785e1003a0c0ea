//! The `habeas` command. Thin: parse, run, print the error once, exit with the
//! documented code (see `habeas --help`).

mod args;
mod audit;
mod client;
mod convert;
mod exit;
mod import;
mod keys;
mod log;
mod output;
mod progress;
mod remote;
mod run;
mod serve;
mod signing;
mod users;

/// mimalloc rather than glibc malloc: the many small, short-lived allocations of
/// JSON decoding made glibc's free-list upkeep the largest cost of a rebuild
/// (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

/// The command's words, e.g. "habeas log detained", to tell another process
/// what holds the store.
fn label(matches: &clap::ArgMatches) -> String {
    let mut words = vec!["habeas"];
    let mut current = matches;
    while let Some((name, sub)) = current.subcommand() {
        words.push(name);
        current = sub;
    }
    words.join(" ")
}

/// What to write when a fact's date is missing: a source that gives no date
/// is recorded honestly, never with a guessed day.
const NO_DATE_HINT: &str = "hint: --on is the day the fact happened. When the source does not give it, \
write ..DATE for a day on or before DATE (e.g. --on ..2021-03-04, the day the source was published), \
or an approximate year (--on 2019~); never a guessed day";

fn main() -> ExitCode {
    let matches = match args::Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(err) => {
            let missing_date = err.kind() == clap::error::ErrorKind::MissingRequiredArgument
                && err.to_string().contains("--on <DATE>");
            if missing_date {
                let _ = err.print();
                eprintln!("{NO_DATE_HINT}");
                return ExitCode::from(2);
            }
            err.exit()
        }
    };
    let cli = match args::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    match run::run(cli, label(&matches)) {
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
