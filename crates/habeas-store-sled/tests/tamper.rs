//! Damage done to a closed sled store behind its back is named by `verify` at the first
//! damaged position.

mod common;

use std::path::{Path, PathBuf};

use habeas_store::{EventStore, ExpectedVersion, ProblemKind, StoreError, StreamId, VerifyReport};
use habeas_store_sled::{SledConfig, SledStore};
use serde_json::Value;

use common::{HEAD_KEY, event_id_key, event_key, fill, meta, note, stream_key, with_raw_sled};

const N_EVENTS: u64 = 12;

/// A closed store with `N_EVENTS` events.
async fn closed_store(directory: &tempfile::TempDir) -> PathBuf {
    let path = directory.path().join("store");
    let store = SledStore::open(&path, SledConfig::default()).expect("open");
    fill(&store, N_EVENTS).await;
    assert!(store.verify().await.expect("verify").is_ok());
    path
}

async fn verify(path: &Path) -> VerifyReport {
    let store = SledStore::open(path, SledConfig::default()).expect("reopen");
    store.verify().await.expect("verify")
}

fn assert_problem(report: &VerifyReport, position: u64, kind: ProblemKind) {
    let problem = report
        .first_problem
        .as_ref()
        .unwrap_or_else(|| panic!("verify found nothing, expected {kind:?} at {position}"));
    assert_eq!(
        (problem.position, problem.kind),
        (position, kind),
        "{problem}"
    );
    assert_eq!(
        report.n_events,
        position - 1,
        "events before the damage count as checked"
    );
}

fn edit_event(db: &sled::Db, position: u64, edit: impl FnOnce(&mut Value)) {
    let bytes = db
        .get(event_key(position))
        .expect("get")
        .expect("event exists");
    let mut envelope: Value = serde_json::from_slice(&bytes).expect("json");
    edit(&mut envelope);
    db.insert(
        event_key(position),
        serde_json::to_vec(&envelope).expect("json"),
    )
    .expect("insert");
}

#[tokio::test]
async fn a_changed_payload_is_named_at_its_position() {
    for position in [1, 6, N_EVENTS] {
        let directory = tempfile::tempdir().expect("tempdir");
        let path = closed_store(&directory).await;
        with_raw_sled(&path, |db| {
            edit_event(db, position, |envelope| {
                envelope["payload"]["label"] = "forged".into()
            });
        });
        assert_problem(&verify(&path).await, position, ProblemKind::HashMismatch);
    }
}

/// A change made to a stored envelope's JSON.
type EnvelopeEdit = fn(&mut Value);

#[tokio::test]
async fn changed_envelope_fields_are_named_at_their_position() {
    let edits: [(&str, EnvelopeEdit); 4] = [
        ("recorded_by", |envelope| {
            envelope["recorded_by"] = "mallory".into()
        }),
        ("recorded_at", |envelope| {
            envelope["recorded_at"] = "2020-01-01T00:00:00Z".into()
        }),
        ("event_type", |envelope| {
            envelope["event_type"] = "Released".into()
        }),
        ("hash", |envelope| envelope["hash"] = "0".repeat(64).into()),
    ];
    for (field, edit) in edits {
        let directory = tempfile::tempdir().expect("tempdir");
        let path = closed_store(&directory).await;
        with_raw_sled(&path, |db| edit_event(db, 4, edit));
        let report = verify(&path).await;
        assert_eq!(
            report
                .first_problem
                .as_ref()
                .map(|problem| problem.position),
            Some(4),
            "editing {field}: {report:?}"
        );
    }
}

#[tokio::test]
async fn a_rewritten_event_with_a_recomputed_hash_breaks_the_next_link() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    with_raw_sled(&path, |db| {
        edit_event(db, 5, |envelope| {
            envelope["payload"]["label"] = "forged".into();
            let mut forged: habeas_store::Envelope =
                serde_json::from_value(envelope.clone()).expect("envelope");
            forged.hash = habeas_store::envelope_hash(&forged).expect("hash");
            *envelope = serde_json::to_value(forged).expect("json");
        });
    });
    assert_problem(&verify(&path).await, 6, ProblemKind::BrokenLink);
}

#[tokio::test]
async fn garbage_bytes_are_named_as_undecodable() {
    for position in [1, N_EVENTS] {
        let directory = tempfile::tempdir().expect("tempdir");
        let path = closed_store(&directory).await;
        with_raw_sled(&path, |db| {
            db.insert(event_key(position), b"{\"position\": not json".to_vec())
                .expect("insert");
        });
        assert_problem(&verify(&path).await, position, ProblemKind::Undecodable);
    }
}

#[tokio::test]
async fn a_removed_event_is_named_as_missing() {
    for position in [1, 7, N_EVENTS] {
        let directory = tempfile::tempdir().expect("tempdir");
        let path = closed_store(&directory).await;
        with_raw_sled(&path, |db| {
            db.remove(event_key(position)).expect("remove");
        });
        assert_problem(&verify(&path).await, position, ProblemKind::Missing);
    }
}

