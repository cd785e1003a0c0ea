//! Reading the store's envelopes as domain events, and the compact form of a
//! stream's history that the projection database keeps.
//!
//! The store hands out upcast envelopes when it was opened with the domain's
//! upcaster; [`recorded`] upcasts again regardless (a no-op for current
//! versions), so the projections read correctly from a store opened without it.

use chrono::{DateTime, Utc};
use habeas_domain::event::Event;
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{CommandId, EventId};
use habeas_store::Envelope;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// One event of a stream as the projection database keeps it: what status
/// derivation reads, without sources and notes (the log keeps those).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CompactEvent {
    /// Global position.
    pub(crate) position: u64,
    /// The event id.
    pub(crate) id: Uuid,
    /// Transaction time.
    pub(crate) recorded_at: DateTime<Utc>,
    /// The event, sources and notes removed.
    pub(crate) event: Event,
}

impl CompactEvent {
    /// The compact form of a recorded event at `position`.
    pub(crate) fn new(position: u64, recorded: &RecordedEvent) -> CompactEvent {
        let mut event = recorded.event.clone();
        strip(&mut event);
        CompactEvent {
            position,
            id: *recorded.id.as_uuid(),
            recorded_at: recorded.recorded_at,
            event,
        }
    }

    /// Back to the domain's form, by value.
    pub(crate) fn into_recorded(self) -> (u64, RecordedEvent) {
        (
            self.position,
            RecordedEvent {
                id: EventId::from_uuid(self.id),
                recorded_at: self.recorded_at,
                command_id: None,
                event: self.event,
            },
        )
    }

    /// Back to the domain's form (command ids are not kept: status ignores them).
    pub(crate) fn to_recorded(&self) -> RecordedEvent {
        RecordedEvent {
            id: EventId::from_uuid(self.id),
            recorded_at: self.recorded_at,
            command_id: None,
            event: self.event.clone(),
        }
    }
}

/// The compact form of a recorded event, in place: sources, notes and the
/// command id removed.
pub(crate) fn compact_in_place(recorded: &mut RecordedEvent) {
    recorded.command_id = None;
    strip(&mut recorded.event);
}

/// The stored form of a compact history kept as domain events with their
/// positions; the same JSON as a list of [`CompactEvent`].
pub(crate) fn encode_history(
    positions: &[u64],
    history: &[RecordedEvent],
) -> Result<Vec<u8>, ProjectionError> {
    #[derive(Serialize)]
    struct View<'a> {
        position: u64,
        id: &'a Uuid,
        recorded_at: &'a DateTime<Utc>,
        event: &'a Event,
    }
    let views: Vec<View<'_>> = positions
        .iter()
        .zip(history)
        .map(|(position, recorded)| View {
            position: *position,
            id: recorded.id.as_uuid(),
            recorded_at: &recorded.recorded_at,
            event: &recorded.event,
        })
        .collect();
    serde_json::to_vec(&views).map_err(|source| ProjectionError::Encode {
        what: "a compact history",
        source,
    })
}

/// Removes what status derivation never reads.
fn strip(event: &mut Event) {
    if let Some(facts) = event.facts_mut() {
        facts.sources = Vec::new();
        facts.note = None;
    }
    match event {
        Event::PersonRegistered(registration) => registration.sources = Vec::new(),
        Event::PersonDetailsChanged(change) => change.sources = Vec::new(),
        Event::EventCorrected(correction) => strip(&mut correction.corrected),
        _ => {}
    }
}
