//! `habeas import`: JSON lines of commands, or a spreadsheet (CSV) through a
//! column mapping, with a dry run and a report of every row not imported.
//!
//! Exit codes: 0 when anything was imported or there was nothing new (rows
//! rejected are listed and counted, "N rows rejected"); 2 when nothing could
//! be read at all (a missing file, a mapping that cannot be used, a file with
//! no rows); 3 when every row was rejected.
//!
//! A file whose first line is an export envelope (`habeas export`: it has
//! `position`, `hash` and `prev_hash`) is restored verbatim instead, into an
//! empty store only (see `habeas_import::restore`). Exit codes: 0 restored; 2 the
//! store is not empty, or the file cannot be read or holds no events; 3 the
//! export was refused (a bad line: its number and what is wrong; nothing was
//! written); 1 the store failed (if while writing, the store holds a verified
//! prefix and the message says to restore into a new directory).
//!
//! An encrypted backup (`habeas export --encrypt-to`) is restored the same way
//! with `--identity FILE`: it is decrypted as it is read, never written to disk
//! in clear, and authenticated whole before a store is opened. Exit codes: 2 a
//! wrong identity, an identity file that cannot be used, or a file that is not
//! an encrypted backup; 3 the backup was altered or cut short. Either way
//! nothing was written.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;
use clap::Args;
use habeas::tracker::Tracker;
use habeas_import::config::ImportConfig;
use habeas_import::error::ImportError;
use habeas_import::mapping::Mapping;
use habeas_import::report::Report;
use habeas_import::restore::{
    DEFAULT_CHUNK, RestoreError, RestoreProgress, file_is_export, restore_export_from,
    verify_export,
};
use habeas_seal::backup::{Identity, MAGIC, OpenReader};
use habeas_seal::error::SealError;

use crate::exit::Failure;
use crate::progress::Progress;

/// Import many developments at once: JSON lines of commands, or a
/// spreadsheet (CSV) through a column mapping.
#[derive(Debug, Args)]
#[command(after_help = "\
Each line of a .jsonl file is one command, e.g.
  {\"person\": \"Rong Chhun\", \"action\": \"record_detention\", \"fields\": {\"occurred\": \"2020-07\", \"kind\": \"arrest\", \"sources\": [{\"url\": \"https://example.org/a\"}]}}
Each row of a CSV file becomes one new person and their case, through a mapping
(see crates/habeas-import/FORMAT.md and examples/mappings/chrd.toml).
Rows and lines that cannot be imported are listed with their number and the
reason; the others are imported. Importing the same file again records nothing
new for what was already imported (CSV rows always; JSON lines with a command_id).

Examples:
  habeas import cases.jsonl --dry-run
  habeas import CHRD_fullinfo.csv --mapping examples/mappings/chrd.toml")]
pub(crate) struct ImportArgs {
    /// The file: JSON lines (one command per line) or CSV (with --mapping); `-`
    /// reads standard input.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// The column mapping of a CSV file (TOML).
    #[arg(long, value_name = "MAPPING.toml")]
    pub(crate) mapping: Option<PathBuf>,
    /// Decide every row as an import would, and report, but write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Print the report as JSON for machines.
    #[arg(long)]
    pub(crate) json: bool,
    /// The identity that opens an encrypted backup (`habeas key identity`).
    #[arg(long, value_name = "FILE", conflicts_with = "mapping")]
    pub(crate) identity: Option<PathBuf>,
}

fn read(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|err| {
        Failure::usage(format!("cannot read the {what} {}: {err}", path.display())).into()
    })
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

fn failed(err: ImportError) -> anyhow::Error {
    match err {
        ImportError::Store { source, .. } | ImportError::StoreUnreadable { source } => {
            Failure::from_tracker(source).into()
        }
        usage => Failure::usage(usage.to_string()).into(),
    }
}

fn restore_failed(err: RestoreError) -> anyhow::Error {
    match err {
        RestoreError::Read { ref source, .. } if habeas_seal::backup::altered(source).is_some() => {
            Failure::rejected(format!("{err}; nothing was written")).into()
        }
        RestoreError::BadLine { .. } => Failure::rejected(err.to_string()).into(),
        RestoreError::Read { .. } | RestoreError::Empty { .. } | RestoreError::NotEmpty { .. } => {
            Failure::usage(err.to_string()).into()
        }
        RestoreError::Store(source) => Failure::from_tracker(source.into()).into(),
        RestoreError::WriteFailed { .. } => Failure::store(err.to_string()).into(),
    }
}

/// A failure to use an identity or to open a backup, as the CLI reports it.
fn backup_failed(err: SealError) -> anyhow::Error {
    match err {
        SealError::BackupAltered { .. } => {
            Failure::rejected(format!("{err}; nothing was written")).into()
        }
        err => Failure::usage(format!("{err}; nothing was written")).into(),
    }
}

fn no_identity(path: &Path) -> anyhow::Error {
    Failure::usage(format!(
        "{} is an encrypted backup: give the identity that opens it with --identity FILE",
        path.display()
    ))
    .into()
}

/// Whether the file at `path` begins as an encrypted backup does.
fn is_backup(path: &Path) -> bool {
    let mut start = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAGIC.len() as u64).read_to_end(&mut start))
        .is_ok_and(|_| habeas_seal::backup::is_backup(&start))
}

