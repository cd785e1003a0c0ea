//! Checking a file against its detached signature and a public key. The order
//! of the checks decides what a failure is called: first the signature file
//! itself (missing, cut short), then whose key it names, then the signature
//! over the statement, and only then the file against the statement (lines,
//! size, bytes), so "a removed line" is said only of a statement known to be
//! genuine.

use std::path::Path;

use crate::digest::Digest;
use crate::encoding::hex;
use crate::error::SealError;
use crate::public_key::PublicKey;
use crate::signature::{SignatureFile, Statement};

/// Checks `file` against the signature at `signature` with `key`; returns the
/// genuine statement.
pub fn verify(file: &Path, signature: &Path, key: &PublicKey) -> Result<Statement, SealError> {
    let text = match std::fs::read(signature) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| SealError::SignatureMalformed {
            path: signature.to_owned(),
            reason: "it is not text".into(),
        })?,
        Err(source) if source.kind() == std::io::ErrorKind::NotFound => {
            return Err(SealError::SignatureMissing {
                path: signature.to_owned(),
            });
        }
        Err(source) => {
            return Err(SealError::Read {
                path: signature.to_owned(),
                source,
            });
        }
    };
    let signed = SignatureFile::parse(signature, &text)?;
    let given = key.fingerprint();
    if signed.statement.key != given {
        return Err(SealError::OtherKey {
            signed_by: signed.statement.key,
            given,
        });
    }
    key.verifying_key()
        .verify_strict(signed.signed_text.as_bytes(), &signed.signature)
        .map_err(|_| SealError::BadSignature {
            path: signature.to_owned(),
            key: given,
        })?;
    let found = Digest::of_file(file)?;
    check_digest(&signed.statement.digest, &found)?;
    Ok(signed.statement)
}

/// Compares the signed digest with the file's, naming the change.
fn check_digest(signed: &Digest, found: &Digest) -> Result<(), SealError> {
    if found.lines != signed.lines {
        return Err(SealError::LinesChanged {
            signed: signed.lines,
            found: found.lines,
        });
    }
    if found.bytes != signed.bytes {
        return Err(SealError::SizeChanged {
            signed: signed.bytes,
            found: found.bytes,
        });
    }
    if found.sha256 != signed.sha256 {
        return Err(SealError::ContentChanged {
            signed: hex(&signed.sha256),
            found: hex(&found.sha256),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key_file::OrganisationKey;
    use crate::signature::{Head, sign, signature_path};

    /// A file, its signature by key 1, and what each case does to them.
    #[test]
    fn each_way_a_signed_file_can_fail_is_named() {
        let content = "line one\nline two\nline three\n";
        let signer = OrganisationKey::from_seed(&[1; 32]);
        let other = OrganisationKey::from_seed(&[2; 32]).public_key();
        type Case = (
            &'static str,
            fn(&str) -> String,
            fn(&str) -> String,
            bool,
            &'static str,
        );
        let same = |text: &str| text.to_owned();
        let cases: Vec<Case> = vec![
            ("untouched", same, same, false, ""),
            (
                "a changed byte",
                |t| t.replacen("one", "One", 1),
                same,
                false,
                "a changed byte",
            ),
            (
                "a removed line",
                |t| t.replacen("line two\n", "", 1),
                same,
                false,
                "a line was removed",
            ),
            (
                "an added line",
                |t| format!("{t}four\n"),
                same,
                false,
                "a line was added",
            ),
            (
                "bytes added in a line",
                |t| t.replacen("one", "one!", 1),
                same,
                false,
                "bytes were signed but the file has",
            ),
            ("another key", same, same, true, "different key"),
            (
                "a truncated signature",
                same,
                |s| s[..s.len() - 30].to_owned(),
                false,
                "damaged or cut short",
            ),
            (
                "an edited statement",
                same,
                |s| s.replacen("lines: 3", "lines: 2", 1),
                false,
                "does not verify",
            ),
            (
                "no signature",
                same,
                |_| String::new(),
                false,
                "missing signature",
            ),
        ];
        for (name, change_file, change_signature, other_key, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("export.jsonl");
            let digest = Digest::of_reader(content.as_bytes()).unwrap();
            let head = Head {
                position: 3,
                hash: "00".repeat(32),
            };
            let signature = sign(
                &signer,
                "export.jsonl",
                digest,
                head,
                "2026-12-08T05:00:00Z",
            );
            std::fs::write(&file, change_file(content)).unwrap();
            let signature = change_signature(&signature);
            if !signature.is_empty() {
                std::fs::write(signature_path(&file), signature).unwrap();
            }
            let key = if other_key {
                other
            } else {
                signer.public_key()
            };
            match verify(&file, &signature_path(&file), &key) {
                Ok(statement) => {
                    assert_eq!(expected, "", "{name}: passed");
                    assert_eq!(statement.head.position, 3);
                }
                Err(err) => {
                    let message = err.to_string();
                    assert!(
                        !expected.is_empty() && message.contains(expected),
                        "{name}: {message}"
                    );
                }
            }
        }
    }
}
