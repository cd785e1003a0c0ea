//! Reading the store's envelopes as domain events: decoded envelopes
//! ([`recorded`]), or stored ones read straight from their JSON
//! ([`decode_stored`], the replay's path).
//!
//! The store hands out upcast envelopes when it was opened with the domain's
//! upcaster; [`recorded`] upcasts again regardless (a no-op for current
//! versions), so the projections read correctly from a store opened without it.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use habeas_domain::event::{EVENT_TYPES, Event};
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{CommandId, EventId};
use habeas_store::{Envelope, StoredBytes, StoredEnvelope};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::apply::{ProjectedEvent, Subject};
use crate::error::ProjectionError;

/// The domain's view of an envelope.
pub fn recorded(envelope: &Envelope) -> Result<RecordedEvent, ProjectionError> {
    into_recorded(envelope.clone())
}

/// The domain's view of an envelope, taking it by value so that its payload
/// is moved rather than copied (the projector's hot path).
pub(crate) fn into_recorded(envelope: Envelope) -> Result<RecordedEvent, ProjectionError> {
    let unreadable = |reason: String| ProjectionError::Unreadable {
        position: envelope.position,
        reason,
    };
    let (schema_version, payload) = habeas_domain::upcast::upcast(
        &envelope.event_type,
        envelope.schema_version,
        envelope.payload,
    )
    .map_err(|error| unreadable(error.to_string()))?;
    let event = Event::from_payload(&envelope.event_type, schema_version, payload)
        .map_err(|error| unreadable(error.to_string()))?;
    Ok(RecordedEvent {
        id: EventId::from_uuid(envelope.event_id),
        recorded_at: envelope.recorded_at,
        command_id: envelope.command_id.map(CommandId::from_uuid),
        event,
    })
}

/// What the projector reads of one stored envelope: its position and hash,
/// and its event when its stream is one the projections read.
pub(crate) struct DecodedStored {
    pub(crate) position: u64,
    pub(crate) hash: String,
    pub(crate) event: Option<ProjectedEvent>,
}

/// A recorded event whose payload may still be JSON text: the reading task
/// leaves the payload to the worker, which has the time for it.
#[derive(Debug)]
pub(crate) enum Recorded {
    Decoded(RecordedEvent),
    Pending {
        id: EventId,
        recorded_at: DateTime<Utc>,
        command_id: Option<CommandId>,
        payload: PendingPayload,
    },
}

/// A payload of the current schema version, as the stored bytes hold it.
#[derive(Debug)]
pub(crate) struct PendingPayload {
    position: u64,
    event_type: &'static str,
    schema_version: u32,
    json: StoredBytes,
    range: std::ops::Range<usize>,
}

impl Recorded {
    /// The domain's view, decoding the payload if it is still text.
    pub(crate) fn decode(self) -> Result<RecordedEvent, ProjectionError> {
        match self {
            Recorded::Decoded(recorded) => Ok(recorded),
            Recorded::Pending {
                id,
                recorded_at,
                command_id,
                payload,
            } => {
                let bytes = payload.json.get(payload.range.clone()).unwrap_or_default();
                let event =
                    Event::from_payload_json(payload.event_type, payload.schema_version, bytes)
                        .map_err(|error| ProjectionError::Unreadable {
                            position: payload.position,
                            reason: error.to_string(),
                        })?;
                Ok(RecordedEvent {
                    id,
                    recorded_at,
                    command_id,
                    event,
                })
            }
        }
    }
}

/// Decodes a stored envelope for the projector: the envelope's fields
/// straight from its JSON; for projected streams the payload is left as text
/// for the worker to read straight into the domain's event type. Payloads of
/// an older schema version, and corrections (whose corrected event may be
/// older), are read here through the domain's upcaster as [`recorded`] does;
/// the result is the same (the projections' tests replay one log both ways).
pub(crate) fn decode_stored(stored: StoredEnvelope) -> Result<DecodedStored, ProjectionError> {
    /// The fields the projector reads; the rest (`prev_hash`,
    /// `recorded_by`) is skipped without being kept.
    #[derive(Deserialize)]
    struct Fields<'a> {
        position: u64,
        event_id: Uuid,
        #[serde(borrow)]
        stream: Cow<'a, str>,
        version: u64,
        #[serde(borrow)]
        event_type: Cow<'a, str>,
        schema_version: u32,
        recorded_at: DateTime<Utc>,
        command_id: Option<Uuid>,
        #[serde(borrow)]
        hash: Cow<'a, str>,
        #[serde(borrow)]
        payload: &'a RawValue,
    }
    let unreadable = |reason: String| ProjectionError::Unreadable {
        position: stored.position,
        reason,
    };
    let fields: Fields<'_> = serde_json::from_slice(&stored.json)
        .map_err(|error| unreadable(format!("cannot decode the stored envelope: {error}")))?;
    let position = fields.position;
    let hash = fields.hash.into_owned();
    let Some(subject) = Subject::of_stream(&fields.stream) else {
        return Ok(DecodedStored {
            position,
            hash,
            event: None,
        });
    };
    let (id, recorded_at, command_id) = (
        EventId::from_uuid(fields.event_id),
        fields.recorded_at,
        fields.command_id.map(CommandId::from_uuid),
    );
    let version = fields.version;
    let current = EVENT_TYPES
        .iter()
        .find(|(name, _)| *name == fields.event_type)
        .filter(|(name, current)| *current == fields.schema_version && *name != "EventCorrected");
    let recorded = if let Some((event_type, schema_version)) = current {
        let text = fields.payload.get();
        let start = text.as_ptr() as usize - stored.json.as_ptr() as usize;
        let range = start..start + text.len();
        Recorded::Pending {
            id,
            recorded_at,
            command_id,
            payload: PendingPayload {
                position,
                event_type,
                schema_version: *schema_version,
                json: stored.json.clone(),
                range,
            },
        }
    } else {
        let payload: Value = serde_json::from_str(fields.payload.get())
            .map_err(|error| unreadable(error.to_string()))?;
        let (schema_version, payload) =
            habeas_domain::upcast::upcast(&fields.event_type, fields.schema_version, payload)
                .map_err(|error| unreadable(error.to_string()))?;
        let event = Event::from_payload(&fields.event_type, schema_version, payload)
            .map_err(|error| unreadable(error.to_string()))?;
        Recorded::Decoded(RecordedEvent {
            id,
            recorded_at,
            command_id,
            event,
        })
    };
    Ok(DecodedStored {
        position,
        hash,
        event: Some(ProjectedEvent {
            subject,
            position,
            version,
            recorded,
        }),
    })
}