/// The identity given with `--identity`.
fn identity(args: &ImportArgs) -> anyhow::Result<Option<Identity>> {
    let Some(path) = &args.identity else {
        return Ok(None);
    };
    if args.file.as_os_str() == "-" {
        return Err(Failure::usage(
            "an encrypted backup is read from a file, not standard input (it is read more than once): give its path",
        )
        .into());
    }
    if !is_backup(&args.file) {
        return Err(Failure::usage(format!(
            "{} is not an encrypted backup (`habeas export --encrypt-to`): leave out --identity",
            args.file.display()
        ))
        .into());
    }
    Ok(Some(Identity::read(path).map_err(backup_failed)?))
}

/// Authenticates a whole encrypted backup with the identity given, before any
/// store is opened: a wrong identity, a flipped bit or a file cut short is
/// refused while nothing has been made or written.
pub(crate) fn check_backup(args: &ImportArgs) -> anyhow::Result<()> {
    if args.identity.is_none() {
        if args.mapping.is_none() && is_backup(&args.file) {
            return Err(no_identity(&args.file));
        }
        return Ok(());
    }
    let Some(identity) = identity(args)? else {
        return Ok(());
    };
    let file = std::fs::File::open(&args.file).map_err(|err| {
        Failure::usage(format!(
            "cannot read the file {}: {err}",
            args.file.display()
        ))
    })?;
    let mut reader = OpenReader::new(std::io::BufReader::with_capacity(1 << 20, file), &identity)
        .map_err(backup_failed)?;
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(|err| {
        match habeas_seal::backup::altered(&err) {
            Some(SealError::BackupAltered {
                chunk,
                offset,
                last,
            }) => backup_failed(SealError::BackupAltered {
                chunk: *chunk,
                offset: *offset,
                last: *last,
            }),
            _ => Failure::usage(format!("cannot read {}: {err}", args.file.display())).into(),
        }
    })?;
    Ok(())
}

