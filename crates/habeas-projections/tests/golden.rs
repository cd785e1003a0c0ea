//! Golden files pin the read model's stored form: the row of a few
//! representative people (the domain's `Standing` inside), byte for byte
//! as the projector writes it under `p/`.
//!
//! The row embeds private types of the domain, so a change there (a field
//! renamed, an enum reordered) changes the bytes the projections read back.
//! A stored form that changes needs [`PROJECTIONS_FORMAT_VERSION`] bumped
//! (older databases are then emptied on open and rebuilt from the log), and
//! the files of the new version written: the files live in
//! `tests/golden/format-<version>/`, and `HABEAS_BLESS=1 cargo test -p
//! habeas-projections --test golden` writes the missing ones (never over a
//! file that differs: that takes a new version).

mod support;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use habeas_domain::command::{Action, Command};
use habeas_domain::decide::decide;
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{PersonId, StatementId};
use habeas_projections::PROJECTIONS_FORMAT_VERSION;
use habeas_store::{AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StreamId};
use support::*;
use uuid::Uuid;

/// Ids that are the same at every run, so that the rows are too.
struct Ids(u128);

impl Ids {
    fn next(&mut self) -> Uuid {
        self.0 += 1;
        Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0000 | self.0)
    }
}

/// Records `actions` on `stream` through `decide`, one append each, with
/// event ids from `ids`.
async fn record(store: &dyn EventStore, stream: &str, actions: Vec<Action>, ids: &mut Ids) {
    let issued_at: DateTime<Utc> = "2024-01-01T00:00:00Z".parse().expect("a time");
    let stream = StreamId::new(stream).expect("stream id");
    for action in actions {
        let envelopes = store.read_stream(&stream, 1).await.expect("read stream");
        let history: Vec<RecordedEvent> = envelopes
            .iter()
            .map(|envelope| habeas_projections::recorded(envelope).expect("decode"))
            .collect();
        let command = Command {
            id: None,
            issued_at,
            action,
        };
        let events = decide(&history, &command)
            .expect("the rules allow it")
            .into_events();
        let new_events = events
            .iter()
            .map(|event| NewEvent {
                event_id: ids.next(),
                event_type: event.event_type().to_owned(),
                schema_version: event.schema_version(),
                payload: event.to_payload(),
            })
            .collect();
        let expected = match envelopes.last() {
            None => ExpectedVersion::NoStream,
            Some(last) => ExpectedVersion::Exact(last.version),
        };
        let meta = AppendMeta {
            recorded_by: "golden".to_owned(),
            command_id: None,
        };
        let outcome = store
            .append(&stream, expected, new_events, meta)
            .await
            .expect("append");
        assert!(matches!(outcome, AppendOutcome::Appended(_)), "{outcome:?}");
    }
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("format-{PROJECTIONS_FORMAT_VERSION}"))
}

#[tokio::test]
async fn stored_rows_keep_their_bytes() {
    let World {
        store,
        projections,
        directory,
    } = World::new();
    let mut ids = Ids(0);
    let mut person = || PersonId::from_uuid(ids.next());
    let (detained_in_a_month, sentenced_and_released, named_by_a_statement) =
        (person(), person(), person());
    let mut ids = Ids(100);

    // Detained on a day known only to the month.
    record(
        store.as_ref(),
        &detained_in_a_month.stream_name(),
        vec![
            register("Rong Chhun", &["Rorng Chhun"]),
            detained("2020-08"),
        ],
        &mut ids,
    )
    .await;
    // Charged, sentenced, then released.
    record(
        store.as_ref(),
        &sentenced_and_released.stream_name(),
        vec![
            register("Sar Kanika", &[]),
            detained("2019-03-02"),
            charged("2019-04-01"),
            sentenced("2019-09-10", "2y"),
            released("2021-03-02"),
        ],
        &mut ids,
    )
    .await;
    // Held, restricted after release, and named by a statement.
    record(
        store.as_ref(),
        &named_by_a_statement.stream_name(),
        vec![
            register("Kem Sokha", &["Kem Sokha (CNRP)"]),
            detained("2017-09-03"),
            released("2019-11-10"),
            restricted("2019-11-10", Some("2022-11")),
        ],
        &mut ids,
    )
    .await;
    let statement = StatementId::from_uuid(ids.next());
    record(
        store.as_ref(),
        &statement.stream_name(),
        vec![statement_about("2019-12-01", &[named_by_a_statement])],
        &mut ids,
    )
    .await;

    projections
        .catch_up(store.as_ref())
        .await
        .expect("catch up");
    let path = projections.path().to_owned();
    drop(projections);
    let (db, tree, generation) = open_current_generation(&path);
    let rows: Vec<(&str, Vec<u8>)> = [
        ("detained-in-a-month", detained_in_a_month),
        ("sentenced-and-released", sentenced_and_released),
        ("named-by-a-statement", named_by_a_statement),
    ]
    .into_iter()
    .map(|(name, person)| {
        let mut key = b"p/".to_vec();
        key.extend_from_slice(person.as_uuid().as_bytes());
        let row = tree.get(&key).expect("read").expect("a stored row");
        (name, row.to_vec())
    })
    .collect();
    close_raw_sled(db, tree, &generation);
    drop(directory);

    let golden = golden_dir();
    let bless = std::env::var_os("HABEAS_BLESS").is_some();
    let mut missing = Vec::new();
    for (name, bytes) in rows {
        let file = golden.join(format!("{name}.json"));
        match std::fs::read(&file) {
            Ok(expected) => assert!(
                expected == bytes,
                "the stored row of {name} differs from {}:\n  stored: {}\n  golden: {}\n\
                 A change to the stored form (the domain's Standing included) needs \
                 PROJECTIONS_FORMAT_VERSION bumped, then HABEAS_BLESS=1 to write the \
                 new version's files (and the old version's folder removed).",
                file.display(),
                String::from_utf8_lossy(&bytes),
                String::from_utf8_lossy(&expected),
            ),
            Err(_) if bless => {
                std::fs::create_dir_all(&golden).expect("create the golden folder");
                std::fs::write(&file, &bytes).expect("write a golden file");
            }
            Err(_) => missing.push(file.display().to_string()),
        }
    }
    assert!(
        missing.is_empty(),
        "no golden file {missing:?}: run with HABEAS_BLESS=1 to write them"
    );
    // One folder, the current version's.
    let folders = folder_entries(golden.parent().expect("tests/golden"));
    assert_eq!(
        folders,
        [format!("format-{PROJECTIONS_FORMAT_VERSION}")],
        "remove the golden files of older formats"
    );
}
