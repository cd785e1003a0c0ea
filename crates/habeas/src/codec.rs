//! Between the store's envelopes and the domain's recorded events.

use std::sync::Arc;

use habeas_domain::event::Event;
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{CommandId, EventId};
use habeas_domain::stored::StoredEvent;
use habeas_store::{Envelope, NewEvent, Upcaster};
use serde_json::Value;
use uuid::Uuid;

use crate::error::TrackerError;

/// The domain's upcasters, as the store calls them on every read.
#[derive(Debug, Clone, Copy, Default)]
pub struct DomainUpcaster;

impl Upcaster for DomainUpcaster {
    fn upcast(
        &self,
        event_type: &str,
        schema_version: u32,
        payload: Value,
    ) -> Result<(u32, Value), String> {
        // Envelopes that are not domain events (none are written today) pass through.
        if !habeas_domain::event::EVENT_TYPES
            .iter()
            .any(|(name, _)| *name == event_type)
        {
            return Ok((schema_version, payload));
        }
        habeas_domain::upcast::upcast(event_type, schema_version, payload)
            .map_err(|err| err.to_string())
    }
}

/// The upcaster to hand to a store.
pub fn upcaster() -> Arc<dyn Upcaster> {
    Arc::new(DomainUpcaster)
}

/// The domain's view of an envelope (the domain's one reader of stored
/// events, [`StoredEvent`], which also upcasts what a store opened without
/// the upcaster hands out).
pub fn recorded(envelope: &Envelope) -> Result<RecordedEvent, TrackerError> {
    StoredEvent {
        id: EventId::from_uuid(envelope.event_id),
        recorded_at: envelope.recorded_at,
        command_id: envelope.command_id.map(CommandId::from_uuid),
        event_type: &envelope.event_type,
        schema_version: envelope.schema_version,
        payload: envelope.payload.clone(),
    }
    .into_recorded()
    .map_err(|err| TrackerError::Unreadable {
        position: envelope.position,
        reason: err.to_string(),
    })
}

/// An event ready to append, with a fresh v7 id.
pub fn new_event(event: &Event) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: event.event_type().to_owned(),
        schema_version: event.schema_version(),
        payload: event.to_payload(),
    }
}
