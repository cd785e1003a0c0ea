//! Damage done by a database superuser behind the store's back (triggers disabled)
//! is named by `verify` at the first damaged position; without disabling them, the
//! triggers refuse to change the log at all.

use habeas_store::{
    AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, ProblemKind, StreamId,
    VerifyReport,
};
use habeas_store_postgres::testing::{TestDatabase, execute, fresh_database};
use habeas_store_postgres::{PostgresConfig, PostgresStore};
use serde_json::json;
use uuid::Uuid;

const N_EVENTS: u64 = 12;

/// A store with `N_EVENTS` events over three streams.
async fn filled_store() -> Option<(TestDatabase, PostgresStore)> {
    let database = fresh_database()?;
    let store = PostgresStore::open_async(database.url(), PostgresConfig::default())
        .await
        .expect("open")
        .expect("created");
    for index in 1..=N_EVENTS {
        let stream = StreamId::new(format!("person-{}", index % 3)).expect("stream id");
        let event = NewEvent {
            event_id: Uuid::now_v7(),
            event_type: "Noted".into(),
            schema_version: 1,
            payload: json!({ "label": format!("event {index}") }),
        };
        let meta = AppendMeta {
            recorded_by: "tamper test".into(),
            command_id: None,
        };
        let outcome = store
            .append(&stream, ExpectedVersion::Any, vec![event], meta)
            .await
            .expect("append");
        assert!(matches!(outcome, AppendOutcome::Appended(_)));
    }
    assert!(store.verify().await.expect("verify").is_ok());
    Some((database, store))
}

/// Runs `sql` on the store's database as superuser with the log's triggers off.
fn tamper(database: &TestDatabase, sql: &str) {
    let statement = format!("BEGIN; SET LOCAL session_replication_role = replica; {sql}; COMMIT;");
    execute(database.url(), &statement).expect("tamper");
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

/// Replaces `from` by `to` in the envelope bytes at `position`.
fn edit_envelope(position: u64, from: &str, to: &str) -> String {
    format!(
        "UPDATE habeas.events SET envelope = convert_to(replace(convert_from(envelope, 'UTF8'), \
         '{from}', '{to}'), 'UTF8') WHERE position = {position}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_triggers_refuse_to_change_the_log() {
    let Some((database, store)) = filled_store().await else {
        return;
    };
    let attempts = [
        edit_envelope(3, "event 3", "forged"),
        "DELETE FROM habeas.events WHERE position = 3".to_owned(),
        "TRUNCATE habeas.events".to_owned(),
    ];
    for attempt in attempts {
        let refused = execute(database.url(), &attempt).expect_err("refused by the trigger");
        assert!(
            refused.contains("the habeas event log is append-only"),
            "{refused}"
        );
    }
    assert!(store.verify().await.expect("verify").is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payload_changed_by_a_superuser_is_named_at_its_position() {
    for position in [1, 6, N_EVENTS] {
        let Some((database, store)) = filled_store().await else {
            return;
        };
        let label = format!("event {position}\"");
        tamper(&database, &edit_envelope(position, &label, "forged\""));
        let report = store.verify().await.expect("verify");
        assert_problem(&report, position, ProblemKind::HashMismatch);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_row_is_named_at_its_position() {
    for position in [1, 5, N_EVENTS] {
        let Some((database, store)) = filled_store().await else {
            return;
        };
        tamper(
            &database,
            &format!("DELETE FROM habeas.events WHERE position = {position}"),
        );
        let report = store.verify().await.expect("verify");
        assert_problem(&report, position, ProblemKind::Missing);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_swapped_rows_are_named_at_the_first() {
    let Some((database, store)) = filled_store().await else {
        return;
    };
    // Whole rows trade places: each keeps its envelope, which names its old position.
    tamper(
        &database,
        "UPDATE habeas.events SET position = 1000004 WHERE position = 4; \
         UPDATE habeas.events SET position = 4 WHERE position = 7; \
         UPDATE habeas.events SET position = 7 WHERE position = 1000004",
    );
    let report = store.verify().await.expect("verify");
    assert_problem(&report, 4, ProblemKind::PositionMismatch);

    let Some((database, store)) = filled_store().await else {
        return;
    };
    // Only the envelopes trade places, the indexed columns stay.
    tamper(
        &database,
        "UPDATE habeas.events AS e SET envelope = o.envelope FROM habeas.events AS o \
         WHERE (e.position, o.position) IN ((4, 7), (7, 4))",
    );
    let report = store.verify().await.expect("verify");
    assert_problem(&report, 4, ProblemKind::PositionMismatch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_indexed_column_that_disagrees_with_its_envelope_is_named() {
    let Some((database, store)) = filled_store().await else {
        return;
    };
    tamper(
        &database,
        "UPDATE habeas.events SET stream = 'person-x' WHERE position = 8",
    );
    let report = store.verify().await.expect("verify");
    assert_problem(&report, 8, ProblemKind::IndexMismatch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_cut_short_of_the_recorded_head_is_named() {
    let Some((database, store)) = filled_store().await else {
        return;
    };
    tamper(
        &database,
        &format!("DELETE FROM habeas.events WHERE position = {N_EVENTS}"),
    );
    let report = store.verify().await.expect("verify");
    assert_problem(&report, N_EVENTS, ProblemKind::Missing);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_insert_fails_the_whole_group_and_stores_nothing() {
    let Some((database, store)) = filled_store().await else {
        return;
    };
    // A row put where the next append goes, behind the store's back.
    let next = N_EVENTS + 1;
    tamper(
        &database,
        &format!(
            "INSERT INTO habeas.events (position, stream, version, event_id, envelope) \
             VALUES ({next}, 'squatter', 1, gen_random_uuid(), '\\x7b7d')"
        ),
    );
    let stream = StreamId::new("person-0").expect("stream id");
    let events: Vec<NewEvent> = (0..300)
        .map(|index| NewEvent {
            event_id: Uuid::now_v7(),
            event_type: "Noted".into(),
            schema_version: 1,
            payload: json!({ "label": format!("refused {index}") }),
        })
        .collect();
    let meta = AppendMeta {
        recorded_by: "tamper test".into(),
        command_id: Some(Uuid::now_v7()),
    };
    let failed = store
        .append(&stream, ExpectedVersion::Any, events.clone(), meta.clone())
        .await
        .expect_err("the squatting row makes the insert fail");
    assert!(failed.to_string().contains("duplicate key"), "{failed}");
    assert_eq!(
        store.head().await.expect("head"),
        N_EVENTS,
        "nothing was committed"
    );
    tamper(
        &database,
        &format!("DELETE FROM habeas.events WHERE position = {next}"),
    );
    let retried = store
        .append(&stream, ExpectedVersion::Any, events, meta)
        .await
        .expect("the retry lands");
    assert!(matches!(retried, AppendOutcome::Appended(_)), "{retried:?}");
    assert_eq!(store.head().await.expect("head"), N_EVENTS + 300);
    assert!(store.verify().await.expect("verify").is_ok());
}
