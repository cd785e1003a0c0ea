//! `habeas-bench`: every benchmark of issue 7 in one run, on one generated data set,
//! with its baselines (raw sled, SQLite) measured in the same invocation; prints a
//! Markdown table on stdout and progress on stderr.
//!
//! ```text
//! habeas-bench [--persons 100000] [--seed 7] [--reps 3] [--concurrency 256]
//!              [--writer-seconds 2] [--cli-runs 20] [--data-dir DIR] [--habeas PATH]
//! ```
//!
//! The data lives in a temporary directory under `--data-dir` (default `/tmp`, or
//! `/work/bench-tmp` when `/tmp` is a tmpfs) and is deleted at the end.

mod measure;

/// mimalloc rather than glibc malloc: the many small, short-lived allocations of
/// JSON decoding made glibc's free-list upkeep the largest cost of a rebuild
/// (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// What to run.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) persons: usize,
    pub(crate) seed: u64,
    pub(crate) reps: usize,
    pub(crate) concurrency: usize,
    pub(crate) writer_seconds: f64,
    pub(crate) cli_runs: usize,
    pub(crate) data_dir: Option<PathBuf>,
    pub(crate) habeas_bin: Option<PathBuf>,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        persons: 100_000,
        seed: 7,
        reps: 3,
        concurrency: 256,
        writer_seconds: 0.0,
        cli_runs: 20,
        data_dir: None,
        habeas_bin: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--quick" {
            options.persons = 10_000;
            continue;
        }
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        let number = || -> anyhow::Result<f64> {
            value
                .parse::<f64>()
                .with_context(|| format!("{flag} takes a number, not {value:?}"))
        };
        match flag.as_str() {
            "--persons" => options.persons = number()? as usize,
            "--seed" => options.seed = number()? as u64,
            "--reps" => options.reps = (number()? as usize).max(1),
            "--concurrency" => options.concurrency = (number()? as usize).max(1),
            "--writer-seconds" => options.writer_seconds = number()?,
            "--cli-runs" => options.cli_runs = (number()? as usize).max(1),
            "--data-dir" => options.data_dir = Some(PathBuf::from(value)),
            "--habeas" => options.habeas_bin = Some(PathBuf::from(value)),
            other => anyhow::bail!(
                "unknown option {other}; see the usage at the top of crates/habeas-bench/src/main.rs"
            ),
        }
    }
    if options.writer_seconds <= 0.0 {
        options.writer_seconds = match options.persons {
            50_000.. => 2.0,
            5_000.. => 1.0,
            _ => 0.1,
        };
    }
    Ok(options)
}

fn main() -> ExitCode {
    match options().and_then(measure::run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("habeas-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}
