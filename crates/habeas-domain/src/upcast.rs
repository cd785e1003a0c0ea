//! Upcasters: read stored payloads of older schema versions as the current one.
//!
//! Stored events are never rewritten (the hash chain covers their bytes), so
//! every old version stays readable forever. Each step lifts one version by
//! one; [`upcast`] chains them.

use serde_json::Value;

use crate::event::EVENT_TYPES;

/// A stored payload could not be brought to the current schema version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpcastError {
    /// The type name is not in the catalogue.
    #[error(
        "unknown event type {0:?}: this store was written by another program or a newer Habeas"
    )]
    UnknownType(String),
    /// The version is newer than this build knows.
    #[error(
        "{event_type} schema version {found} is newer than this build's {current}: upgrade Habeas"
    )]
    NewerVersion {
        /// The type name.
        event_type: String,
        /// The stored version.
        found: u32,
        /// The newest version this build knows.
        current: u32,
    },
    /// The payload is not shaped as its version says.
    #[error("{event_type} schema version {version} payload is malformed: {reason}")]
    Malformed {
        /// The type name.
        event_type: String,
        /// The stored version.
        version: u32,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Brings a stored payload to the current schema version of its type.
/// Returns the version reached (the current one) and the payload.
pub fn upcast(event_type: &str, version: u32, payload: Value) -> Result<(u32, Value), UpcastError> {
    let current = EVENT_TYPES
        .iter()
        .find(|(name, _)| *name == event_type)
        .map(|(_, version)| *version)
        .ok_or_else(|| UpcastError::UnknownType(event_type.to_owned()))?;
    if version > current {
        return Err(UpcastError::NewerVersion {
            event_type: event_type.to_owned(),
            found: version,
            current,
        });
    }
    let mut payload = payload;
    let mut version = version;
    while version < current {
        payload = step(event_type, version, payload)?;
        version += 1;
    }
    if event_type == "EventCorrected" {
        payload = lift_corrected(payload)?;
    }
    Ok((version, payload))
}

fn step(event_type: &str, version: u32, payload: Value) -> Result<Value, UpcastError> {
    match (event_type, version) {
        ("StatementIssued", 1) => statement_v1_to_v2(payload),
        _ => Ok(payload),
    }
}

/// A correction embeds the whole corrected event as `{type, payload}` in the
/// form current when the correction was written, without a version of its
/// own. Every step here recognises its old shape and leaves a current one
/// alone, so lifting the embedded payload through all of its type's steps is
/// safe whatever version it was written at.
fn lift_corrected(mut payload: Value) -> Result<Value, UpcastError> {
    let Some(corrected) = payload.get_mut("corrected") else {
        return Ok(payload);
    };
    let inner_type = corrected
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Some(inner) = corrected.get_mut("payload") {
        let (_, lifted) = upcast(&inner_type, 1, inner.take())?;
        *inner = lifted;
    }
    Ok(payload)
}

/// StatementIssued v1 → v2: the separate `url` joins the sources, first.
fn statement_v1_to_v2(mut payload: Value) -> Result<Value, UpcastError> {
    let malformed = |reason| UpcastError::Malformed {
        event_type: "StatementIssued".into(),
        version: 1,
        reason,
    };
    let object = payload.as_object_mut().ok_or(malformed("not an object"))?;
    let Some(url) = object.remove("url") else {
        return Ok(payload);
    };
    let url = url
        .as_str()
        .ok_or(malformed("url is not a string"))?
        .to_owned();
    let sources = object
        .entry("sources")
        .or_insert_with(|| Value::Array(Vec::new()))
        .as_array_mut()
        .ok_or(malformed("sources is not a list"))?;
    let already = sources
        .iter()
        .any(|source| source.get("url").and_then(Value::as_str) == Some(url.as_str()));
    if !already {
        sources.insert(0, serde_json::json!({ "url": url }));
    }
    Ok(payload)
}
