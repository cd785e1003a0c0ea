//! Signing what habeas writes (`export --sign`, `report --sign`) and checking
//! it (`verify-export`, also called `verify-signature`): one detached
//! signature format for exports and reports (see `habeas_seal::signature`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use habeas::error::TrackerError;
use habeas::tracker::Tracker;
use habeas_seal::digest::Digest;
use habeas_seal::error::SealError;
use habeas_seal::key_file::OrganisationKey;
use habeas_seal::signature::{Head, sign, signature_path};

use crate::exit::Failure;

#[derive(Debug, Args)]
#[command(after_help = "\
Exit codes: 0 the file is unaltered and signed by that key; 5 it is not (the
message says what failed: a changed byte, a removed line, a different key, a
missing or damaged signature); 2 the key or the file cannot be read.

Examples:
  habeas verify-export export.jsonl --key org.pub.pem
  habeas verify-signature rong-chhun.html --key MCowBQYDK2VwAyEA…")]
pub(crate) struct VerifyExportArgs {
    /// The signed file: an export or a report.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// The organisation's public key: a PEM file, or its base64 line.
    #[arg(long, value_name = "PUBKEY|PUBKEYFILE")]
    pub(crate) key: String,
    /// The signature [default: FILE.sig].
    #[arg(long, value_name = "SIG")]
    pub(crate) signature: Option<PathBuf>,
    /// Print JSON for machines instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The log's head: the last position and that event's hash.
pub(crate) async fn head(tracker: &Tracker) -> anyhow::Result<Head> {
    let position = tracker.store().head().await.map_err(TrackerError::from)?;
    if position == 0 {
        return Ok(Head {
            position,
            hash: habeas_store::GENESIS_HASH.to_owned(),
        });
    }
    let last = tracker
        .store()
        .read_all(position, 1)
        .await
        .map_err(TrackerError::from)?;
    let envelope = last
        .first()
        .context("the store's head event cannot be read")?;
    Ok(Head {
        position,
        hash: envelope.hash.clone(),
    })
}

/// Writes `FILE.sig` for the file at `path` with `digest`.
pub(crate) fn write_signature(
    path: &Path,
    key: &OrganisationKey,
    digest: Digest,
    head: Head,
) -> anyhow::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let signed_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let text = sign(key, &name, digest, head, &signed_at);
    let sig = signature_path(path);
    std::fs::write(&sig, text).with_context(|| format!("cannot write {}", sig.display()))?;
    Ok(sig)
}

/// `--sign` needs a file to put the signature beside.
pub(crate) fn needs_output(output: Option<&Path>) -> anyhow::Result<&Path> {
    output.ok_or_else(|| {
        Failure::usage("--sign needs -o FILE: the signature is written beside it, as FILE.sig")
            .into()
    })
}

/// Runs `habeas verify-export`.
pub(crate) fn verify_export(args: VerifyExportArgs) -> anyhow::Result<()> {
    let key = crate::keys::public_key(&args.key)?;
    let sig = args
        .signature
        .clone()
        .unwrap_or_else(|| signature_path(&args.file));
    if !args.file.exists() {
        return Err(Failure::usage(format!("{} does not exist", args.file.display())).into());
    }
    let statement = habeas_seal::verify::verify(&args.file, &sig, &key).map_err(|err| {
        let message = format!("{} fails verification: {err}", args.file.display());
        match err {
            SealError::Read { .. } => Failure::usage(message),
            _ => Failure::verify(message),
        }
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({
            "file": args.file,
            "verified": true,
            "key": statement.key,
            "sha256": statement.digest.sha256_hex(),
            "bytes": statement.digest.bytes,
            "lines": statement.digest.lines,
            "head": {"position": statement.head.position, "hash": statement.head.hash},
            "signed_at": statement.signed_at,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        writeln!(
            out,
            "ok: {} is unaltered and signed by {} (sha256 {}, {} lines; the log's head was position {}, {}; signed at {})",
            args.file.display(),
            statement.key,
            statement.digest.sha256_hex(),
            statement.digest.lines,
            statement.head.position,
            statement.head.hash,
            statement.signed_at
        )?;
    }
    Ok(())
}
