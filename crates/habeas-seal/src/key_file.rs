//! The organisation's private key on disk: a short text file, mode `0600`,
//! that also carries the public key in clear (so `habeas key show` never needs
//! the passphrase).
//!
//! ```text
//! habeas signing key v1
//! public: MCowBQYDK2VwAyEA…            (base64 SubjectPublicKeyInfo)
//! protection: none                     (or: argon2id m=65536 t=3 p=1, xchacha20poly1305)
//! salt: …                              (protected only: 16 random bytes)
//! nonce: …                             (protected only: 24 random bytes)
//! secret: …                            (the 32-byte Ed25519 seed, or it sealed)
//! ```
//!
//! A passphrase is stretched by Argon2id (64 MiB, 3 passes: RFC 9106's second
//! recommended setting, within reach of a laptop) with a fresh random salt into
//! a 256-bit key that seals the seed with XChaCha20-Poly1305; the `public:`
//! line is the associated data, so swapping the public key is detected too.
//!
//! Nonces: each write of a key file draws a new salt, so each derived key seals
//! exactly one message and a nonce could never repeat under one key; the nonce
//! is nonetheless drawn at random, and at 192 bits (XChaCha) a random nonce
//! needs no counter or state to stay unique even if a salt ever repeated.

use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::SigningKey;
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use crate::encoding::{base64, from_base64};
use crate::error::SealError;
use crate::public_key::PublicKey;
use crate::secret_file;

const MAGIC: &str = "habeas signing key v1";
const CLEAR: &str = "none";
/// Argon2id cost: memory in KiB, passes, lanes.
const ARGON2: (u32, u32, u32) = (65_536, 3, 1);

/// The organisation's private signing key, unlocked. Its `Debug` shows the
/// public key only.
pub struct OrganisationKey(SigningKey);

impl OrganisationKey {
    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::new(self.0.verifying_key())
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.0
    }

    /// A key from its 32-byte seed (tests and fixtures).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        OrganisationKey(SigningKey::from_bytes(seed))
    }
}

impl std::fmt::Debug for OrganisationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrganisationKey")
            .field("public", &self.public_key().fingerprint())
            .finish_non_exhaustive()
    }
}

/// How the seed is kept in the file.
enum Protection {
    Clear(Zeroizing<Vec<u8>>),
    Passphrase {
        cost: (u32, u32, u32),
        salt: Vec<u8>,
        nonce: Vec<u8>,
        sealed: Vec<u8>,
    },
}

/// A key file as read, still locked.
pub struct KeyFile {
    path: PathBuf,
    public: PublicKey,
    public_line: String,
    protection: Protection,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("path", &self.path)
            .field("public", &self.public.fingerprint())
            .field("needs_passphrase", &self.needs_passphrase())
            .finish_non_exhaustive()
    }
}

/// Makes a new key and writes it to `path` (which must not exist), sealed with
/// `passphrase` when given. Returns its public key.
pub fn create(path: &Path, passphrase: Option<&str>) -> Result<PublicKey, SealError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(seed.as_mut());
    let key = OrganisationKey::from_seed(&seed);
    let public = key.public_key();
    let public_line = format!("public: {}", public.to_base64());
    let mut text = format!("{MAGIC}\n{public_line}\n");
    match passphrase {
        None => {
            text.push_str(&format!("protection: {CLEAR}\n"));
            let encoded = Zeroizing::new(base64(seed.as_ref()));
            text.push_str(&format!("secret: {}\n", encoded.as_str()));
        }
        Some(passphrase) => {
            let mut salt = [0u8; 16];
            let mut nonce = [0u8; 24];
            OsRng.fill_bytes(&mut salt);
            OsRng.fill_bytes(&mut nonce);
            let cipher = cipher(passphrase, &salt, ARGON2, path)?;
            let sealed = cipher
                .encrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: seed.as_ref(),
                        aad: public_line.as_bytes(),
                    },
                )
                .expect("XChaCha20-Poly1305 encrypts any message of 32 bytes");
            let (m, t, p) = ARGON2;
            text.push_str(&format!(
                "protection: argon2id m={m} t={t} p={p}, xchacha20poly1305\nsalt: {}\nnonce: {}\nsecret: {}\n",
                base64(&salt),
                base64(&nonce),
                base64(&sealed)
            ));
        }
    }
    let text = Zeroizing::new(text);
    secret_file::write_new(path, &text)?;
    Ok(public)
}

