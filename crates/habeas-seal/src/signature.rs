//! The detached signature, `FILE.sig` beside the file it signs.
//!
//! Detached rather than a trailer inside the file: an export stays a file of
//! envelopes, one per line, that `habeas import` and any JSON-lines tool read
//! unchanged; a report stays the HTML, Markdown, JSON or CSV its readers
//! expect (CSV and JSON have no place for a trailer); and what is signed is
//! simply every byte of the file, which `sha256sum` checks.
//!
//! The signature file is text. Every line but the last is the *statement*;
//! the last is the Ed25519 signature (base64, 64 bytes) over the statement's
//! exact bytes:
//!
//! ```text
//! habeas signature v1
//! file: export.jsonl
//! sha256: 5e1c…                  (of every byte of the file)
//! bytes: 48213
//! lines: 57
//! head: 57 9f3a…                 (the log's position and hash when signed)
//! signed-at: 2026-12-08T05:00:00Z
//! key: sha256:0c4e…              (the fingerprint of the signing key)
//! signature: mY3c…
//! ```
//!
//! A recipient without habeas checks it with standard tools (docs/signing.md):
//! `head -n -1 FILE.sig > statement`, the last line's base64 decoded to
//! `sig.bin`, `openssl pkeyutl -verify -pubin -inkey org.pem -rawin -in
//! statement -sigfile sig.bin`, then `sha256sum FILE` against the `sha256:`
//! line.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer};

use crate::digest::Digest;
use crate::encoding::{base64, from_base64, from_hex};
use crate::error::SealError;
use crate::key_file::OrganisationKey;

const MAGIC: &str = "habeas signature v1";
const SIGNATURE: &str = "signature: ";

/// The log's head when the file was made: its last position and that event's
/// hash (position 0 and the genesis hash for an empty log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The last position.
    pub position: u64,
    /// The hash of the event at it.
    pub hash: String,
}

/// What a signature says about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The file's name when signed (shown, not checked: a file may be renamed).
    pub file_name: String,
    /// The file's digest.
    pub digest: Digest,
    /// The log's head.
    pub head: Head,
    /// When it was signed (RFC 3339), as the signer's clock said.
    pub signed_at: String,
    /// Fingerprint of the signing key.
    pub key: String,
}

impl Statement {
    /// The exact bytes that are signed.
    fn text(&self) -> String {
        // A name is one line: a control character in it cannot add a line.
        let file_name: String = self
            .file_name
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        format!(
            "{MAGIC}\nfile: {file_name}\nsha256: {}\nbytes: {}\nlines: {}\nhead: {} {}\nsigned-at: {}\nkey: {}\n",
            self.digest.sha256_hex(),
            self.digest.bytes,
            self.digest.lines,
            self.head.position,
            self.head.hash,
            self.signed_at,
            self.key,
        )
    }
}

/// Where the signature of `file` is kept: `FILE.sig` beside it.
pub fn signature_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// The signature file's text for `digest` and `head`, signed with `key`.
pub fn sign(
    key: &OrganisationKey,
    file_name: &str,
    digest: Digest,
    head: Head,
    signed_at: &str,
) -> String {
    let statement = Statement {
        file_name: file_name.to_owned(),
        digest,
        head,
        signed_at: signed_at.to_owned(),
        key: key.public_key().fingerprint(),
    };
    let text = statement.text();
    let signature = key.signing_key().sign(text.as_bytes());
    format!("{text}{SIGNATURE}{}\n", base64(&signature.to_bytes()))
}

/// A signature file as read: the statement, its exact bytes, the signature.
#[derive(Debug, Clone)]
pub struct SignatureFile {
    /// What it says.
    pub statement: Statement,
    pub(crate) signed_text: String,
    pub(crate) signature: Signature,
}

