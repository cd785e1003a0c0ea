//! Reading an event as the log stores it: the one way every reader of the
//! log (the facade, the read models, the benchmarks) turns a stored event
//! into the domain's [`RecordedEvent`].
//!
//! The store knows nothing of the domain: it keeps a type name, a schema
//! version and a JSON payload. Reading one is upcasting the payload to the
//! current schema version (a no-op when it is current; see [`crate::upcast`])
//! and decoding it as the type it names. Keeping that here, once, means no
//! two readers can read one stored event two ways.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::event::{DecodeError, Event};
use crate::history::RecordedEvent;
use crate::id::{CommandId, EventId};
use crate::upcast::{UpcastError, upcast};

/// The parts of a stored event the domain reads (the store's envelope holds
/// them, with positions and hashes the domain does not need).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent<'a> {
    /// The event's id.
    pub id: EventId,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The command that recorded it, when one was given.
    pub command_id: Option<CommandId>,
    /// The stored type name.
    pub event_type: &'a str,
    /// The schema version the payload was written in.
    pub schema_version: u32,
    /// The payload as stored.
    pub payload: Value,
}

/// A stored event the domain cannot read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Its type or schema version is unknown, or an old payload is malformed.
    #[error(transparent)]
    Upcast(#[from] UpcastError),
    /// The payload does not hold the event its type names.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

impl StoredEvent<'_> {
    /// The domain's view of the stored event: upcast, then decoded.
    pub fn into_recorded(self) -> Result<RecordedEvent, ReadError> {
        let (schema_version, payload) = upcast(self.event_type, self.schema_version, self.payload)?;
        let event = Event::from_payload(self.event_type, schema_version, payload)?;
        Ok(RecordedEvent {
            id: self.id,
            recorded_at: self.recorded_at,
            command_id: self.command_id,
            event,
        })
    }
}