/// The cipher keyed by the passphrase stretched with Argon2id.
fn cipher(
    passphrase: &str,
    salt: &[u8],
    (m, t, p): (u32, u32, u32),
    path: &Path,
) -> Result<XChaCha20Poly1305, SealError> {
    let params = Params::new(m, t, p, Some(32)).map_err(|err| SealError::KeyFile {
        path: path.to_owned(),
        reason: format!("argon2id parameters m={m} t={t} p={p}: {err}"),
    })?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
        .map_err(|err| SealError::KeyFile {
            path: path.to_owned(),
            reason: format!("argon2id: {err}"),
        })?;
    Ok(XChaCha20Poly1305::new(key.as_ref().into()))
}

impl KeyFile {
    /// Reads the key file at `path` (refused when others may read it).
    pub fn read(path: &Path) -> Result<Self, SealError> {
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| SealError::Read {
                    path: path.to_owned(),
                    source,
                })?,
            );
        let bad = |reason: &str| SealError::KeyFile {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        let mut lines = text.lines();
        if lines.next() != Some(MAGIC) {
            return Err(bad(&format!("it does not begin with {MAGIC:?}")));
        }
        let mut field = |name: &str| -> Result<&str, SealError> {
            lines
                .next()
                .and_then(|line| line.strip_prefix(name))
                .and_then(|rest| rest.strip_prefix(": "))
                .ok_or_else(|| {
                    bad(&format!(
                        "the {name} line is missing (the file is cut short?)"
                    ))
                })
        };
        let public_text = field("public")?;
        let public_line = format!("public: {public_text}");
        let public = PublicKey::parse(public_text)?;
        let protection = match field("protection")? {
            CLEAR => {
                let seed = Zeroizing::new(
                    from_base64(field("secret")?)
                        .ok_or_else(|| bad("the secret line is not base64"))?,
                );
                if seed.len() != 32 {
                    return Err(bad("the secret is not 32 bytes long"));
                }
                Protection::Clear(seed)
            }
            protection => {
                let cost = parse_cost(protection)
                    .ok_or_else(|| bad(&format!("unknown protection {protection:?}")))?;
                let mut bytes = |name: &str| {
                    field(name).and_then(|text| {
                        from_base64(text)
                            .ok_or_else(|| bad(&format!("the {name} line is not base64")))
                    })
                };
                let salt = bytes("salt")?;
                let nonce = bytes("nonce")?;
                let sealed = bytes("secret")?;
                if nonce.len() != 24 || sealed.len() != 48 {
                    return Err(bad(
                        "the nonce or the sealed secret has the wrong length (cut short?)",
                    ));
                }
                Protection::Passphrase {
                    cost,
                    salt,
                    nonce,
                    sealed,
                }
            }
        };
        secret_file::check_private(path)?;
        Ok(KeyFile {
            path: path.to_owned(),
            public,
            public_line,
            protection,
        })
    }

    /// The public key, readable without the passphrase.
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// Whether [`Self::unlock`] needs a passphrase.
    pub fn needs_passphrase(&self) -> bool {
        matches!(self.protection, Protection::Passphrase { .. })
    }

    /// The private key, opened with `passphrase` when the file is protected.
    pub fn unlock(&self, passphrase: Option<&str>) -> Result<OrganisationKey, SealError> {
        let seed: Zeroizing<Vec<u8>> = match &self.protection {
            Protection::Clear(seed) => seed.clone(),
            Protection::Passphrase {
                cost,
                salt,
                nonce,
                sealed,
            } => {
                let passphrase = passphrase.ok_or_else(|| SealError::NeedsPassphrase {
                    path: self.path.clone(),
                })?;
                let cipher = cipher(passphrase, salt, *cost, &self.path)?;
                Zeroizing::new(
                    cipher
                        .decrypt(
                            XNonce::from_slice(nonce),
                            Payload {
                                msg: sealed,
                                aad: self.public_line.as_bytes(),
                            },
                        )
                        .map_err(|_| SealError::WrongPassphrase {
                            path: self.path.clone(),
                        })?,
                )
            }
        };
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(seed.as_slice().try_into().map_err(
            |_| SealError::KeyMismatch {
                path: self.path.clone(),
            },
        )?);
        let key = OrganisationKey::from_seed(&seed);
        if key.public_key() != self.public {
            return Err(SealError::KeyMismatch {
                path: self.path.clone(),
            });
        }
        Ok(key)
    }
}

