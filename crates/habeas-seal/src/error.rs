//! Why a key could not be used, a signature did not verify or a backup could
//! not be opened. Each failure a recipient can meet is its own variant, so a
//! front end tells a changed byte from a removed line, a different key or a
//! missing signature. No variant carries a secret.

use std::path::PathBuf;

/// Every failure of this crate.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A key or identity file would have replaced another.
    #[error("{} already exists: it was left as it is; choose another place (--out DIR) or move it away first", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A private key file that others may read.
    #[error("{} can be read by others (mode {mode:o}): it may have been copied; if not, make it private with `chmod 600 {}`", path.display(), path.display())]
    TooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A text that should be an Ed25519 public key is not one.
    #[error(
        "not an Ed25519 public key ({reason}): give the PEM file `habeas key show` prints, or its base64 line"
    )]
    NotAPublicKey {
        /// What is wrong.
        reason: String,
    },
    /// A private key file that cannot be read as one.
    #[error("{} is not a habeas signing key: {reason}", path.display())]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The key is protected by a passphrase and none was given.
    #[error("{} is protected by a passphrase: enter it at the prompt or set HABEAS_KEY_PASSPHRASE", path.display())]
    NeedsPassphrase {
        /// The key file.
        path: PathBuf,
    },
    /// The passphrase does not open the key (or the sealed key was altered).
    #[error("the passphrase does not open {} (or the file was altered)", path.display())]
    WrongPassphrase {
        /// The key file.
        path: PathBuf,
    },
    /// The private key does not belong to the public key written beside it.
    #[error("{} is damaged: its private key does not match its public key", path.display())]
    KeyMismatch {
        /// The key file.
        path: PathBuf,
    },
    /// The file has no signature beside it.
    #[error("missing signature: {} does not exist; the file was not signed, or its .sig was not passed along (give it with --signature)", path.display())]
    SignatureMissing {
        /// Where the signature was looked for.
        path: PathBuf,
    },
    /// The signature file cannot be read as one (cut short, edited).
    #[error("the signature {} is damaged or cut short: {reason}", path.display())]
    SignatureMalformed {
        /// The signature file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The file was signed by another key than the one given.
    #[error(
        "different key: the file was signed by the key {signed_by}, not by the key given ({given}); check you have the organisation's published key"
    )]
    OtherKey {
        /// Fingerprint the signature names.
        signed_by: String,
        /// Fingerprint of the key given.
        given: String,
    },
    /// The signature does not verify over its statement.
    #[error("the signature in {} does not verify with key {key}: the signature or its statement was altered", path.display())]
    BadSignature {
        /// The signature file.
        path: PathBuf,
        /// Fingerprint of the key used.
        key: String,
    },
    /// The file holds another number of lines than was signed.
    #[error("{signed} lines were signed but the file has {found}: a line was {} since it was signed", if found < signed { "removed" } else { "added" })]
    LinesChanged {
        /// Lines when signed.
        signed: u64,
        /// Lines now.
        found: u64,
    },
    /// The file holds another number of bytes than was signed.
    #[error(
        "{signed} bytes were signed but the file has {found}: it was changed since it was signed"
    )]
    SizeChanged {
        /// Bytes when signed.
        signed: u64,
        /// Bytes now.
        found: u64,
    },
    /// Same size, same lines, another digest: bytes were changed in place.
    #[error(
        "a changed byte: the file's SHA-256 is {found}, the signed one is {signed}; it was altered since it was signed"
    )]
    ContentChanged {
        /// SHA-256 signed (hex).
        signed: String,
        /// SHA-256 now (hex).
        found: String,
    },
    /// A text that should be a backup recipient is not one.
    #[error(
        "{value:?} is not a backup recipient: give the `habeas-backup-recipient:…` line that `habeas key identity` prints"
    )]
    NotARecipient {
        /// The text given.
        value: String,
    },
    /// An identity file that cannot be read as one.
    #[error("{} is not a habeas backup identity: {reason}", path.display())]
    IdentityFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The file is not an encrypted backup (or its header is cut short).
    #[error("not an encrypted habeas backup: {reason}")]
    NotABackup {
        /// What is wrong.
        reason: String,
    },
    /// The backup was encrypted to another recipient (or its header was altered).
    #[error(
        "wrong identity: the backup was not encrypted to this identity's recipient ({recipient}), or its header was altered"
    )]
    WrongIdentity {
        /// The recipient of the identity given.
        recipient: String,
    },
    /// A chunk fails authentication: a bit was flipped, bytes were cut or added.
    #[error("the backup was altered or damaged: encrypted chunk {chunk} (at byte {offset}) fails authentication{}", if *last { "; it is the last one: the file may be cut short" } else { "" })]
    BackupAltered {
        /// 0-based chunk number.
        chunk: u64,
        /// Byte offset of the chunk in the file.
        offset: u64,
        /// Whether it was read as the last chunk.
        last: bool,
    },
}
