//! The accounts' secrets: password hashes (Argon2id), token hashes (SHA-256
//! of a 256-bit random secret), TOTP secrets and the key that signs session
//! cookies, and their file form. Beside a data directory's store they live in
//! its secrets file, readable by its owner only (0600); a PostgreSQL store
//! keeps them in a table of its own (`secret_store.rs`). Never in the log or
//! an export.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The file's name in the data directory.
pub const SECRETS_FILE: &str = "secrets.json";

/// Why the secrets file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// Reading or writing it failed.
    #[error("cannot use the secrets file {}: {source}; check its permissions (it must be readable by the server's user only)", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The database holding them (a PostgreSQL store) failed.
    #[error("cannot use the accounts' secrets in {store}: {source}")]
    Database {
        /// The database, without its password.
        store: String,
        /// The error.
        source: habeas_store::StoreError,
    },
    /// It does not parse.
    #[error("the secrets file {} is damaged ({detail}): restore it from a backup, or move it away and add the accounts' passwords again", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        detail: String,
    },
}

/// What the file holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    /// Hex key signing session cookies (HMAC-SHA-256).
    pub session_key: String,
    /// PHC strings of Argon2id hashes, by account id.
    pub passwords: BTreeMap<Uuid, String>,
    /// Hex SHA-256 of each token's secret, by token id.
    pub tokens: BTreeMap<Uuid, String>,
    /// Base32 TOTP secrets, by account id.
    #[serde(default)]
    pub totp: BTreeMap<Uuid, String>,
    /// The last TOTP step each account signed in with, so that a code works
    /// once, even after a restart. Kept here only for a data directory; a
    /// PostgreSQL store keeps it in its secrets table, where every server
    /// sharing the database checks and moves it atomically
    /// (`Accounts::check_second_factor`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub totp_steps: BTreeMap<Uuid, u64>,
}

/// 32 random bytes from the operating system, as hex.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex SHA-256 of a text.
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// Argon2id with OWASP's first recommended parameters: 19 MiB of memory,
/// two passes, one lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of a new password's hash. Slow by design: call it off the
/// async runtime (`spawn_blocking`).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id hashes any password")
        .to_string()
}

/// Whether `password` matches a stored PHC string. Slow by design.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|hash| argon2().verify_password(password.as_bytes(), &hash).is_ok())
        .unwrap_or(false)
}

/// A password too weak to accept, and why.
pub fn password_problem(password: &str) -> Option<&'static str> {
    if password.chars().count() < 12 {
        Some("is shorter than 12 characters: use a passphrase of several words")
    } else if password.len() > 1024 {
        Some("is longer than 1024 bytes")
    } else {
        None
    }
}

impl Secrets {
    /// Reads the file in `dir`, or makes new secrets (a fresh session key)
    /// when there is none yet.
    pub fn load(dir: &Path) -> Result<Secrets, SecretsError> {
        let path = dir.join(SECRETS_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| SecretsError::Damaged {
                path,
                detail: err.to_string(),
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Secrets {
                session_key: random_hex(),
                ..Secrets::default()
            }),
            Err(source) => Err(SecretsError::Io { path, source }),
        }
    }

    /// Writes the file in `dir` whole: a temporary file (mode 0600), synced,
    /// renamed over the old one, so a crash leaves the old or the new file.
    pub fn save(&self, dir: &Path) -> Result<(), SecretsError> {
        let path = dir.join(SECRETS_FILE);
        let temporary = dir.join(format!("{SECRETS_FILE}.tmp"));
        let io = |source| SecretsError::Io {
            path: path.clone(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&temporary).map_err(io)?;
        let json = serde_json::to_vec_pretty(self).expect("secrets serialize");
        file.write_all(&json).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&temporary, &path).map_err(io)?;
        Ok(())
    }
}
