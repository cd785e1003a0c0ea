//! Backups encrypted to a recipient (`habeas export --encrypt-to`), opened with
//! the matching identity (`habeas import --identity`).
//!
//! The `age` format was the first choice, but the `age` crate brings about a
//! hundred crates (i18n-embed, fluent, rust-embed, the NIST curves, ML-KEM) to
//! a program that needs one recipient type; this is the same design, smaller,
//! from the same audited primitives (RustCrypto, dalek):
//!
//! ```text
//! "habeas-sealed-backup v1\n"   24 bytes
//! ephemeral X25519 public key  32 bytes   (new for every backup)
//! nonce prefix                 19 bytes   (random)
//! header MAC                   32 bytes   HMAC-SHA-256(header key, all of the above)
//! chunks                       64 KiB of plaintext each + a 16-byte Poly1305 tag
//! ```
//!
//! Keys: `shared = X25519(ephemeral secret, recipient)`, refused when not
//! contributory; HKDF-SHA-256 with salt `ephemeral ‖ recipient` expands it to a
//! payload key (`"habeas backup v1 payload"`) and a header key
//! (`"habeas backup v1 header"`). A wrong identity derives another header key,
//! so the MAC tells "not for this identity" before any chunk is tried.
//!
//! Chunks: XChaCha20-Poly1305 in the STREAM construction (Hoang, Reyhanitabar,
//! Rogaway, Vizár 2015; `aead::stream::StreamBE32`): the nonce of chunk *i* is
//! `prefix ‖ i (32-bit big-endian) ‖ last-flag`. Nonces never repeat under a
//! key: each backup has its own ephemeral key, hence its own payload key, and
//! within it the counter gives each chunk its own nonce (the random prefix is
//! a second safeguard). The last-flag makes a file cut at a chunk boundary
//! fail, and the counter makes reordered or dropped chunks fail.

use std::io::{Read, Write};
use std::path::Path;

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::KeyInit;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use x25519_dalek::{EphemeralSecret, StaticSecret};
use zeroize::Zeroizing;

use crate::encoding::{base64, from_base64};
use crate::error::SealError;
use crate::secret_file;

/// The first bytes of every encrypted backup.
pub const MAGIC: &[u8; 24] = b"habeas-sealed-backup v1\n";
const PREFIX: usize = 19;
const MAC: usize = 32;
const HEADER: usize = MAGIC.len() + 32 + PREFIX + MAC;
/// Plaintext bytes per chunk.
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const RECIPIENT: &str = "habeas-backup-recipient:";
const IDENTITY: &str = "habeas-backup-identity:";

/// Whether `bytes` (the start of a file) begin like an encrypted backup.
pub fn is_backup(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Who a backup is encrypted to: an X25519 public key, written
/// `habeas-backup-recipient:BASE64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient(x25519_dalek::PublicKey);

impl Recipient {
    /// Reads `habeas-backup-recipient:BASE64`.
    pub fn parse(text: &str) -> Result<Self, SealError> {
        let bytes: Option<[u8; 32]> = text
            .trim()
            .strip_prefix(RECIPIENT)
            .and_then(from_base64)
            .and_then(|bytes| bytes.try_into().ok());
        bytes
            .map(|bytes| Recipient(bytes.into()))
            .ok_or_else(|| SealError::NotARecipient {
                value: text.to_owned(),
            })
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{RECIPIENT}{}", base64(self.0.as_bytes()))
    }
}

/// The secret that opens backups encrypted to its [`Recipient`]. Its `Debug`
/// shows the recipient only.
pub struct Identity(StaticSecret);

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("recipient", &self.recipient().to_string())
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// A new random identity.
    pub fn generate() -> Self {
        Identity(StaticSecret::random_from_rng(OsRng))
    }

    /// Its public half.
    pub fn recipient(&self) -> Recipient {
        Recipient(x25519_dalek::PublicKey::from(&self.0))
    }

    /// Writes it to a new file at `path` (mode `0600`).
    pub fn write_new(&self, path: &Path) -> Result<(), SealError> {
        let secret = Zeroizing::new(base64(self.0.as_bytes()));
        let text = Zeroizing::new(format!(
            "# habeas backup identity: it opens every backup encrypted to the recipient below.\n\
             # Keep it secret, and keep it apart from the backups.\n\
             # recipient: {}\n{IDENTITY}{}\n",
            self.recipient(),
            secret.as_str()
        ));
        secret_file::write_new(path, &text)
    }

    /// Reads the identity file at `path` (refused when others may read it).
    pub fn read(path: &Path) -> Result<Self, SealError> {
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| SealError::Read {
                    path: path.to_owned(),
                    source,
                })?,
            );
        let bad = |reason: &str| SealError::IdentityFile {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        let line = text
            .lines()
            .find_map(|line| line.trim().strip_prefix(IDENTITY))
            .ok_or_else(|| bad(&format!("it has no line beginning {IDENTITY:?}")))?;
        let bytes = Zeroizing::new(from_base64(line).ok_or_else(|| bad("the key is not base64"))?);
        let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| bad("the key is not 32 bytes long (cut short?)"))?,
        );
        secret_file::check_private(path)?;
        Ok(Identity(StaticSecret::from(*bytes)))
    }
}