/// Restores an export file (see the module docs); `--dry-run` only verifies it.
async fn restore(tracker: &Tracker, args: &ImportArgs) -> anyhow::Result<()> {
    let mut verifying = Progress::new("verifying export", "bytes");
    let mut writing = Progress::new("restoring", "events");
    let identity = identity(args)?;
    let path = args.file.clone();
    let open = move || -> Result<(Box<dyn BufRead + Send>, u64), RestoreError> {
        let unreadable = |source| RestoreError::Read {
            path: path.clone(),
            source,
        };
        let file = std::fs::File::open(&path).map_err(unreadable)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let reader = std::io::BufReader::with_capacity(1 << 20, file);
        Ok(match &identity {
            None => (Box::new(reader), size),
            Some(identity) => {
                let opened = OpenReader::new(reader, identity)
                    .map_err(|err| unreadable(std::io::Error::other(err)))?;
                (
                    Box::new(std::io::BufReader::with_capacity(1 << 20, opened)),
                    size,
                )
            }
        })
    };
    if args.dry_run {
        let (reader, size) = open().map_err(restore_failed)?;
        let check = verify_export(&args.file, reader, &mut |bytes| {
            verifying.update(bytes, size)
        })
        .map_err(restore_failed)?;
        verifying.finish();
        writeln!(
            std::io::stdout(),
            "export verified: {} events, hash chain intact; would restore them (into an empty store only)",
            check.n_events
        )?;
        return Ok(());
    }
    let mut on_verifying = |done, total| verifying.update(done, total);
    let mut on_writing = |done, total| writing.update(done, total);
    let result = restore_export_from(
        tracker.store().as_ref(),
        &args.file,
        &open,
        DEFAULT_CHUNK,
        RestoreProgress {
            verifying: &mut on_verifying,
            writing: &mut on_writing,
        },
    )
    .await;
    verifying.finish();
    writing.finish();
    let summary = result.map_err(restore_failed)?;
    if args.json {
        let json = serde_json::json!({
            "restored": summary.n_events,
            "positions": {"first": 1, "last": tracker.store().head().await.map_err(habeas::error::TrackerError::from)?},
        });
        writeln!(std::io::stdout(), "{json}")?;
    } else {
        writeln!(
            std::io::stdout(),
            "restored {} events from {} (hash chain verified)",
            summary.n_events,
            args.file.display()
        )?;
    }
    Ok(())
}

/// Copies standard input to a temporary file, for `habeas import -`: an export
/// is read twice (verified whole before anything is written, then restored).
fn spool_stdin() -> anyhow::Result<tempfile::NamedTempFile> {
    let mut spooled = tempfile::NamedTempFile::new()
        .map_err(|err| Failure::usage(format!("cannot spool standard input: {err}")))?;
    std::io::copy(&mut std::io::stdin().lock(), &mut spooled)
        .map_err(|err| Failure::usage(format!("cannot read standard input: {err}")))?;
    Ok(spooled)
}

