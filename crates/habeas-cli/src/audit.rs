//! `habeas audit`: the security and account events of the store (sign-ins,
//! refusals, exports, reads of restricted facts, account changes), who did
//! them, when, from where and with which outcome, filtered and as a table or
//! JSON. Read from the log, so it lists what every server sharing the store
//! recorded, and what the CLI recorded.

use std::io::Write;

use chrono::{DateTime, NaiveTime, Utc};
use clap::Args;
use habeas::open::OpenOptions;
use habeas_server::audit_trail::{AuditEntry, AuditFilter, KINDS, audit_trail};

use crate::args::{Cli, OutputArgs};
use crate::output::pad;

/// The options of `habeas audit`.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// Only events recorded on or after this day (YYYY-MM-DD, UTC) or time (RFC 3339).
    #[arg(long, value_name = "DATE|TIME", value_parser = since)]
    pub(crate) since: Option<DateTime<Utc>>,
    /// Only events done by this account (or name tried), or done to it.
    #[arg(long, value_name = "NAME")]
    pub(crate) user: Option<String>,
    /// Only events of these kinds, comma-separated (e.g. login_failed,denied; see --help).
    #[arg(long, value_name = "KIND,…", value_delimiter = ',', value_parser = kind)]
    pub(crate) kind: Vec<String>,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// `--since`: a time, or a day meaning its start in UTC.
fn since(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|day| day.and_time(NaiveTime::MIN).and_utc())
        .map_err(|_| {
            format!(
                "{text:?} is neither a day nor a time: give YYYY-MM-DD (from the start of that day, UTC) \
                 or an RFC 3339 time such as 2026-03-01T09:30:00Z"
            )
        })
}

/// `--kind`: one of [`KINDS`].
fn kind(text: &str) -> Result<String, String> {
    let text = text.trim();
    if KINDS.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not a kind of audit event: use one of {}",
            KINDS.join(", ")
        ))
    }
}

/// Runs `habeas audit`.
pub(crate) async fn audit(cli: &Cli, args: &AuditArgs) -> anyhow::Result<()> {
    let location = crate::serve::location(cli)?;
    let tracker = {
        let moved = location.clone();
        tokio::task::spawn_blocking(move || {
            habeas::open::open(
                &moved,
                OpenOptions {
                    command: Some("habeas audit".to_owned()),
                    ..OpenOptions::default()
                },
            )
        })
        .await?
        .map_err(|err| crate::run::unless_held_by_server(&location, err))?
    };
    let filter = AuditFilter {
        since: args.since,
        user: args.user.clone(),
        kinds: args.kind.clone(),
    };
    let entries = audit_trail(&tracker, &filter)
        .await
        .map_err(habeas::error::TrackerError::Store)?;
    let mut out = std::io::stdout().lock();
    if args.output.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&entries)?)?;
    } else {
        table(&mut out, &entries)?;
    }
    Ok(())
}

/// The entries as a table, one a line.
fn table(out: &mut impl Write, entries: &[AuditEntry]) -> std::io::Result<()> {
    if entries.is_empty() {
        return writeln!(out, "no audit events");
    }
    writeln!(
        out,
        "{} {} {} {} {} WHAT",
        pad("WHEN (UTC)", 19),
        pad("KIND", 24),
        pad("WHO", 16),
        pad("FROM", 15),
        pad("OUTCOME", 9),
    )?;
    for entry in entries {
        writeln!(
            out,
            "{} {} {} {} {} {}",
            pad(&entry.at.format("%Y-%m-%d %H:%M:%S").to_string(), 19),
            pad(&entry.kind, 24),
            pad(entry.who.as_deref().unwrap_or("-"), 16),
            pad(entry.from.as_deref().unwrap_or("-"), 15),
            pad(&entry.outcome, 9),
            entry.what
        )?;
    }
    Ok(())
}
