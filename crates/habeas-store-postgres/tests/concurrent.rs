//! Two processes appending to one database at once, to the same streams (exact
//! expected versions, retried on conflict) and to streams of their own: every
//! version is used once, positions are gapless and the chain verifies.

mod common;

use std::collections::BTreeMap;

use habeas_store::{AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StreamId};
use habeas_store_postgres::testing::fresh_database;
use habeas_store_postgres::{PostgresConfig, PostgresStore};
use serde_json::json;
use uuid::Uuid;

use common::{Writer, check_store};

const TASKS: &str = "4";
const APPENDS_PER_TASK: &str = "25";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_append_to_one_database_without_gap_or_duplicate() {
    let Some(database) = fresh_database() else {
        return;
    };
    drop(
        PostgresStore::open_async(database.url(), PostgresConfig::default())
            .await
            .expect("create the store"),
    );
    let writers: Vec<Writer> = (0..2)
        .map(|_| Writer::spawn(database.url(), &["race", TASKS, APPENDS_PER_TASK]))
        .collect();
    let mut acks = Vec::new();
    for writer in writers {
        let (succeeded, process_acks, stderr) = writer.wait();
        assert!(succeeded, "a racing writer failed: {stderr}");
        // Each task appends APPENDS_PER_TASK times to a shared and to its own stream.
        assert_eq!(process_acks.len(), 4 * 25 * 2, "{stderr}");
        acks.extend(process_acks);
    }
    let log = check_store(database.url(), &acks).await;
    let acknowledged: usize = acks.iter().map(|ack| ack.event_ids.len()).sum();
    assert_eq!(
        log.len(),
        acknowledged,
        "the log holds exactly the acknowledged events"
    );

    let mut versions: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for envelope in &log {
        versions
            .entry(envelope.stream.as_str())
            .or_default()
            .push(envelope.version);
    }
    for (stream, versions) in &versions {
        let expected: Vec<u64> = (1..=versions.len() as u64).collect();
        assert_eq!(
            versions, &expected,
            "stream {stream} skips or repeats a version"
        );
    }
    assert_eq!(
        versions
            .keys()
            .filter(|stream| stream.starts_with("own-"))
            .count(),
        8,
        "each task of each process had a stream of its own"
    );
    assert_eq!(
        versions
            .keys()
            .filter(|stream| stream.starts_with("shared-"))
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_from_many_handles_succeed_when_the_server_defaults_to_serializable() {
    let Some(database) = fresh_database() else {
        return;
    };
    habeas_store_postgres::testing::execute(
        database.url(),
        &format!(
            "ALTER DATABASE {} SET default_transaction_isolation = 'serializable'",
            database.name()
        ),
    )
    .expect("make serializable the default");
    let mut handles = Vec::new();
    for _ in 0..4 {
        handles.push(
            PostgresStore::open_async(database.url(), PostgresConfig::default())
                .await
                .expect("open")
                .expect("created"),
        );
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (index, store) in handles.iter().enumerate() {
        for task in 0..8 {
            let store = store.clone();
            tasks.spawn(async move {
                let stream = StreamId::new("one-person").expect("stream id");
                for round in 0..10 {
                    let event = NewEvent {
                        event_id: Uuid::now_v7(),
                        event_type: "Noted".into(),
                        schema_version: 1,
                        payload: json!({ "handle": index, "task": task, "round": round }),
                    };
                    let meta = AppendMeta {
                        recorded_by: "serializable test".into(),
                        command_id: Some(Uuid::now_v7()),
                    };
                    let outcome = store
                        .append(&stream, ExpectedVersion::Any, vec![event], meta)
                        .await
                        .expect("append under a serializable default");
                    assert!(matches!(outcome, AppendOutcome::Appended(_)), "{outcome:?}");
                }
            });
        }
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("task");
    }
    let store = &handles[0];
    assert_eq!(store.head().await.expect("head"), 4 * 8 * 10);
    let report = store.verify().await.expect("verify");
    assert!(report.is_ok(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_groups_are_inserted_in_chunks_and_land_whole() {
    let Some(database) = fresh_database() else {
        return;
    };
    let store = PostgresStore::open_async(database.url(), PostgresConfig::default())
        .await
        .expect("open")
        .expect("created");
    // A thousand appends at once: the writer groups hundreds of them, more events
    // than one INSERT chunk holds.
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..1000 {
        let store = store.clone();
        tasks.spawn(async move {
            let stream = StreamId::new(format!("person-{index}")).expect("stream id");
            let events = (0..3)
                .map(|n| NewEvent {
                    event_id: Uuid::now_v7(),
                    event_type: "Noted".into(),
                    schema_version: 1,
                    payload: json!({ "index": index, "n": n }),
                })
                .collect();
            let meta = AppendMeta {
                recorded_by: "chunk test".into(),
                command_id: Some(Uuid::now_v7()),
            };
            match store
                .append(&stream, ExpectedVersion::NoStream, events, meta)
                .await
                .expect("append")
            {
                AppendOutcome::Appended(result) => (stream, result),
                other => panic!("{other:?}"),
            }
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        results.push(joined.expect("task"));
    }
    assert_eq!(store.head().await.expect("head"), 3000);
    for (stream, result) in results {
        let stored = store.read_stream(&stream, 1).await.expect("read");
        let positions: Vec<u64> = stored.iter().map(|envelope| envelope.position).collect();
        let expected: Vec<u64> = (result.first_position..=result.last_position).collect();
        assert_eq!(positions, expected, "{stream}");
    }
    let report = store.verify().await.expect("verify");
    assert!(report.is_ok(), "{report:?}");
}
