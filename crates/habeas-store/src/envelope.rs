//! The stored form of one event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::stream_id::StreamId;

/// One stored event with everything the store knows about it.
///
/// This is the stored form (one JSON object per event, fields in this order) and the
/// export line format. The hash chain covers every field except `hash` itself; see
/// [`crate::envelope_hash`].
///
/// Envelopes returned by reads are upcast: their `schema_version` and `payload` may be
/// newer than the stored ones, while `prev_hash` and `hash` stay those of the stored form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Global position: gapless, the first event of the store is 1.
    pub position: u64,
    /// Unique id chosen by the writer of the event.
    pub event_id: Uuid,
    /// The stream the event belongs to.
    pub stream: StreamId,
    /// Version within the stream: gapless, the first event of a stream is 1.
    pub version: u64,
    /// Past-tense event type name, e.g. `Detained`.
    pub event_type: String,
    /// Schema version of `payload`.
    pub schema_version: u32,
    /// Commit time, set by the store (microsecond precision).
    pub recorded_at: DateTime<Utc>,
    /// Who entered the event.
    pub recorded_by: String,
    /// Id of the command that produced the event, for idempotent retries.
    pub command_id: Option<Uuid>,
    /// Hash of the previous event (hex SHA-256); [`crate::GENESIS_HASH`] for position 1.
    pub prev_hash: String,
    /// Hex SHA-256 of `prev_hash` followed by the canonical bytes of this envelope.
    pub hash: String,
    /// The event body.
    pub payload: Value,
}