/// `argon2id m=65536 t=3 p=1, xchacha20poly1305` → `(65536, 3, 1)`.
fn parse_cost(text: &str) -> Option<(u32, u32, u32)> {
    let rest = text
        .strip_prefix("argon2id ")?
        .strip_suffix(", xchacha20poly1305")?;
    let mut values = rest.split(' ').map(|part| part.split_once('='));
    let mut value = |name: &str| match values.next()? {
        Some((key, value)) if key == name => value.parse().ok(),
        _ => None,
    };
    Some((value("m")?, value("t")?, value("p")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clear_key_reads_back_and_is_written_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/signing.key");
        let public = create(&path, None).unwrap();
        let file = KeyFile::read(&path).unwrap();
        assert!(!file.needs_passphrase());
        assert_eq!(file.unlock(None).unwrap().public_key(), public);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let again = create(&path, None).unwrap_err();
        assert!(matches!(again, SealError::Exists { .. }), "{again}");
    }

    #[test]
    fn a_protected_key_opens_with_its_passphrase_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signing.key");
        let public = create(&path, Some("correct horse")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("protection: argon2id m=65536 t=3 p=1, xchacha20poly1305"));
        let file = KeyFile::read(&path).unwrap();
        assert_eq!(file.public_key(), public);
        assert!(matches!(
            file.unlock(None),
            Err(SealError::NeedsPassphrase { .. })
        ));
        assert!(matches!(
            file.unlock(Some("wrong horse")),
            Err(SealError::WrongPassphrase { .. })
        ));
        assert_eq!(
            file.unlock(Some("correct horse")).unwrap().public_key(),
            public
        );
        assert!(!format!("{file:?}").contains("secret"));
    }

    #[test]
    fn damaged_or_open_key_files_are_refused_naming_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signing.key");
        create(&path, None).unwrap();
        let good = std::fs::read_to_string(&path).unwrap();
        let other = dir.path().join("other.key");
        create(&other, None).unwrap();
        let other_secret = std::fs::read_to_string(&other).unwrap();
        let other_secret = other_secret.lines().last().unwrap();
        let lines: Vec<&str> = good.lines().collect();
        let cases: Vec<(String, &str)> = vec![
            (lines[..2].join("\n"), "protection line is missing"),
            (good.replace(MAGIC, "something else"), "does not begin with"),
            (
                format!("{}\n{other_secret}\n", lines[..3].join("\n")),
                "does not match its public key",
            ),
        ];
        for (n, (text, expected)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("case{n}.key"));
            secret_file::write_new(&path, &text).unwrap();
            let message = KeyFile::read(&path)
                .and_then(|file| file.unlock(None).map(|_| ()))
                .unwrap_err()
                .to_string();
            assert!(message.contains(expected), "{message}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let message = KeyFile::read(&path).unwrap_err().to_string();
            assert!(message.contains("chmod 600"), "{message}");
        }
    }
}
