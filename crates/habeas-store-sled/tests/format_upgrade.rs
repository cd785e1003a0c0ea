//! A store written by a format-1 build (no event-id index) is upgraded on open: its
//! event ids are indexed, duplicates of them are refused, `verify` passes, and the
//! marker then keeps format-1 builds out.

mod common;

use std::fs;
use std::path::Path;

use habeas_store::{AppendOutcome, EventStore, ExpectedVersion, NewEvent, StoreError, StreamId};
use habeas_store_sled::{SLED_FORMAT_VERSION, SledConfig, SledStore};

use common::{FORMAT_KEY, event_key, fill, meta, note, with_raw_sled};

/// Turns a closed store into what a format-1 build leaves: no `i/` keys, format 1.
fn downgrade_to_format_1(path: &Path) {
    with_raw_sled(path, |db| {
        let index_keys: Vec<_> = db
            .scan_prefix(b"i/")
            .keys()
            .collect::<Result<_, _>>()
            .expect("scan");
        assert!(!index_keys.is_empty(), "this build writes the index");
        for key in index_keys {
            db.remove(key).expect("remove");
        }
        db.insert(FORMAT_KEY, &1u32.to_be_bytes()).expect("insert");
    });
    fs::write(path.join("HABEAS_STORE"), "habeas-store format 1\n").expect("write");
}

#[tokio::test]
async fn a_format_1_store_is_indexed_on_open() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = directory.path().join("store");
    {
        let store = SledStore::open(&path, SledConfig::default()).expect("open");
        fill(&store, 10).await;
    }
    downgrade_to_format_1(&path);

    let store = SledStore::open(&path, SledConfig::default()).expect("open and upgrade");
    assert!(store.verify().await.expect("verify").is_ok());
    assert_eq!(
        fs::read_to_string(path.join("HABEAS_STORE")).expect("marker"),
        format!("habeas-store format {SLED_FORMAT_VERSION}\n")
    );
    // The id of an event written before the upgrade is known.
    let stored = store.read_all(4, 1).await.expect("read")[0].clone();
    let outcome = store
        .append(
            &StreamId::new("person-0").expect("stream"),
            ExpectedVersion::Any,
            vec![NewEvent {
                event_id: stored.event_id,
                ..note("reused")
            }],
            meta(),
        )
        .await;
    assert!(
        matches!(
            outcome,
            Err(StoreError::DuplicateEventId {
                position: Some(4),
                ..
            })
        ),
        "{outcome:?}"
    );
    let outcome = store
        .append(
            &StreamId::new("person-0").expect("stream"),
            ExpectedVersion::Any,
            vec![note("new")],
            meta(),
        )
        .await
        .expect("append");
    assert!(
        matches!(&outcome, AppendOutcome::Appended(result) if result.first_position == 11),
        "{outcome:?}"
    );
    drop(store);

    // The format key says 2 as well, and a reopen changes nothing more.
    with_raw_sled(&path, |db| {
        let format = db.get(FORMAT_KEY).expect("get").expect("format");
        assert_eq!(&*format, &SLED_FORMAT_VERSION.to_be_bytes());
    });
    let store = SledStore::open(&path, SledConfig::default()).expect("reopen");
    assert_eq!(store.head().await.expect("head"), 11);
    assert!(store.verify().await.expect("verify").is_ok());
}

#[tokio::test]
async fn an_upgrade_names_duplicate_ids_it_finds() {
    // Format 1 did not check ids; if two old events share one, the first keeps it and
    // verify names the second.
    let directory = tempfile::tempdir().expect("tempdir");
    let path = directory.path().join("store");
    {
        let store = SledStore::open(&path, SledConfig::default()).expect("open");
        fill(&store, 6).await;
    }
    downgrade_to_format_1(&path);
    with_raw_sled(&path, |db| {
        let read = |position: u64| -> habeas_store::Envelope {
            let bytes = db.get(event_key(position)).expect("get").expect("exists");
            serde_json::from_slice(&bytes).expect("envelope")
        };
        let first = read(2);
        // Rewrite the last event as a format-1 build could have: same id as event 2,
        // hash recomputed (it is the last event, so no link breaks).
        let mut last = read(6);
        last.event_id = first.event_id;
        last.hash = habeas_store::envelope_hash(&last).expect("hash");
        db.insert(event_key(6), serde_json::to_vec(&last).expect("json"))
            .expect("insert");
    });
    let store = SledStore::open(&path, SledConfig::default()).expect("open and upgrade");
    let report = store.verify().await.expect("verify");
    let problem = report.first_problem.expect("the duplicate is named");
    assert_eq!(
        (problem.position, problem.kind),
        (6, habeas_store::ProblemKind::IndexMismatch),
        "{problem}"
    );
    assert!(
        problem.detail.contains("indexed at position 2"),
        "{problem}"
    );
}
