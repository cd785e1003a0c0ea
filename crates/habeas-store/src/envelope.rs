//! The stored form of one event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::StoreError;
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

/// An envelope as the store keeps it: its JSON, neither decoded nor upcast.
///
/// Returned by [`crate::EventStore::read_all_stored`] for readers that decode
/// only what they need: decoding a payload into a `serde_json::Value` before
/// the reader's own types costs as much again as the reading (the projections'
/// rebuild reads the whole log this way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEnvelope {
    /// The global position the store keeps it at.
    pub position: u64,
    /// The envelope's JSON, as [`Envelope`] reads it (stored schema version).
    pub json: StoredBytes,
}

/// The bytes of a stored envelope, cheap to clone. Where the backend keeps
/// them in a shared buffer of its own (sled's `IVec`) they are that buffer,
/// so reading the whole log copies none of them (740 MB for a million events).
#[derive(Clone)]
pub struct StoredBytes(Bytes);

#[derive(Clone)]
enum Bytes {
    Owned(std::sync::Arc<[u8]>),
    Shared(std::sync::Arc<dyn AsRef<[u8]> + Send + Sync>),
}

impl StoredBytes {
    /// Bytes kept in a backend's own reference-counted buffer, shared rather than
    /// copied: the price is one small allocation for the handle, not a copy of the
    /// envelope.
    pub fn shared(owner: impl AsRef<[u8]> + Send + Sync + 'static) -> StoredBytes {
        StoredBytes(Bytes::Shared(std::sync::Arc::new(owner)))
    }
}

impl From<Vec<u8>> for StoredBytes {
    fn from(bytes: Vec<u8>) -> StoredBytes {
        StoredBytes(Bytes::Owned(bytes.into()))
    }
}

impl std::ops::Deref for StoredBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            Bytes::Owned(bytes) => bytes,
            Bytes::Shared(owner) => (**owner).as_ref(),
        }
    }
}

impl PartialEq for StoredBytes {
    fn eq(&self, other: &StoredBytes) -> bool {
        **self == **other
    }
}

impl Eq for StoredBytes {}

impl std::fmt::Debug for StoredBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

impl StoredEnvelope {
    /// The stored form of an envelope kept decoded (stores that do not keep
    /// JSON encode it).
    pub fn encode(envelope: &Envelope) -> Result<StoredEnvelope, StoreError> {
        let json = serde_json::to_vec(envelope).map_err(|error| StoreError::Corrupt {
            position: envelope.position,
            reason: format!("cannot encode the envelope: {error}"),
        })?;
        Ok(StoredEnvelope {
            position: envelope.position,
            json: json.into(),
        })
    }

    /// The envelope, decoded (not upcast).
    pub fn decode(&self) -> Result<Envelope, StoreError> {
        let envelope: Envelope =
            serde_json::from_slice(&self.json).map_err(|error| StoreError::Corrupt {
                position: self.position,
                reason: format!("cannot decode the stored envelope: {error}"),
            })?;
        if envelope.position != self.position {
            return Err(StoreError::Corrupt {
                position: self.position,
                reason: format!("the envelope says position {}", envelope.position),
            });
        }
        Ok(envelope)
    }
}
