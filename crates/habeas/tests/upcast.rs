//! A real upcast end to end: a StatementIssued stored at schema version 1 (the
//! golden file the domain pins) is read through the sled store and the domain's
//! upcaster as the current version, while its stored bytes stay as written.

use std::path::Path;

use habeas::tracker::{Subject, Tracker};
use habeas_domain::event::Event;
use habeas_domain::id::{PersonId, StatementId};
use habeas_store::{AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StreamId};
use habeas_store_sled::{SledConfig, SledStore};
use uuid::Uuid;

fn golden_v1() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../habeas-domain/tests/golden/upcast/StatementIssued.v1.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_version_1_statement_reads_as_version_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("habeas");
    let golden = golden_v1();
    let person = PersonId::from_uuid(
        golden["payload"]["about"][0]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
    );
    let statement = StatementId::from_uuid(Uuid::now_v7());
    {
        // What a Habeas of schema version 1 wrote: the store is payload-agnostic.
        let store =
            SledStore::open(data.join(habeas::open::EVENTS_DIR), SledConfig::default()).unwrap();
        let outcome = store
            .append(
                &StreamId::new(statement.stream_name()).unwrap(),
                ExpectedVersion::NoStream,
                vec![NewEvent {
                    event_id: Uuid::now_v7(),
                    event_type: "StatementIssued".into(),
                    schema_version: 1,
                    payload: golden["payload"].clone(),
                }],
                AppendMeta {
                    recorded_by: "habeas 0.0.0 (schema 1)".into(),
                    command_id: None,
                },
            )
            .await
            .unwrap();
        assert!(matches!(outcome, AppendOutcome::Appended(_)));
    }

    let tracker = Tracker::open(&data).unwrap();
    let history = tracker
        .history_of(Subject::Statement(statement))
        .await
        .unwrap();
    let Event::StatementIssued(read) = &history[0].event else {
        panic!("not a statement")
    };
    let urls: Vec<_> = read
        .facts
        .sources
        .iter()
        .filter_map(|s| s.url.as_deref())
        .collect();
    assert_eq!(
        urls,
        ["https://example.org/un", "https://example.org/report"]
    );
    assert_eq!(tracker.statements_about(person).await.unwrap().len(), 1);

    // Reads are upcast, but stored bytes are never rewritten: verify hashes
    // the stored (version 1) form, so the chain verifying shows it is intact.
    let stored = tracker.store().read_all(1, 10).await.unwrap();
    assert_eq!(stored[0].schema_version, 2, "reads are upcast");
    assert!(
        tracker
            .store()
            .verify()
            .await
            .unwrap()
            .first_problem
            .is_none()
    );

    drop(tracker);

    // Export reads the stored form, so a backup carries the bytes the chain covers.
    let raw = Tracker::open_stored_form(&data).unwrap();
    let stored = raw.store().read_all(1, 10).await.unwrap();
    assert_eq!(stored[0].schema_version, 1);
    assert_eq!(stored[0].payload, golden["payload"]);
    assert_eq!(
        habeas_store::envelope_hash(&stored[0]).unwrap(),
        stored[0].hash
    );
}