/// Runs `habeas import` (`-` as the file reads standard input, e.g.
/// `habeas export | habeas --db postgres://… import -`).
pub(crate) async fn import(
    tracker: &Tracker,
    mut args: ImportArgs,
    recorded_by: &str,
) -> anyhow::Result<()> {
    let _spooled = if args.file.as_os_str() == "-" {
        let spooled = spool_stdin()?;
        args.file = spooled.path().to_owned();
        Some(spooled)
    } else {
        None
    };
    if args.mapping.is_none() && has_extension(&args.file, "csv") {
        return Err(Failure::usage(format!(
            "{} is a CSV file: give its column mapping with --mapping MAPPING.toml (see examples/mappings/chrd.toml)",
            args.file.display()
        ))
        .into());
    }
    if args.mapping.is_none() && (args.identity.is_some() || is_backup(&args.file)) {
        if args.identity.is_none() {
            return Err(no_identity(&args.file));
        }
        return restore(tracker, &args).await;
    }
    // A file that cannot be read is reported by the reading below.
    if args.mapping.is_none() && file_is_export(&args.file).unwrap_or(false) {
        return restore(tracker, &args).await;
    }
    let data = read(&args.file, "file")?;
    let config = ImportConfig {
        recorded_by: recorded_by.to_owned(),
        at: Utc::now(),
        dry_run: args.dry_run,
    };
    let head_before = tracker
        .store()
        .head()
        .await
        .map_err(habeas::error::TrackerError::from)?;
    let mut progress = Progress::new("importing", "rows");
    let mut on_progress = |done, total| progress.update(done, total);
    let report = match &args.mapping {
        Some(mapping_path) => {
            let text = String::from_utf8(read(mapping_path, "mapping")?).map_err(|_| {
                Failure::usage(format!(
                    "the mapping {} is not UTF-8 text",
                    mapping_path.display()
                ))
            })?;
            let mapping = Mapping::from_toml(&text)
                .map_err(|err| Failure::usage(format!("{}: {err}", mapping_path.display())))?;
            habeas_import::run_csv::import_csv(tracker, &data, &mapping, &config, &mut on_progress)
                .await
                .map_err(failed)?
        }
        None => {
            let text = String::from_utf8(data).map_err(|err| {
                Failure::usage(format!(
                    "{} is not UTF-8 text (byte {}): save it as UTF-8",
                    args.file.display(),
                    err.utf8_error().valid_up_to()
                ))
            })?;
            habeas_import::run_jsonl::import_jsonl(tracker, &text, &config, &mut on_progress)
                .await
                .map_err(failed)?
        }
    };
    progress.finish();
    if report.n_rows == 0 {
        return Err(Failure::usage(format!(
            "{} holds no rows: nothing to import",
            args.file.display()
        ))
        .into());
    }
    let unit = if args.mapping.is_some() {
        ("row", "rows")
    } else {
        ("line", "lines")
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        // The report, and where its events went: an import appends, so they
        // take the positions after the head it found (null when it wrote none).
        let head_after = tracker
            .store()
            .head()
            .await
            .map_err(habeas::error::TrackerError::from)?;
        let mut json = serde_json::to_value(&report)?;
        json["positions"] = if head_after > head_before {
            serde_json::json!({"first": head_before + 1, "last": head_after})
        } else {
            serde_json::Value::Null
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        write_text(&mut out, &report, unit).context("cannot write the report")?;
    }
    out.flush()?;
    if report.all_rejected() {
        return Err(Failure::rejected(format!(
            "nothing was imported: {} of {} rejected (see the reasons above)",
            report.rejections.len(),
            plural(report.n_rows, unit.0, unit.1)
        ))
        .into());
    }
    Ok(())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The report for people: warnings, then rejections, then the counts, so the
/// counts are what stays on the screen.
fn write_text(
    out: &mut impl Write,
    report: &Report,
    (one, many): (&str, &str),
) -> std::io::Result<()> {
    if !report.warnings.is_empty() {
        writeln!(
            out,
            "{}:",
            plural(report.warnings.len(), "warning", "warnings")
        )?;
        for warning in &report.warnings {
            writeln!(out, "  {}: {}", warning.at, warning.message)?;
        }
        writeln!(out)?;
    }
    if !report.rejections.is_empty() {
        writeln!(
            out,
            "{} rejected, nothing recorded for them:",
            plural(report.rejections.len(), one, many)
        )?;
        for rejection in &report.rejections {
            writeln!(out, "  {}: {}", rejection.at, rejection.reason)?;
        }
        writeln!(out)?;
    }
    for note in &report.notes {
        writeln!(out, "{note}")?;
    }
    let verb = if report.dry_run {
        "would import"
    } else {
        "imported"
    };
    let mut summary = format!(
        "{verb} {} of {} ({})",
        report.n_imported,
        plural(report.n_rows, one, many),
        plural(report.n_events, "event", "events"),
    );
    if report.n_added_to > 0 {
        summary.push_str(&format!(
            "; {} imported before, new facts added",
            report.n_added_to
        ));
    }
    if report.n_already_imported > 0 {
        summary.push_str(&format!(
            "; {} imported before, nothing new",
            report.n_already_imported
        ));
    }
    if !report.rejections.is_empty() {
        summary.push_str(&format!(
            "; {} rejected",
            plural(report.rejections.len(), one, many)
        ));
    }
    if !report.warnings.is_empty() {
        summary.push_str(&format!(
            "; {}",
            plural(report.warnings.len(), "warning", "warnings")
        ));
    }
    writeln!(out, "{summary}")
}
