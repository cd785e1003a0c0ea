//! Uploads checked on the import page and waiting for confirmation.
//!
//! A browser cannot send a file again without the user choosing it again,
//! so the server holds what was checked: one upload per account, with its
//! digest, the moment its dry run was decided at, and the dry run's report.
//! The confirmation names the digest; an upload that is not held (expired,
//! replaced by a later check, held for another account) or whose digest
//! differs is refused, never imported unseen. Memory is bounded by the
//! number of accounts times the import limit, and uploads expire after
//! [`HOLD`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use habeas_import::report::Report;
use uuid::Uuid;

use crate::error::AppError;
use crate::upload::Upload;

/// How long a checked upload waits for its confirmation.
pub const HOLD: Duration = Duration::from_secs(3600);

/// A checked upload.
#[derive(Debug, Clone)]
pub struct Pending {
    /// What was uploaded.
    pub upload: Upload,
    /// When its commands are issued: the dry run's moment, kept for the
    /// import so that both decide against the same day.
    pub at: DateTime<Utc>,
    /// What the dry run found.
    pub preview: Report,
}

/// The uploads waiting, one per account.
#[derive(Debug, Default)]
pub struct PendingImports {
    held: Mutex<HashMap<Uuid, (Instant, Pending)>>,
}

impl PendingImports {
    /// Holds `pending` for `account`, replacing what it held.
    pub fn hold(&self, account: Uuid, pending: Pending) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|_, (since, _)| since.elapsed() < HOLD);
        held.insert(account, (Instant::now(), pending));
    }

    /// Takes the upload `account` checked, if its digest is `digest`.
    pub fn take(&self, account: Uuid, digest: &str) -> Result<Pending, AppError> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let (since, pending) = held.remove(&account).ok_or_else(|| AppError::Conflict {
            message: "no checked file is waiting for confirmation (it expired, or the server restarted): choose the file and check it again".to_owned(),
            events: vec![],
        })?;
        if since.elapsed() >= HOLD {
            return Err(AppError::Conflict {
                message: "the checked file waited too long: choose it and check it again"
                    .to_owned(),
                events: vec![],
            });
        }
        let checked = pending.upload.digest();
        if checked != digest {
            let message = format!(
                "the file to confirm (digest {digest:?}) is not the file checked last (digest {checked}): check it again before importing"
            );
            held.insert(account, (since, pending));
            return Err(AppError::Conflict {
                message,
                events: vec![],
            });
        }
        Ok(pending)
    }
}
