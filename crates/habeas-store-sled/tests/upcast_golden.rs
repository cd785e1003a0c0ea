//! The stored envelope format and its hash are pinned by a golden file, and a stored
//! event of an old schema version is read back upcast.

mod common;

use std::sync::Arc;

use habeas_store::{
    AppendOutcome, Envelope, EventStore, ExpectedVersion, StreamId, Upcaster, envelope_hash,
};
use habeas_store_sled::{SledConfig, SledStore};
use serde_json::{Value, json};

use common::{HEAD_KEY, event_id_key, event_key, meta, note, stream_key, with_raw_sled};

const GOLDEN_V1: &str = include_str!("golden/person-registered-v1.envelope.json");

/// Version 1 of `PersonRegistered` had one `name`; version 2 calls it `full_name` and
/// adds `aliases`.
struct PersonRegisteredV1ToV2;

impl Upcaster for PersonRegisteredV1ToV2 {
    fn upcast(
        &self,
        event_type: &str,
        schema_version: u32,
        mut payload: Value,
    ) -> Result<(u32, Value), String> {
        if (event_type, schema_version) != ("PersonRegistered", 1) {
            return Ok((schema_version, payload));
        }
        let object = payload
            .as_object_mut()
            .ok_or("the payload is not an object")?;
        let name = object.remove("name").ok_or("the payload has no name")?;
        object.insert("full_name".into(), name);
        object.insert("aliases".into(), json!([]));
        Ok((2, payload))
    }
}

fn golden() -> Envelope {
    serde_json::from_str(GOLDEN_V1).expect("the golden file is an envelope")
}

#[test]
fn the_golden_envelope_round_trips_byte_for_byte() {
    let encoded = serde_json::to_string(&golden()).expect("encode");
    assert_eq!(
        encoded,
        GOLDEN_V1.trim_end(),
        "the stored envelope format changed"
    );
}

#[test]
fn the_golden_hash_is_the_hash_of_its_contents() {
    let envelope = golden();
    assert_eq!(
        envelope_hash(&envelope).expect("hash"),
        envelope.hash,
        "the hash definition changed"
    );
}

#[tokio::test]
async fn a_stored_v1_event_is_read_back_as_v2_and_still_verifies() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = directory.path().join("store");
    drop(SledStore::open(&path, SledConfig::default()).expect("create"));
    let envelope = golden();
    // Put the golden bytes in place as an older build would have written them.
    with_raw_sled(&path, |db| {
        db.insert(event_key(1), GOLDEN_V1.trim_end().as_bytes())
            .expect("insert");
        db.insert(
            stream_key(envelope.stream.as_str(), 1),
            1u64.to_be_bytes().to_vec(),
        )
        .expect("insert");
        db.insert(event_id_key(envelope.event_id), 1u64.to_be_bytes().to_vec())
            .expect("insert");
        db.insert(HEAD_KEY, 1u64.to_be_bytes().to_vec())
            .expect("insert");
    });

    let config = SledConfig {
        upcaster: Some(Arc::new(PersonRegisteredV1ToV2)),
        ..SledConfig::default()
    };
    let store = SledStore::open(&path, config).expect("open");
    let expected_payload =
        json!({ "full_name": "Ales Bialiatski", "country": "BY", "aliases": [] });
    let read = store
        .read_stream(&envelope.stream, 1)
        .await
        .expect("read_stream");
    assert_eq!(read.len(), 1);
    assert_eq!(
        (read[0].schema_version, &read[0].payload),
        (2, &expected_payload)
    );
    assert_eq!(
        read[0].hash, envelope.hash,
        "the hash stays that of the stored form"
    );
    let all = store.read_all(1, 10).await.expect("read_all");
    assert_eq!(all, read);
    let mut subscription = store.subscribe(1).await.expect("subscribe");
    assert_eq!(
        subscription.next().await.expect("next").payload,
        expected_payload
    );
    assert!(
        store.verify().await.expect("verify").is_ok(),
        "verify hashes the stored v1 form"
    );

    // New events chain onto the golden one.
    let stream = StreamId::new(envelope.stream.as_str()).expect("stream");
    let outcome = store
        .append(
            &stream,
            ExpectedVersion::Exact(1),
            vec![note("after the golden event")],
            meta(),
        )
        .await
        .expect("append");
    assert!(
        matches!(&outcome, AppendOutcome::Appended(result) if result.first_position == 2),
        "{outcome:?}"
    );
    let second = store.read_all(2, 1).await.expect("read_all");
    assert_eq!(second[0].prev_hash, envelope.hash);
    assert!(store.verify().await.expect("verify").is_ok());
    // The subscription holds the store open too.
    drop(subscription);
    drop(store);
    with_raw_sled(&path, |db| {
        let stored = db.get(event_key(1)).expect("get").expect("exists");
        assert_eq!(
            &*stored,
            GOLDEN_V1.trim_end().as_bytes(),
            "stored bytes are never rewritten"
        );
    });
}
