//! Signatures and sealed backups: what lets a recipient check that a file came
//! unaltered from an organisation, and what keeps a backup unreadable to anyone
//! but the holder of its identity.
//!
//! - [`public_key::PublicKey`]: the organisation's Ed25519 public key, printed as a
//!   PEM `PUBLIC KEY` (what `openssl` reads) with its fingerprint.
//! - [`key_file`]: the private key on disk (`0600`), in clear or sealed with a
//!   passphrase (Argon2id, XChaCha20-Poly1305).
//! - [`digest::Digest`]: SHA-256, byte and line counts of a file.
//! - [`signature`]: the detached signature file (`FILE.sig`): a short text
//!   statement (digest, the log's head) and an Ed25519 signature over it.
//! - [`verify::verify`]: checks a file against its signature and a public key,
//!   naming what failed.
//! - [`backup`]: backups encrypted to a recipient (X25519, HKDF-SHA-256,
//!   XChaCha20-Poly1305 in the STREAM construction), read back with an identity.
//!
//! Every error is a [`error::SealError`]; no message, `Debug` or `Display` ever
//! holds a private key, a passphrase or a decrypted byte.

pub mod backup;
pub mod digest;
pub mod error;
pub mod key_file;
pub mod public_key;
pub mod signature;
pub mod verify;

mod encoding;
mod secret_file;
