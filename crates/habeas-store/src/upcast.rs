//! Upcasting: reading old schema versions as the current ones, without rewriting them.

use serde_json::Value;

use crate::envelope::Envelope;
use crate::error::StoreError;

/// Turns a stored payload of an old schema version into the current one.
///
/// The store never rewrites stored bytes (the hash chain covers them); it calls the
/// upcaster on every envelope it returns from `read_stream`, `read_all` and subscriptions.
/// `verify` works on the stored form and never calls it.
pub trait Upcaster: Send + Sync {
    /// Returns the schema version and payload to present for a stored event, or why it
    /// cannot be read. Must bring the payload to the current version in one call; return
    /// the input unchanged for versions that are already current.
    fn upcast(
        &self,
        event_type: &str,
        schema_version: u32,
        payload: Value,
    ) -> Result<(u32, Value), String>;
}

/// Applies `upcaster` (if any) to a stored envelope.
pub fn upcast_envelope(
    upcaster: Option<&dyn Upcaster>,
    mut envelope: Envelope,
) -> Result<Envelope, StoreError> {
    let Some(upcaster) = upcaster else {
        return Ok(envelope);
    };
    let payload = std::mem::take(&mut envelope.payload);
    match upcaster.upcast(&envelope.event_type, envelope.schema_version, payload) {
        Ok((schema_version, payload)) => {
            envelope.schema_version = schema_version;
            envelope.payload = payload;
            Ok(envelope)
        }
        Err(reason) => Err(StoreError::Upcast {
            position: envelope.position,
            event_type: envelope.event_type,
            schema_version: envelope.schema_version,
            reason,
        }),
    }
}
