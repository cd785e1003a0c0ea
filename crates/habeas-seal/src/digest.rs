//! What a signature pins of a file: the SHA-256 of every byte, and how many
//! bytes and lines (`\n`) it holds. The counts add nothing to the proof (the
//! hash alone does that); they let a failed check say *how* the file changed:
//! a line removed, bytes added, or bytes changed in place.

use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::encoding::hex;
use crate::error::SealError;

/// The digest of a file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    /// SHA-256 of every byte.
    pub sha256: [u8; 32],
    /// Number of bytes.
    pub bytes: u64,
    /// Number of line feeds.
    pub lines: u64,
}

impl Digest {
    /// The SHA-256 in lowercase hex, as `sha256sum` prints it.
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }

    /// The digest of everything `reader` yields.
    pub fn of_reader(mut reader: impl Read) -> std::io::Result<Digest> {
        let mut digester = Digester::default();
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let n = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            digester.update(&buffer[..n]);
        }
        Ok(digester.finish())
    }

    /// The digest of the file at `path`.
    pub fn of_file(path: &Path) -> Result<Digest, SealError> {
        let file = std::fs::File::open(path).map_err(|source| SealError::Read {
            path: path.to_owned(),
            source,
        })?;
        Digest::of_reader(file).map_err(|source| SealError::Read {
            path: path.to_owned(),
            source,
        })
    }
}

/// A running digest.
#[derive(Default)]
struct Digester {
    hasher: Sha256,
    bytes: u64,
    lines: u64,
}

impl Digester {
    fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
        self.lines += bytes.iter().filter(|&&byte| byte == b'\n').count() as u64;
    }

    fn finish(self) -> Digest {
        Digest {
            sha256: self.hasher.finalize().into(),
            bytes: self.bytes,
            lines: self.lines,
        }
    }
}

/// A writer that digests what passes through it, so a file is signed as it is
/// written, without reading it back.
pub struct DigestWriter<W> {
    inner: W,
    digester: Digester,
}

impl<W: Write> DigestWriter<W> {
    /// Digests what is written to `inner`.
    pub fn new(inner: W) -> Self {
        DigestWriter {
            inner,
            digester: Digester::default(),
        }
    }

    /// The digest of everything written, and the inner writer.
    pub fn finish(self) -> (Digest, W) {
        (self.digester.finish(), self.inner)
    }
}

impl<W: Write> Write for DigestWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.digester.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_and_reading_give_the_same_digest() {
        let text = b"one\ntwo\nthree\n";
        let mut writer = DigestWriter::new(Vec::new());
        writer.write_all(&text[..5]).unwrap();
        writer.write_all(&text[5..]).unwrap();
        let (written, bytes) = writer.finish();
        assert_eq!(bytes, text);
        assert_eq!(written, Digest::of_reader(&text[..]).unwrap());
        assert_eq!((written.bytes, written.lines), (14, 3));
        // sha256sum of the same bytes.
        assert_eq!(
            Digest::of_reader(&b""[..]).unwrap().sha256_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