/// The payload key and the header key of one backup.
struct Keys {
    payload: Zeroizing<[u8; 32]>,
    header: Zeroizing<[u8; 32]>,
}

fn keys(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> Keys {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(recipient);
    let hkdf = Hkdf::<Sha256>::new(Some(&salt), shared);
    let mut keys = Keys {
        payload: Zeroizing::new([0; 32]),
        header: Zeroizing::new([0; 32]),
    };
    hkdf.expand(b"habeas backup v1 payload", keys.payload.as_mut())
        .expect("32 bytes is a valid HKDF-SHA-256 length");
    hkdf.expand(b"habeas backup v1 header", keys.header.as_mut())
        .expect("32 bytes is a valid HKDF-SHA-256 length");
    keys
}

fn header_mac(key: &[u8; 32]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length")
}

/// Encrypts what is written to it into `inner`; [`SealWriter::finish`] writes
/// the last chunk and must be called.
pub struct SealWriter<W: Write> {
    inner: W,
    encryptor: EncryptorBE32<XChaCha20Poly1305>,
    buffer: Zeroizing<Vec<u8>>,
}

impl<W: Write> SealWriter<W> {
    /// Writes the header for `recipient` to `inner`.
    pub fn new(mut inner: W, recipient: &Recipient) -> std::io::Result<Self> {
        let ephemeral = EphemeralSecret::random_from_rng(OsRng);
        let ephemeral_public = x25519_dalek::PublicKey::from(&ephemeral);
        let shared = ephemeral.diffie_hellman(&recipient.0);
        if !shared.was_contributory() {
            return Err(std::io::Error::other(
                "the recipient is a low-order point: no key can be agreed with it",
            ));
        }
        let keys = keys(
            shared.as_bytes(),
            ephemeral_public.as_bytes(),
            recipient.0.as_bytes(),
        );
        let mut prefix = [0u8; PREFIX];
        OsRng.fill_bytes(&mut prefix);
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(ephemeral_public.as_bytes());
        header.extend_from_slice(&prefix);
        let mut mac = header_mac(&keys.header);
        mac.update(&header);
        header.extend_from_slice(&mac.finalize().into_bytes());
        inner.write_all(&header)?;
        let aead = XChaCha20Poly1305::new(keys.payload.as_ref().into());
        Ok(SealWriter {
            inner,
            encryptor: EncryptorBE32::from_aead(aead, prefix.as_ref().into()),
            buffer: Zeroizing::new(Vec::with_capacity(CHUNK)),
        })
    }

    /// Writes the last chunk; returns the inner writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        let sealed = self
            .encryptor
            .encrypt_last(self.buffer.as_slice())
            .map_err(|_| std::io::Error::other("the last chunk could not be encrypted"))?;
        self.inner.write_all(&sealed)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, mut buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len();
        while !buf.is_empty() {
            // A full chunk is sealed only when more follows, so the last chunk
            // (sealed by `finish`) is never an empty one after a full one.
            if self.buffer.len() == CHUNK {
                let sealed = self
                    .encryptor
                    .encrypt_next(self.buffer.as_slice())
                    .map_err(|_| std::io::Error::other("the backup exceeds 2^32 chunks"))?;
                self.inner.write_all(&sealed)?;
                self.buffer.clear();
            }
            let take = buf.len().min(CHUNK - self.buffer.len());
            self.buffer.extend_from_slice(&buf[..take]);
            buf = &buf[take..];
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Decrypts a backup as it is read. A chunk that fails authentication is an
/// I/O error whose inner error is a [`SealError::BackupAltered`] (see
/// [`altered`]); nothing of that chunk is handed out.
pub struct OpenReader<R: Read> {
    inner: R,
    decryptor: Option<DecryptorBE32<XChaCha20Poly1305>>,
    pending: Vec<u8>,
    plain: Zeroizing<Vec<u8>>,
    at: usize,
    chunk: u64,
}

impl<R: Read> OpenReader<R> {
    /// Reads and checks the header with `identity`.
    pub fn new(mut inner: R, identity: &Identity) -> Result<Self, SealError> {
        let mut header = Vec::with_capacity(HEADER);
        (&mut inner)
            .take(HEADER as u64)
            .read_to_end(&mut header)
            .map_err(|err| SealError::NotABackup {
                reason: format!("cannot read its header: {err}"),
            })?;
        if !header.starts_with(MAGIC) {
            return Err(SealError::NotABackup {
                reason: format!(
                    "it does not begin with {:?}",
                    String::from_utf8_lossy(MAGIC)
                ),
            });
        }
        if header.len() < HEADER {
            return Err(SealError::NotABackup {
                reason: format!(
                    "its header is cut short ({} of {HEADER} bytes)",
                    header.len()
                ),
            });
        }
        let ephemeral: [u8; 32] = header[MAGIC.len()..MAGIC.len() + 32]
            .try_into()
            .expect("32 bytes");
        let prefix = &header[MAGIC.len() + 32..HEADER - MAC];
        let recipient = identity.recipient();
        let wrong = || SealError::WrongIdentity {
            recipient: recipient.to_string(),
        };
        let shared = identity
            .0
            .diffie_hellman(&x25519_dalek::PublicKey::from(ephemeral));
        if !shared.was_contributory() {
            return Err(wrong());
        }
        let keys = keys(shared.as_bytes(), &ephemeral, recipient.0.as_bytes());
        let mut mac = header_mac(&keys.header);
        mac.update(&header[..HEADER - MAC]);
        mac.verify_slice(&header[HEADER - MAC..])
            .map_err(|_| wrong())?;
        let aead = XChaCha20Poly1305::new(keys.payload.as_ref().into());
        Ok(OpenReader {
            inner,
            decryptor: Some(DecryptorBE32::from_aead(aead, prefix.into())),
            pending: Vec::with_capacity(CHUNK + TAG + 1),
            plain: Zeroizing::new(Vec::new()),
            at: 0,
            chunk: 0,
        })
    }

    /// Reads and opens the next chunk into `plain`.
    fn next_chunk(&mut self) -> std::io::Result<()> {
        let want = CHUNK + TAG + 1;
        let missing = want.saturating_sub(self.pending.len()) as u64;
        (&mut self.inner)
            .take(missing)
            .read_to_end(&mut self.pending)?;
        let last = self.pending.len() < want;
        let take = if last {
            self.pending.len()
        } else {
            CHUNK + TAG
        };
        let offset = HEADER as u64 + self.chunk * (CHUNK + TAG) as u64;
        let altered = || {
            std::io::Error::other(SealError::BackupAltered {
                chunk: self.chunk,
                offset,
                last,
            })
        };
        let sealed: Vec<u8> = self.pending.drain(..take).collect();
        let opened = if last {
            let decryptor = self.decryptor.take().ok_or_else(altered)?;
            decryptor.decrypt_last(sealed.as_slice())
        } else {
            let decryptor = self.decryptor.as_mut().ok_or_else(altered)?;
            decryptor.decrypt_next(sealed.as_slice())
        };
        self.plain = Zeroizing::new(opened.map_err(|_| altered())?);
        self.at = 0;
        self.chunk += 1;
        Ok(())
    }
}

impl<R: Read> Read for OpenReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.plain.len() {
            if self.decryptor.is_none() {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = buf.len().min(self.plain.len() - self.at);
        buf[..n].copy_from_slice(&self.plain[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The [`SealError`] inside an I/O error of an [`OpenReader`], if that is
/// what it is.
pub fn altered(err: &std::io::Error) -> Option<&SealError> {
    err.get_ref()
        .and_then(|inner| inner.downcast_ref::<SealError>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(plain: &[u8], recipient: &Recipient) -> Vec<u8> {
        let mut writer = SealWriter::new(Vec::new(), recipient).unwrap();
        writer.write_all(plain).unwrap();
        writer.finish().unwrap()
    }

    fn open(sealed: &[u8], identity: &Identity) -> Result<Vec<u8>, String> {
        let mut reader = OpenReader::new(sealed, identity).map_err(|err| err.to_string())?;
        let mut plain = Vec::new();
        reader
            .read_to_end(&mut plain)
            .map_err(|err| altered(&err).map_or_else(|| err.to_string(), |e| e.to_string()))?;
        Ok(plain)
    }

    #[test]
    fn backups_of_every_size_round_trip() {
        let identity = Identity::generate();
        for size in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17] {
            let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let sealed = seal(&plain, &identity.recipient());
            assert_eq!(
                sealed.len(),
                HEADER + plain.len() + TAG * size.div_ceil(CHUNK).max(1)
            );
            assert_eq!(open(&sealed, &identity).unwrap(), plain, "size {size}");
        }
    }

    #[test]
    fn each_way_a_backup_can_be_wrong_is_named() {
        let identity = Identity::generate();
        let plain: Vec<u8> = (0..2 * CHUNK + 100).map(|i| (i % 13) as u8).collect();
        let sealed = seal(&plain, &identity.recipient());
        let flip = |at: usize| {
            let mut bytes = sealed.clone();
            bytes[at] ^= 1;
            bytes
        };
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("magic", flip(0), "does not begin with"),
            ("ephemeral key", flip(MAGIC.len() + 3), "wrong identity"),
            ("nonce prefix", flip(MAGIC.len() + 40), "wrong identity"),
            ("mac", flip(HEADER - 1), "wrong identity"),
            ("first chunk", flip(HEADER + 5), "chunk 0 (at byte 107)"),
            ("last chunk", flip(sealed.len() - 1), "chunk 2"),
            (
                "cut at a chunk",
                sealed[..HEADER + 2 * (CHUNK + TAG)].to_vec(),
                "the file may be cut short",
            ),
            (
                "cut in the header",
                sealed[..50].to_vec(),
                "header is cut short",
            ),
            (
                "bytes appended",
                [sealed.clone(), vec![0; 20]].concat(),
                "chunk 2",
            ),
        ];
        for (name, bytes, expected) in cases {
            let message = open(&bytes, &identity).unwrap_err();
            assert!(message.contains(expected), "{name}: {message}");
        }
        let stranger = Identity::generate();
        let message = open(&sealed, &stranger).unwrap_err();
        assert!(message.contains("wrong identity"), "{message}");
    }

    #[test]
    fn identities_and_recipients_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backup.identity");
        let identity = Identity::generate();
        identity.write_new(&path).unwrap();
        let read = Identity::read(&path).unwrap();
        assert_eq!(read.recipient(), identity.recipient());
        let text = identity.recipient().to_string();
        assert_eq!(Recipient::parse(&text).unwrap(), identity.recipient());
        assert!(Recipient::parse("age1abc").is_err());
        assert!(!format!("{read:?}").contains(&base64(identity.0.as_bytes())));
    }
}
