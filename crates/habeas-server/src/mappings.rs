//! Saved column mappings: the TOML mappings of `habeas-import` an editor
//! uploaded once and chose again by name on later imports. Each save is an
//! event of the stream [`MAPPINGS_STREAM`] in the log (like accounts and
//! security events), so a mapping survives restarts, works on every backend,
//! and the hash chain says who saved which version; the latest save of a
//! name wins. Only mappings that read ([`Mapping::from_toml`]) are saved.

use std::collections::BTreeMap;

use habeas::tracker::Tracker;
use habeas_import::mapping::Mapping;
use habeas_store::{AppendMeta, ExpectedVersion, NewEvent, StreamId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// The stream of saved mappings.
pub const MAPPINGS_STREAM: &str = "mappings";

/// The event type of a save.
pub const EVENT_TYPE: &str = "MappingSaved";

/// The longest name of a saved mapping, in characters.
pub const MAX_NAME: usize = 60;

/// One save: a name and the mapping's text, as uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingSaved {
    /// The name it is chosen by.
    pub name: String,
    /// The TOML text.
    pub toml: String,
}

fn stream() -> StreamId {
    StreamId::new(MAPPINGS_STREAM).expect("a valid stream name")
}

/// Whether `name` may name a saved mapping: 1 to [`MAX_NAME`] letters,
/// digits, spaces, `-`, `_` or `.`, not only spaces.
pub fn valid_name(name: &str) -> bool {
    let n_chars = name.chars().count();
    (1..=MAX_NAME).contains(&n_chars)
        && !name.trim().is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
}

/// Saves `toml` under `name`, after checking that both can be used.
pub async fn save(tracker: &Tracker, name: &str, toml: &str, by: &str) -> Result<(), AppError> {
    if !valid_name(name) {
        return Err(AppError::bad_input(
            "mapping_name",
            format!(
                "{name:?} cannot name a mapping: use 1 to {MAX_NAME} letters, digits, spaces, '-', '_' or '.'"
            ),
        ));
    }
    Mapping::from_toml(toml).map_err(|err| AppError::bad_input("mapping", err.to_string()))?;
    let event = MappingSaved {
        name: name.to_owned(),
        toml: toml.to_owned(),
    };
    let new = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: EVENT_TYPE.to_owned(),
        schema_version: 1,
        payload: serde_json::to_value(&event).map_err(AppError::internal)?,
    };
    tracker
        .store()
        .append(
            &stream(),
            ExpectedVersion::Any,
            vec![new],
            AppendMeta {
                recorded_by: by.to_owned(),
                command_id: None,
            },
        )
        .await
        .map_err(|err| AppError::from(habeas::error::TrackerError::from(err)))?;
    Ok(())
}

/// Every saved mapping by name, the latest save of each.
pub async fn list(tracker: &Tracker) -> Result<BTreeMap<String, String>, AppError> {
    let envelopes = tracker
        .store()
        .read_stream(&stream(), 1)
        .await
        .map_err(|err| AppError::from(habeas::error::TrackerError::from(err)))?;
    let mut saved = BTreeMap::new();
    for envelope in envelopes {
        if let Ok(event) = serde_json::from_value::<MappingSaved>(envelope.payload) {
            saved.insert(event.name, event.toml);
        }
    }
    Ok(saved)
}

/// The saved mapping called `name`, or bad input naming the saved ones.
pub async fn find(tracker: &Tracker, name: &str) -> Result<String, AppError> {
    let mut saved = list(tracker).await?;
    saved.remove(name).ok_or_else(|| {
        let names: Vec<&String> = saved.keys().collect();
        AppError::bad_input(
            "mapping_name",
            format!("no mapping is saved as {name:?}: the saved ones are {names:?}; upload the mapping file instead"),
        )
    })
}
