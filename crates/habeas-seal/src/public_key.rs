//! The organisation's public key as others see it: a PEM `PUBLIC KEY` block
//! (RFC 8410 SubjectPublicKeyInfo, what `openssl pkey -pubin` and
//! `openssl pkeyutl -verify` read) and a fingerprint that anyone can compute
//! with standard tools:
//! `openssl pkey -pubin -in org.pem -outform DER | sha256sum`.

use ed25519_dalek::VerifyingKey;
use sha2::{Digest as _, Sha256};

use crate::encoding::{base64, from_base64, hex};
use crate::error::SealError;

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4): a sequence
/// of the algorithm id 1.3.101.112 and a bit string of the 32 key bytes. Every
/// Ed25519 public key in this form is these 12 bytes then the key, so no DER
/// library is needed.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// An Ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub(crate) fn new(key: VerifyingKey) -> Self {
        PublicKey(key)
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.0
    }

    /// The SubjectPublicKeyInfo DER (44 bytes).
    pub fn to_der(&self) -> Vec<u8> {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(self.0.as_bytes());
        der
    }

    /// The base64 of [`Self::to_der`]: one line, the body of the PEM block.
    pub fn to_base64(&self) -> String {
        base64(&self.to_der())
    }

    /// The PEM block, for a website or a file a recipient passes to openssl.
    pub fn to_pem(&self) -> String {
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            self.to_base64()
        )
    }

    /// `sha256:` and the hex SHA-256 of [`Self::to_der`].
    pub fn fingerprint(&self) -> String {
        format!("sha256:{}", hex(&Sha256::digest(self.to_der())))
    }

    /// Reads a PEM block or its base64 body (whitespace and line breaks
    /// ignored).
    pub fn parse(text: &str) -> Result<Self, SealError> {
        let body: String = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.starts_with("-----") && !line.is_empty())
            .collect();
        if text.contains("-----BEGIN") && !text.contains("-----BEGIN PUBLIC KEY-----") {
            return Err(not_a_key("the PEM block is not a PUBLIC KEY"));
        }
        let der = from_base64(&body).ok_or_else(|| not_a_key("not base64"))?;
        let Some(key) = der.strip_prefix(&SPKI_PREFIX) else {
            return Err(not_a_key(
                "not an Ed25519 SubjectPublicKeyInfo (another algorithm, or cut short)",
            ));
        };
        let bytes: [u8; 32] = key
            .try_into()
            .map_err(|_| not_a_key("the key is not 32 bytes long"))?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| not_a_key("the 32 bytes are not a point of the curve"))
    }
}

fn not_a_key(reason: &str) -> SealError {
    SealError::NotAPublicKey {
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PublicKey {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        PublicKey(signing.verifying_key())
    }

    #[test]
    fn the_pem_and_its_base64_read_back_as_the_same_key() {
        let key = key();
        assert_eq!(PublicKey::parse(&key.to_pem()).unwrap(), key);
        assert_eq!(PublicKey::parse(&key.to_base64()).unwrap(), key);
        assert!(
            key.to_pem()
                .starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA")
        );
        assert_eq!(key.fingerprint().len(), "sha256:".len() + 64);
    }

    #[test]
    fn texts_that_are_not_an_ed25519_key_are_refused_naming_why() {
        let key = key().to_base64();
        let cases = [
            ("not base64 !!", "not base64"),
            (&key[..40], "not an Ed25519"),
            (
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
                "not a PUBLIC KEY",
            ),
            (
                "MCowBQYDK2VxAyEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "not an Ed25519",
            ),
        ];
        for (text, expected) in cases {
            let message = PublicKey::parse(text).unwrap_err().to_string();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }
}
