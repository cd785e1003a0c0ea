//! `habeas key`: the organisation's signing key and the identities that open
//! encrypted backups. Where keys live: `--key FILE`, else `keys/signing.key`
//! beside the store directory (in the per-user data directory for the
//! default store or a PostgreSQL store) — never inside the store, so the log,
//! its exports and a copy of the store directory never carry it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use habeas::open::Location;
use habeas_seal::backup::Identity;
use habeas_seal::error::SealError;
use habeas_seal::key_file::{self, KeyFile, OrganisationKey};
use habeas_seal::public_key::PublicKey;

use crate::exit::Failure;

/// The variable a script sets to give a key's passphrase without a prompt.
pub(crate) const PASSPHRASE_VARIABLE: &str = "HABEAS_KEY_PASSPHRASE";
const KEY_FILE: &str = "signing.key";
const PUBLIC_FILE: &str = "signing.pub.pem";

#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Make the organisation's signing key (Ed25519): the private key file
    /// (mode 0600) and the public key beside it, to publish.
    #[command(
        after_help = "Examples:\n  habeas key create\n  habeas key create --out /secure/keys --passphrase"
    )]
    Create(KeyCreateArgs),
    /// Print the public key (PEM, for a website) and its fingerprint.
    Show(KeyShowArgs),
    /// Make an identity that opens encrypted backups; prints its recipient,
    /// for `habeas export --encrypt-to`.
    #[command(
        after_help = "Example:\n  habeas key identity --out /offline/backup.identity\n  habeas export -o backup.sealed --encrypt-to habeas-backup-recipient:…\n  habeas --db ./restored import backup.sealed --identity /offline/backup.identity"
    )]
    Identity(IdentityArgs),
}

#[derive(Debug, Args)]
pub(crate) struct KeyCreateArgs {
    /// The directory for signing.key and signing.pub.pem [default: keys/ beside the store].
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Protect the private key with a passphrase (asked twice, or $HABEAS_KEY_PASSPHRASE).
    #[arg(long)]
    pub(crate) passphrase: bool,
}

#[derive(Debug, Args)]
pub(crate) struct KeyShowArgs {
    /// The private key file [default: keys/signing.key beside the store].
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct IdentityArgs {
    /// Where to write the identity (a new file, mode 0600); keep it apart from the backups.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// `keys/` beside the store directory; for the default store, or a
/// PostgreSQL one, in the per-user data directory.
pub(crate) fn key_dir(db: Option<&str>) -> anyhow::Result<PathBuf> {
    let store = match db.map(Location::parse) {
        Some(Location::Directory(path)) => path,
        _ => crate::run::default_db()?,
    };
    let parent = store
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(parent.join("keys"))
}

/// `--key FILE`, else the default key file.
pub(crate) fn key_path(key: Option<&Path>, db: Option<&str>) -> anyhow::Result<PathBuf> {
    match key {
        Some(path) => Ok(path.to_owned()),
        None => Ok(key_dir(db)?.join(KEY_FILE)),
    }
}

/// A key problem as the CLI reports it: the user's to fix (exit 2).
pub(crate) fn key_failed(err: SealError) -> anyhow::Error {
    Failure::usage(err.to_string()).into()
}

/// Reads the key file, saying how to make one when there is none.
fn read_key(path: &Path) -> anyhow::Result<KeyFile> {
    KeyFile::read(path).map_err(|err| match err {
        SealError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            Failure::usage(format!(
                "no signing key at {}: make one with `habeas key create` (or give --key FILE)",
                path.display()
            ))
            .into()
        }
        err => key_failed(err),
    })
}

/// The passphrase from the environment, else a prompt without echo.
fn passphrase(prompt: &str) -> anyhow::Result<zeroize::Zeroizing<String>> {
    if let Ok(value) = std::env::var(PASSPHRASE_VARIABLE) {
        return Ok(zeroize::Zeroizing::new(value));
    }
    rpassword::prompt_password(prompt)
        .map(zeroize::Zeroizing::new)
        .map_err(|err| {
            Failure::usage(format!(
                "cannot ask for the passphrase ({err}): set {PASSPHRASE_VARIABLE} in scripts"
            ))
            .into()
        })
}

/// The unlocked signing key, asking for its passphrase if it has one.
pub(crate) fn signing_key(path: &Path) -> anyhow::Result<OrganisationKey> {
    let file = read_key(path)?;
    let passphrase = if file.needs_passphrase() {
        Some(passphrase(&format!("passphrase of {}: ", path.display()))?)
    } else {
        None
    };
    file.unlock(passphrase.as_ref().map(|p| p.as_str()))
        .map_err(key_failed)
}

/// A public key given as a file (PEM, or its base64 line) or as the text itself.
pub(crate) fn public_key(given: &str) -> anyhow::Result<PublicKey> {
    let path = Path::new(given);
    let text = if path.is_file() {
        std::fs::read_to_string(path).map_err(|err| {
            Failure::usage(format!("cannot read the key {}: {err}", path.display()))
        })?
    } else {
        given.to_owned()
    };
    PublicKey::parse(&text).map_err(|err| Failure::usage(format!("--key {given}: {err}")).into())
}

/// The public key as printed for people and websites.
fn show(out: &mut impl Write, key: &PublicKey) -> std::io::Result<()> {
    write!(out, "{}", key.to_pem())?;
    writeln!(out, "fingerprint: {}", key.fingerprint())
}

/// Runs `habeas key …`.
pub(crate) fn run(command: KeyCommand, db: Option<&str>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        KeyCommand::Create(args) => {
            let dir = match args.out {
                Some(dir) => dir,
                None => key_dir(db)?,
            };
            let path = dir.join(KEY_FILE);
            let phrase = if args.passphrase {
                let first = passphrase("passphrase for the new key: ")?;
                if std::env::var(PASSPHRASE_VARIABLE).is_err() {
                    let again = passphrase("the same passphrase again: ")?;
                    if *again != *first {
                        return Err(Failure::usage(
                            "the two passphrases differ: nothing was written; run it again",
                        )
                        .into());
                    }
                }
                if first.trim().is_empty() {
                    return Err(Failure::usage(
                        "the passphrase is empty: nothing was written; give one, or leave out --passphrase",
                    )
                    .into());
                }
                Some(first)
            } else {
                None
            };
            let key =
                key_file::create(&path, phrase.as_ref().map(|p| p.as_str())).map_err(key_failed)?;
            let public_path = dir.join(PUBLIC_FILE);
            std::fs::write(&public_path, key.to_pem())
                .with_context(|| format!("cannot write {}", public_path.display()))?;
            eprintln!(
                "wrote the private key to {} (keep it secret; back it up apart from the store) \
                 and the public key to {} (publish it)",
                path.display(),
                public_path.display()
            );
            show(&mut out, &key)?;
        }
        KeyCommand::Show(args) => {
            let path = key_path(args.key.as_deref(), db)?;
            show(&mut out, &read_key(&path)?.public_key())?;
        }
        KeyCommand::Identity(args) => {
            let identity = Identity::generate();
            identity.write_new(&args.out).map_err(key_failed)?;
            eprintln!(
                "wrote the identity to {} (keep it secret and apart from the backups: without it no backup encrypted to it can be opened)",
                args.out.display()
            );
            writeln!(out, "{}", identity.recipient())?;
        }
    }
    Ok(())
}
