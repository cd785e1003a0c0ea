//! Helpers shared by the integration tests: raw access to the sled key layout (which the
//! tests pin on purpose) and directory fingerprints.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use habeas_store::{AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StreamId};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub fn event_key(position: u64) -> Vec<u8> {
    let mut key = b"e/".to_vec();
    key.extend_from_slice(&position.to_be_bytes());
    key
}

pub fn stream_key(stream: &str, version: u64) -> Vec<u8> {
    let mut key = b"s/".to_vec();
    key.extend_from_slice(stream.as_bytes());
    key.push(0);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

pub fn event_id_key(event_id: Uuid) -> Vec<u8> {
    let mut key = b"i/".to_vec();
    key.extend_from_slice(event_id.as_bytes());
    key
}

pub const HEAD_KEY: &[u8] = b"m/head";
pub const FORMAT_KEY: &[u8] = b"m/format";

/// Opens the store's sled database directly (the store must be closed) and runs `change`.
pub fn with_raw_sled(path: &Path, change: impl FnOnce(&sled::Db)) {
    let db = sled::open(path).expect("open sled directly");
    change(&db);
    close_raw_sled(db, path);
}

/// Flushes and closes a database opened with `sled::open`, returning once sled has
/// released its lock (a store opened right after would otherwise find it locked).
pub fn close_raw_sled(db: sled::Db, path: &Path) {
    db.flush().expect("flush");
    drop(db);
    assert!(
        habeas_store_sled::wait_for_sled_release(path, habeas_store_sled::SLED_RELEASE_TIMEOUT),
        "sled kept {} locked",
        path.display()
    );
}

/// Every file under `path` with the SHA-256 of its contents (directories as "dir").
pub fn fingerprint(path: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    fingerprint_into(path, path, &mut out);
    out
}

fn fingerprint_into(root: &Path, path: &Path, out: &mut BTreeMap<String, String>) {
    let metadata = fs::metadata(path).expect("metadata");
    let name = path
        .strip_prefix(root)
        .expect("under root")
        .to_string_lossy()
        .into_owned();
    if metadata.is_dir() {
        out.insert(name, "dir".into());
        let mut entries: Vec<_> = fs::read_dir(path)
            .expect("read_dir")
            .map(|entry| entry.expect("entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            fingerprint_into(root, &entry, out);
        }
    } else {
        let bytes = fs::read(path).expect("read");
        let digest = Sha256::digest(&bytes);
        out.insert(name, format!("{digest:x} {}", bytes.len()));
    }
}

pub fn note(label: &str) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "Noted".into(),
        schema_version: 1,
        payload: json!({ "label": label }),
    }
}

pub fn meta() -> AppendMeta {
    AppendMeta {
        recorded_by: "test".into(),
        command_id: None,
    }
}

/// Appends `n_events` single-event appends round-robin over three streams.
pub async fn fill(store: &dyn EventStore, n_events: u64) {
    for index in 0..n_events {
        let stream = StreamId::new(format!("person-{}", index % 3)).expect("stream");
        let outcome = store
            .append(
                &stream,
                ExpectedVersion::Any,
                vec![note(&index.to_string())],
                meta(),
            )
            .await
            .expect("append");
        assert!(matches!(outcome, AppendOutcome::Appended(_)), "{outcome:?}");
    }
}
