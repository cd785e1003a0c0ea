//! Reading the store's envelopes as domain events.
//!
//! The store hands out upcast envelopes when it was opened with the domain's
//! upcaster; [`recorded`] upcasts again regardless (a no-op for current
//! versions), so the projections read correctly from a store opened without it.

use habeas_domain::event::Event;
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{CommandId, EventId};
use habeas_store::Envelope;

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
