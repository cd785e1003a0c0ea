//! The audit of security events: sign-ins (and failed ones), requests
//! refused for want of a role, credentials refused, exports, reads of
//! restricted facts, account changes. Each is an event of the stream
//! [`SECURITY_STREAM`] in the log, so the hash chain covers it; admins list
//! them with `GET /api/v1/audit`.

use chrono::{DateTime, Utc};
use habeas::tracker::Tracker;
use habeas_store::{AppendMeta, ExpectedVersion, NewEvent, StoreError, StreamId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The stream of security events.
pub const SECURITY_STREAM: &str = "security";

/// The event type of every security event.
pub const EVENT_TYPE: &str = "SecurityEvent";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityKind {
    /// A sign-in succeeded.
    Login,
    /// A sign-in failed.
    LoginFailed,
    /// A sign-in was refused for too many failures.
    LoginThrottled,
    /// A signed-in user signed out.
    Logout,
    /// A bearer token or session cookie was refused.
    CredentialRefused,
    /// An authenticated request was refused for want of a role.
    Denied,
    /// A cross-site state-changing request was refused.
    CsrfRefused,
    /// The log was exported.
    Export,
    /// Restricted facts were sent to someone cleared to read them.
    RestrictedRead,
    /// An account or token was changed.
    AccountChanged,
}

/// One security event: who, from where, what, with which outcome (when is
/// the envelope's `recorded_at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEvent {
    /// What happened.
    pub kind: SecurityKind,
    /// The account (or the name tried), if any.
    pub account: Option<String>,
    /// The client's address, if known.
    pub address: Option<String>,
    /// The request or object, e.g. `GET /api/v1/export`.
    pub what: String,
    /// `ok`, `refused`, or why.
    pub outcome: String,
}

/// A security event as listed, with when it was recorded.
#[derive(Debug, Clone, Serialize)]
pub struct ListedEvent {
    /// Its position in the log.
    pub position: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// The rest.
    #[serde(flatten)]
    pub event: SecurityEvent,
}

fn stream() -> StreamId {
    StreamId::new(SECURITY_STREAM).expect("a valid stream name")
}

/// Appends a security event. A failure is logged, not returned: the request
/// it describes goes on (a full disk also stops case writes, which say so).
pub async fn record(tracker: &Tracker, event: SecurityEvent) {
    let by = event
        .account
        .clone()
        .unwrap_or_else(|| "anonymous".to_owned());
    let new = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: EVENT_TYPE.to_owned(),
        schema_version: 1,
        payload: serde_json::to_value(&event).expect("security events serialize"),
    };
    let appended = tracker
        .store()
        .append(
            &stream(),
            ExpectedVersion::Any,
            vec![new],
            AppendMeta {
                recorded_by: by,
                command_id: None,
            },
        )
        .await;
    if let Err(err) = appended {
        tracing::error!(%err, ?event, "cannot record a security event");
    }
}

/// The security events from `offset` (0 is the first), at most `limit`, and
/// how many there are.
pub async fn list(
    tracker: &Tracker,
    offset: u64,
    limit: usize,
) -> Result<(Vec<ListedEvent>, u64), StoreError> {
    let envelopes = tracker.store().read_stream(&stream(), offset + 1).await?;
    let total = offset + envelopes.len() as u64;
    let items = envelopes
        .into_iter()
        .take(limit)
        .filter_map(|envelope| {
            let event = serde_json::from_value(envelope.payload).ok()?;
            Some(ListedEvent {
                position: envelope.position,
                at: envelope.recorded_at,
                event,
            })
        })
        .collect();
    Ok((items, total))
}