#[tokio::test]
async fn a_store_missing_its_last_events_refuses_appends() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    with_raw_sled(&path, |db| {
        db.remove(event_key(N_EVENTS)).expect("remove");
        db.remove(event_key(N_EVENTS - 1)).expect("remove");
    });
    let store = SledStore::open(&path, SledConfig::default()).expect("reopen");
    assert_problem(
        &store.verify().await.expect("verify"),
        N_EVENTS - 1,
        ProblemKind::Missing,
    );
    let stream = StreamId::new("person-0").expect("stream");
    let outcome = store
        .append(
            &stream,
            ExpectedVersion::Any,
            vec![note("after truncation")],
            meta(),
        )
        .await;
    assert!(
        matches!(outcome, Err(StoreError::WriterFailed { .. })),
        "{outcome:?}"
    );
    // A removed head marker too leaves nothing to compare with: that is the documented limit.
    with_raw_sled_after_drop(store, &path, |db| {
        db.remove(HEAD_KEY).expect("remove");
    });
    assert!(verify(&path).await.is_ok());
}

fn with_raw_sled_after_drop(store: SledStore, path: &Path, change: impl FnOnce(&sled::Db)) {
    drop(store);
    with_raw_sled(path, change);
}

#[tokio::test]
async fn reordered_events_are_named_at_the_first_swapped_position() {
    for (first, second) in [(1, 2), (3, 9), (N_EVENTS - 1, N_EVENTS)] {
        let directory = tempfile::tempdir().expect("tempdir");
        let path = closed_store(&directory).await;
        with_raw_sled(&path, |db| {
            let first_bytes = db.get(event_key(first)).expect("get").expect("exists");
            let second_bytes = db.get(event_key(second)).expect("get").expect("exists");
            db.insert(event_key(first), second_bytes).expect("insert");
            db.insert(event_key(second), first_bytes).expect("insert");
        });
        assert_problem(&verify(&path).await, first, ProblemKind::PositionMismatch);
    }
}

#[tokio::test]
async fn a_renumbered_event_is_named_at_its_position() {
    // Moving every event after 4 down by one (as if 4 had been cut out and the rest
    // renumbered) breaks the chain at 4.
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    with_raw_sled(&path, |db| {
        for position in 4..N_EVENTS {
            let bytes = db
                .get(event_key(position + 1))
                .expect("get")
                .expect("exists");
            let mut envelope: Value = serde_json::from_slice(&bytes).expect("json");
            envelope["position"] = position.into();
            db.insert(
                event_key(position),
                serde_json::to_vec(&envelope).expect("json"),
            )
            .expect("insert");
        }
        db.remove(event_key(N_EVENTS)).expect("remove");
        db.insert(HEAD_KEY, (N_EVENTS - 1).to_be_bytes().to_vec())
            .expect("insert");
    });
    assert_problem(&verify(&path).await, 4, ProblemKind::BrokenLink);
}

#[tokio::test]
async fn a_redirected_stream_index_is_named() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    // person-1 holds positions 2, 5, 8, 11: point its version 2 at position 8.
    with_raw_sled(&path, |db| {
        db.insert(stream_key("person-1", 2), 8u64.to_be_bytes().to_vec())
            .expect("insert");
    });
    assert_problem(&verify(&path).await, 5, ProblemKind::IndexMismatch);
}

fn event_id_at(db: &sled::Db, position: u64) -> uuid::Uuid {
    let bytes = db.get(event_key(position)).expect("get").expect("exists");
    let envelope: habeas_store::Envelope = serde_json::from_slice(&bytes).expect("envelope");
    envelope.event_id
}

#[tokio::test]
async fn a_redirected_event_id_index_entry_is_named() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    with_raw_sled(&path, |db| {
        let id = event_id_at(db, 7);
        db.insert(event_id_key(id), 3u64.to_be_bytes().to_vec())
            .expect("insert");
    });
    assert_problem(&verify(&path).await, 7, ProblemKind::IndexMismatch);
}

#[tokio::test]
async fn a_removed_event_id_index_entry_is_named() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    with_raw_sled(&path, |db| {
        let id = event_id_at(db, 9);
        db.remove(event_id_key(id)).expect("remove");
    });
    let report = verify(&path).await;
    assert_problem(&report, 9, ProblemKind::IndexMismatch);
    let detail = &report.first_problem.as_ref().expect("problem").detail;
    assert!(
        detail.contains("missing from the event-id index"),
        "{detail}"
    );
}

#[tokio::test]
async fn an_event_given_an_earlier_events_id_is_named() {
    // A forger who also recomputes the hash breaks the next link; without a next event
    // (the last one), only the event-id index gives the copy away.
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    with_raw_sled(&path, |db| {
        let earlier = event_id_at(db, 2);
        edit_event(db, N_EVENTS, |envelope| {
            envelope["event_id"] = earlier.to_string().into();
            let mut forged: habeas_store::Envelope =
                serde_json::from_value(envelope.clone()).expect("envelope");
            forged.hash = habeas_store::envelope_hash(&forged).expect("hash");
            *envelope = serde_json::to_value(forged).expect("json");
        });
    });
    let report = verify(&path).await;
    assert_problem(&report, N_EVENTS, ProblemKind::IndexMismatch);
    let detail = &report.first_problem.as_ref().expect("problem").detail;
    assert!(detail.contains("indexed at position 2"), "{detail}");
}