impl SignatureFile {
    /// Reads the text of the signature file at `path` (named in errors).
    pub fn parse(path: &Path, text: &str) -> Result<Self, SealError> {
        let bad = |reason: String| SealError::SignatureMalformed {
            path: path.to_owned(),
            reason,
        };
        let Some(at) = text.rfind(&format!("\n{SIGNATURE}")) else {
            return Err(bad("it has no `signature:` line".into()));
        };
        let signed_text = &text[..=at];
        let last = &text[at + 1 + SIGNATURE.len()..];
        let last = last.strip_suffix('\n').unwrap_or(last);
        if last.contains('\n') {
            return Err(bad("there is text after the `signature:` line".into()));
        }
        let bytes = from_base64(last).ok_or_else(|| bad("the signature is not base64".into()))?;
        let bytes: [u8; 64] = bytes.as_slice().try_into().map_err(|_| {
            bad(format!(
                "the signature is {} bytes long, not 64 (cut short?)",
                bytes.len()
            ))
        })?;
        let signature = Signature::from_bytes(&bytes);

        let mut lines = signed_text.lines();
        if lines.next() != Some(MAGIC) {
            return Err(bad(format!("it does not begin with {MAGIC:?}")));
        }
        let mut field = |name: &str| {
            lines
                .next()
                .and_then(|line| line.strip_prefix(name))
                .and_then(|rest| rest.strip_prefix(": "))
                .map(str::to_owned)
                .ok_or_else(|| bad(format!("the `{name}:` line is missing or out of place")))
        };
        let number = |name: &str, text: String| {
            text.parse::<u64>()
                .map_err(|_| bad(format!("`{name}: {text}` is not a number")))
        };
        let file_name = field("file")?;
        let sha256_text = field("sha256")?;
        let sha256: [u8; 32] = from_hex(&sha256_text)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| bad(format!("`sha256: {sha256_text}` is not a SHA-256")))?;
        let bytes = number("bytes", field("bytes")?)?;
        let lines_count = number("lines", field("lines")?)?;
        let head_text = field("head")?;
        let (position, hash) = head_text
            .split_once(' ')
            .ok_or_else(|| bad(format!("`head: {head_text}` is not a position and a hash")))?;
        let position = number("head", position.to_owned())?;
        let signed_at = field("signed-at")?;
        let key = field("key")?;
        if lines.next().is_some() {
            return Err(bad("the statement has a line too many".into()));
        }
        Ok(SignatureFile {
            statement: Statement {
                file_name,
                digest: Digest {
                    sha256,
                    bytes,
                    lines: lines_count,
                },
                head: Head {
                    position,
                    hash: hash.to_owned(),
                },
                signed_at,
                key,
            },
            signed_text: signed_text.to_owned(),
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed() -> String {
        let key = OrganisationKey::from_seed(&[1; 32]);
        let digest = Digest::of_reader(&b"a\nb\n"[..]).unwrap();
        let head = Head {
            position: 2,
            hash: "ab".repeat(32),
        };
        sign(&key, "export\n.jsonl", digest, head, "2026-12-08T05:00:00Z")
    }

    #[test]
    fn a_signature_reads_back_what_it_signed() {
        let text = signed();
        let file = SignatureFile::parse(Path::new("x.sig"), &text).unwrap();
        assert_eq!(file.statement.file_name, "export?.jsonl");
        assert_eq!(file.statement.digest.lines, 2);
        assert_eq!(file.statement.head.position, 2);
        assert_eq!(text.lines().count(), 9);
    }

    #[test]
    fn damaged_signature_files_are_refused_naming_why() {
        let text = signed();
        let last = text.lines().last().unwrap();
        let cases = [
            (text[..text.len() - 20].to_owned(), "not base64"),
            (
                text.replace(last, &last[..last.len() - 8]),
                "bytes long, not 64",
            ),
            (
                text.replace("bytes: ", "size: "),
                "`bytes:` line is missing",
            ),
            (text.replace("signature: ", "sig: "), "no `signature:` line"),
            (format!("{text}more\n"), "text after"),
            (String::new(), "no `signature:` line"),
        ];
        for (damaged, expected) in cases {
            let message = SignatureFile::parse(Path::new("x.sig"), &damaged)
                .unwrap_err()
                .to_string();
            assert!(message.contains(expected), "{message}");
        }
    }
}
