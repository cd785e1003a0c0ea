//! The behaviour every [`EventStore`] backend must show, as reusable async checks.
//!
//! A backend's tests instantiate the whole suite with [`crate::conformance_tests!`],
//! passing a closure that opens a fresh, empty store (with the given upcaster) and
//! returns it in a [`Harness`]. Each check panics with a message naming what differed.

use std::any::Any;
use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::append::{AppendMeta, AppendOutcome, AppendResult, ExpectedVersion, NewEvent};
use crate::error::StoreError;
use crate::hash::GENESIS_HASH;
use crate::store::EventStore;
use crate::stream_id::StreamId;
use crate::upcast::Upcaster;

/// A freshly opened, empty store and whatever must live as long as it (e.g. a temporary
/// directory).
pub struct Harness {
    /// The store under test.
    pub store: Arc<dyn EventStore>,
    /// Dropped after the check; keep temporary directories here.
    pub keep_alive: Box<dyn Any + Send>,
}

/// Instantiates every conformance check as a `#[tokio::test]` in the calling module.
///
/// `$open` is an expression of a type implementing
/// `Fn(Option<Arc<dyn Upcaster>>) -> impl Future<Output = Harness>`; it must open a new,
/// empty store per call.
///
/// `conformance_tests!(open, skip_unless = available())` runs each check only when
/// `available()` (evaluated per check) is true: for a backend whose server may be
/// missing on a developer's machine, which then prints why it skips (and fails
/// instead under CI).
#[macro_export]
macro_rules! conformance_tests {
    ($open:expr) => {
        $crate::conformance_tests!($open, skip_unless = true);
    };
    ($open:expr, skip_unless = $available:expr) => {
        $crate::conformance_tests!(@cases $open; $available;
            append_then_read_round_trips,
            expected_versions_conflict_as_values,
            command_id_makes_appends_idempotent,
            empty_appends_are_refused,
            event_ids_are_unique,
            read_all_keeps_order_and_limit,
            head_is_last_position,
            events_are_found_by_id,
            multi_event_appends_are_contiguous,
            subscription_catches_up_then_goes_live,
            verify_passes_on_an_intact_log,
            concurrent_exact_appends_use_each_version_once,
            reads_are_upcast_and_verify_uses_the_stored_form,
            restore_reproduces_the_log_verbatim,
            restore_refuses_a_broken_chain_and_writes_nothing,
        );
    };
    (@cases $open:expr; $available:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                if $available {
                    $crate::conformance::$case(&$open).await;
                }
            }
        )*
    };
}

fn stream(name: &str) -> StreamId {
    StreamId::new(name).expect("test stream names are valid")
}

fn event(label: &str) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "Noted".into(),
        schema_version: 1,
        payload: json!({ "label": label, "nested": { "z": 1, "a": [1.5, "two", null] } }),
    }
}

fn meta(command_id: Option<Uuid>) -> AppendMeta {
    AppendMeta {
        recorded_by: "conformance".into(),
        command_id,
    }
}

fn appended(outcome: Result<AppendOutcome, StoreError>) -> AppendResult {
    match outcome {
        Ok(AppendOutcome::Appended(result)) => result,
        other => panic!("expected Appended, got {other:?}"),
    }
}

async fn fresh<F, Fut>(open: &F) -> Harness
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = open(None).await;
    assert_eq!(
        harness.store.head().await.expect("head"),
        0,
        "a new store is empty"
    );
    harness
}

/// `read_event` finds every stored event by its id, upcast, and nothing for an
/// unknown id.
pub async fn events_are_found_by_id<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = open(Some(Arc::new(RenameFieldUpcaster))).await;
    let store = &harness.store;
    let registered = NewEvent {
        event_type: "PersonRegistered".into(),
        payload: json!({ "name": "Rong Chhun" }),
        ..event("registered")
    };
    let first = vec![registered.clone(), event("two")];
    let second = vec![event("three")];
    appended(
        store
            .append(
                &stream("person-a"),
                ExpectedVersion::Any,
                first.clone(),
                meta(None),
            )
            .await,
    );
    appended(
        store
            .append(
                &stream("statement-b"),
                ExpectedVersion::Any,
                second.clone(),
                meta(None),
            )
            .await,
    );
    let everything = store.read_all(1, 10).await.expect("read_all");
    for (new, expected_stream) in first
        .iter()
        .map(|e| (e, "person-a"))
        .chain(second.iter().map(|e| (e, "statement-b")))
    {
        let found = store
            .read_event(new.event_id)
            .await
            .expect("read_event")
            .unwrap_or_else(|| panic!("event {} not found by id", new.event_id));
        assert_eq!(found.stream.as_str(), expected_stream);
        let same = everything
            .iter()
            .find(|e| e.event_id == new.event_id)
            .expect("in read_all");
        assert_eq!(
            &found, same,
            "read_event returns what read_all returns (upcast)"
        );
    }
    let upcast = store
        .read_event(registered.event_id)
        .await
        .expect("read_event")
        .expect("found");
    assert_eq!(upcast.payload, json!({ "full_name": "Rong Chhun" }));
    assert_eq!(
        store.read_event(Uuid::now_v7()).await.expect("read_event"),
        None,
        "an unknown id finds nothing"
    );
}

/// Appended events read back identical, with the envelope fields the store sets.
pub async fn append_then_read_round_trips<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = fresh(open).await;
    let store = &harness.store;
    let person = stream("person-1");
    let events = vec![event("first"), event("second")];
    let command_id = Uuid::now_v7();
    let result = appended(
        store
            .append(
                &person,
                ExpectedVersion::NoStream,
                events.clone(),
                meta(Some(command_id)),
            )
            .await,
    );
    assert_eq!(
        (
            result.first_position,
            result.last_position,
            result.stream_version
        ),
        (1, 2, 2)
    );
    assert_eq!(
        result.event_ids,
        vec![events[0].event_id, events[1].event_id]
    );

    let read = store.read_stream(&person, 1).await.expect("read_stream");
    assert_eq!(read.len(), 2);
    for (index, (envelope, sent)) in read.iter().zip(&events).enumerate() {
        let index = index as u64;
        assert_eq!(envelope.position, index + 1);
        assert_eq!(envelope.version, index + 1);
        assert_eq!(envelope.stream, person);
        assert_eq!(envelope.event_id, sent.event_id);
        assert_eq!(envelope.event_type, sent.event_type);
        assert_eq!(envelope.schema_version, sent.schema_version);
        assert_eq!(envelope.payload, sent.payload);
        assert_eq!(envelope.recorded_by, "conformance");
        assert_eq!(envelope.command_id, Some(command_id));
        assert_eq!(envelope.recorded_at, result.recorded_at);
        assert_eq!(envelope.hash.len(), 64);
    }
    assert_eq!(read[0].prev_hash, GENESIS_HASH);
    assert_eq!(read[1].prev_hash, read[0].hash);
    assert_eq!(
        store
            .read_stream(&person, 2)
            .await
            .expect("read_stream")
            .len(),
        1
    );
    assert!(
        store
            .read_stream(&stream("person-unknown"), 1)
            .await
            .expect("read")
            .is_empty()
    );
    let all = store.read_all(0, 10).await.expect("read_all");
    assert_eq!(all, read);
}

/// Version mismatches come back as `Conflict` values and write nothing.
pub async fn expected_versions_conflict_as_values<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = fresh(open).await;
    let store = &harness.store;
    let person = stream("person-2");
    let outcome = store
        .append(
            &person,
            ExpectedVersion::Exact(1),
            vec![event("a")],
            meta(None),
        )
        .await
        .expect("append");
    assert_eq!(
        outcome,
        AppendOutcome::Conflict {
            expected: ExpectedVersion::Exact(1),
            actual: None
        }
    );
    appended(
        store
            .append(
                &person,
                ExpectedVersion::Exact(0),
                vec![event("b")],
                meta(None),
            )
            .await,
    );
    let outcome = store
        .append(
            &person,
            ExpectedVersion::NoStream,
            vec![event("c")],
            meta(None),
        )
        .await
        .expect("append");
    assert_eq!(
        outcome,
        AppendOutcome::Conflict {
            expected: ExpectedVersion::NoStream,
            actual: Some(1)
        }
    );
    let outcome = store
        .append(
            &person,
            ExpectedVersion::Exact(5),
            vec![event("d")],
            meta(None),
        )
        .await
        .expect("append");
    assert_eq!(
        outcome,
        AppendOutcome::Conflict {
            expected: ExpectedVersion::Exact(5),
            actual: Some(1)
        }
    );
    let result = appended(
        store
            .append(
                &person,
                ExpectedVersion::Exact(1),
                vec![event("e")],
                meta(None),
            )
            .await,
    );
    assert_eq!(result.stream_version, 2);
    let result = appended(
        store
            .append(&person, ExpectedVersion::Any, vec![event("f")], meta(None))
            .await,
    );
    assert_eq!(result.stream_version, 3);
    let labels: Vec<Value> = store
        .read_stream(&person, 1)
        .await
        .expect("read")
        .into_iter()
        .map(|envelope| envelope.payload["label"].clone())
        .collect();
    assert_eq!(
        labels,
        vec![json!("b"), json!("e"), json!("f")],
        "conflicts wrote nothing"
    );
    assert_eq!(store.head().await.expect("head"), 3);
}

/// A repeated command id returns the first append's result and writes nothing.
pub async fn command_id_makes_appends_idempotent<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = fresh(open).await;
    let store = &harness.store;
    let person = stream("person-3");
    let command_id = Uuid::now_v7();
    let first = appended(
        store
            .append(
                &person,
                ExpectedVersion::NoStream,
                vec![event("a"), event("b")],
                meta(Some(command_id)),
            )
            .await,
    );
    // A retry with the same command id but different events and a now-stale expectation.
    let second = store
        .append(
            &person,
            ExpectedVersion::NoStream,
            vec![event("c")],
            meta(Some(command_id)),
        )
        .await
        .expect("append");
    assert_eq!(second, AppendOutcome::AlreadyApplied(first.clone()));
    assert_eq!(
        store.head().await.expect("head"),
        2,
        "the retry wrote nothing"
    );
    assert_eq!(store.read_stream(&person, 1).await.expect("read").len(), 2);
    // Another command id is a new append.
    let other = appended(
        store
            .append(
                &person,
                ExpectedVersion::Exact(2),
                vec![event("d")],
                meta(Some(Uuid::now_v7())),
            )
            .await,
    );
    assert_eq!(other.first_position, 3);
}

/// An append of no events is an error, not an empty success.
pub async fn empty_appends_are_refused<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = fresh(open).await;
    let outcome = harness
        .store
        .append(
            &stream("person-4"),
            ExpectedVersion::Any,
            Vec::new(),
            meta(None),
        )
        .await;
    assert!(
        matches!(outcome, Err(StoreError::NothingToAppend { .. })),
        "{outcome:?}"
    );
    assert_eq!(harness.store.head().await.expect("head"), 0);
}

/// An event id is stored at most once: an append reusing the id of a stored event, or
/// using one id twice, is refused with `DuplicateEventId` and writes nothing; a retry
/// with the same command id is still `AlreadyApplied`; of concurrent appends sharing an
/// id exactly one lands.
pub async fn event_ids_are_unique<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    const RACERS: usize = 8;
    let harness = fresh(open).await;
    let store = &harness.store;
    let person = stream("person-ids");
    let command_id = Uuid::now_v7();
    let events = vec![event("a"), event("b")];
    let first = appended(
        store
            .append(
                &person,
                ExpectedVersion::NoStream,
                events.clone(),
                meta(Some(command_id)),
            )
            .await,
    );
    let duplicate_of = |event_id: Uuid, position: Option<u64>| {
        move |outcome: &Result<AppendOutcome, StoreError>| {
            matches!(
                outcome,
                Err(StoreError::DuplicateEventId { event_id: id, position: at })
                    if *id == event_id && *at == position
            )
        }
    };

    // The id of a stored event, in another stream, behind a fresh one.
    let reused = NewEvent {
        payload: json!({ "label": "reused id" }),
        ..events[1].clone()
    };
    let outcome = store
        .append(
            &stream("person-other"),
            ExpectedVersion::Any,
            vec![event("fresh"), reused.clone()],
            meta(None),
        )
        .await;
    assert!(
        duplicate_of(reused.event_id, Some(2))(&outcome),
        "{outcome:?}"
    );
    // The same in the same stream with a matching expectation, and with a new command id.
    let outcome = store
        .append(
            &person,
            ExpectedVersion::Exact(2),
            vec![reused.clone()],
            meta(Some(Uuid::now_v7())),
        )
        .await;
    assert!(
        duplicate_of(reused.event_id, Some(2))(&outcome),
        "{outcome:?}"
    );
    // One new id twice in one append.
    let twice = event("twice");
    let outcome = store
        .append(
            &person,
            ExpectedVersion::Any,
            vec![twice.clone(), event("between"), twice.clone()],
            meta(None),
        )
        .await;
    assert!(duplicate_of(twice.event_id, None)(&outcome), "{outcome:?}");
    assert_eq!(
        store.head().await.expect("head"),
        2,
        "refusals wrote nothing"
    );
    assert!(
        store
            .read_stream(&stream("person-other"), 1)
            .await
            .expect("read")
            .is_empty()
    );
    // A retry of the whole command, ids included, is recognised as a retry.
    let retry = store
        .append(
            &person,
            ExpectedVersion::NoStream,
            events.clone(),
            meta(Some(command_id)),
        )
        .await
        .expect("append");
    assert_eq!(retry, AppendOutcome::AlreadyApplied(first));

    // Concurrent appends to different streams sharing one id: one lands, the others are
    // told where.
    let shared = event("shared");
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for racer in 0..RACERS {
        let store = Arc::clone(&harness.store);
        let barrier = Arc::clone(&barrier);
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store
                .append(
                    &stream(&format!("racer-{racer}")),
                    ExpectedVersion::Any,
                    vec![shared],
                    meta(None),
                )
                .await
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("task"));
    }
    let winners: Vec<u64> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            Ok(AppendOutcome::Appended(result)) => Some(result.first_position),
            _ => None,
        })
        .collect();
    assert_eq!(winners, vec![3], "exactly one racer lands: {outcomes:?}");
    for outcome in &outcomes {
        assert!(
            outcome.is_ok() || duplicate_of(shared.event_id, Some(3))(outcome),
            "{outcome:?}"
        );
    }
    assert_eq!(store.head().await.expect("head"), 3);
    let all = store.read_all(1, 100).await.expect("read_all");
    let ids: HashSet<Uuid> = all.iter().map(|envelope| envelope.event_id).collect();
    assert_eq!(ids.len(), all.len(), "every stored id is unique");
    assert!(store.verify().await.expect("verify").is_ok());
}

/// `read_all` returns events in position order, from the given position, at most `limit`.
pub async fn read_all_keeps_order_and_limit<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = fresh(open).await;
    let store = &harness.store;
    for index in 0..10 {
        let target = stream(if index % 2 == 0 {
            "person-even"
        } else {
            "person-odd"
        });
        appended(
            store
                .append(
                    &target,
                    ExpectedVersion::Any,
                    vec![event(&index.to_string())],
                    meta(None),
                )
                .await,
        );
    }
    let positions = |envelopes: Vec<crate::Envelope>| -> Vec<u64> {
        envelopes.iter().map(|envelope| envelope.position).collect()
    };
    assert_eq!(
        positions(store.read_all(0, 100).await.expect("read")),
        (1..=10).collect::<Vec<_>>()
    );
    let stored = store.read_all_stored(4, 3).await.expect("read stored");
    assert_eq!(
        stored.iter().map(|s| s.position).collect::<Vec<_>>(),
        vec![4, 5, 6]
    );
    for (stored, read) in stored.iter().zip(store.read_all(4, 3).await.expect("read")) {
        assert_eq!(stored.decode().expect("decodes"), read, "the same envelope");
    }
    assert!(
        store
            .read_all_stored(11, 5)
            .await
            .expect("read stored")
            .is_empty()
    );
    assert_eq!(
        positions(store.read_all(1, 3).await.expect("read")),
        vec![1, 2, 3]
    );
    assert_eq!(
        positions(store.read_all(4, 3).await.expect("read")),
        vec![4, 5, 6]
    );
    assert_eq!(
        positions(store.read_all(9, 100).await.expect("read")),
        vec![9, 10]
    );
    assert!(store.read_all(11, 100).await.expect("read").is_empty());
    assert!(store.read_all(1, 0).await.expect("read").is_empty());
    let labels: Vec<Value> = store
        .read_all(1, 100)
        .await
        .expect("read")
        .into_iter()
        .map(|envelope| envelope.payload["label"].clone())
        .collect();
    assert_eq!(
        labels,
        (0..10)
            .map(|index| json!(index.to_string()))
            .collect::<Vec<_>>()
    );
}

/// `head` is 0 when empty, then the last position.
pub async fn head_is_last_position<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = fresh(open).await;
    let store = &harness.store;
    appended(
        store
            .append(
                &stream("a"),
                ExpectedVersion::Any,
                vec![event("1"), event("2")],
                meta(None),
            )
            .await,
    );
    assert_eq!(store.head().await.expect("head"), 2);
    appended(
        store
            .append(
                &stream("b"),
                ExpectedVersion::Any,
                vec![event("3")],
                meta(None),
            )
            .await,
    );
    assert_eq!(store.head().await.expect("head"), 3);
}

/// Concurrent multi-event appends each get one contiguous range, never interleaved.
pub async fn multi_event_appends_are_contiguous<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = fresh(open).await;
    let mut tasks = Vec::new();
    for task_index in 0..8 {
        let store = Arc::clone(&harness.store);
        tasks.push(tokio::spawn(async move {
            let target = stream(&format!("statement-{task_index}"));
            let mut results = Vec::new();
            for round in 0..4 {
                let events = (0..=round % 3)
                    .map(|n| event(&format!("{task_index}/{round}/{n}")))
                    .collect();
                results.push((
                    target.clone(),
                    appended(
                        store
                            .append(&target, ExpectedVersion::Any, events, meta(None))
                            .await,
                    ),
                ));
            }
            results
        }));
    }
    let mut covered = BTreeSet::new();
    for task in tasks {
        for (target, result) in task.await.expect("task") {
            let range = result.first_position..=result.last_position;
            assert_eq!(range.clone().count(), result.event_ids.len());
            let envelopes = harness
                .store
                .read_all(result.first_position, result.event_ids.len())
                .await
                .expect("read");
            let ids: Vec<Uuid> = envelopes.iter().map(|envelope| envelope.event_id).collect();
            assert_eq!(
                ids, result.event_ids,
                "the append's events are exactly its range"
            );
            assert!(envelopes.iter().all(|envelope| envelope.stream == target));
            for position in range {
                assert!(covered.insert(position), "position {position} used twice");
            }
        }
    }
    let head = harness.store.head().await.expect("head");
    assert_eq!(
        covered,
        (1..=head).collect::<BTreeSet<_>>(),
        "positions are gapless"
    );
}

/// A subscription replays stored events, then delivers new ones, without gap or duplicate.
pub async fn subscription_catches_up_then_goes_live<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = fresh(open).await;
    let store = Arc::clone(&harness.store);
    let person = stream("person-5");
    for index in 0..3 {
        appended(
            store
                .append(
                    &person,
                    ExpectedVersion::Any,
                    vec![event(&index.to_string())],
                    meta(None),
                )
                .await,
        );
    }
    let mut from_start = store.subscribe(0).await.expect("subscribe");
    let mut from_middle = store.subscribe(3).await.expect("subscribe");
    let writer = {
        let store = Arc::clone(&store);
        let person = person.clone();
        tokio::spawn(async move {
            for index in 3..20 {
                let events = vec![event(&index.to_string())];
                appended(
                    store
                        .append(&person, ExpectedVersion::Any, events, meta(None))
                        .await,
                );
                if index % 4 == 0 {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        })
    };
    let mut seen = Vec::new();
    for _ in 0..20 {
        let envelope = tokio::time::timeout(Duration::from_secs(10), from_start.next())
            .await
            .expect("the subscription delivers every event")
            .expect("next");
        seen.push(envelope.position);
    }
    writer.await.expect("writer task");
    assert_eq!(seen, (1..=20).collect::<Vec<_>>());
    let mut seen_from_middle = Vec::new();
    for _ in 3..=20 {
        seen_from_middle.push(from_middle.next().await.expect("next").position);
    }
    assert_eq!(seen_from_middle, (3..=20).collect::<Vec<_>>());
    let extra = tokio::time::timeout(Duration::from_millis(100), from_start.next()).await;
    assert!(extra.is_err(), "no event beyond the head: {extra:?}");
    // A later append still reaches the subscriber that was waiting.
    appended(
        store
            .append(
                &person,
                ExpectedVersion::Any,
                vec![event("late")],
                meta(None),
            )
            .await,
    );
    let late = tokio::time::timeout(Duration::from_secs(10), from_start.next())
        .await
        .expect("the late event arrives")
        .expect("next");
    assert_eq!(
        (late.position, late.payload["label"].clone()),
        (21, json!("late"))
    );
}

/// `verify` accepts what the store wrote.
pub async fn verify_passes_on_an_intact_log<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = fresh(open).await;
    let store = &harness.store;
    let empty = store.verify().await.expect("verify");
    assert_eq!((empty.n_events, empty.first_problem), (0, None));
    for index in 0..30 {
        let target = stream(&format!("person-{}", index % 4));
        appended(
            store
                .append(
                    &target,
                    ExpectedVersion::Any,
                    vec![event("x"), event("y")],
                    meta(None),
                )
                .await,
        );
    }
    let mut calls = Vec::new();
    let report = store
        .verify_with_progress(&mut |done, total| calls.push((done, total)))
        .await
        .expect("verify");
    assert_eq!(report.first_problem, None);
    assert_eq!(report.n_events, 60);
    assert!(report.is_ok());
    assert_eq!(calls.last(), Some(&(60, 60)), "progress ends at the total");
}

/// 16 tasks race on one stream with `Exact` versions: every version is used once and
/// every loser gets a `Conflict`.
pub async fn concurrent_exact_appends_use_each_version_once<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    const TASKS: usize = 16;
    const APPENDS_PER_TASK: usize = 5;
    let harness = fresh(open).await;
    let person = stream("person-contended");
    let barrier = Arc::new(Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for task_index in 0..TASKS {
        let store = Arc::clone(&harness.store);
        let person = person.clone();
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            let mut versions = Vec::new();
            let mut conflicts = 0usize;
            let mut first_round = true;
            while versions.len() < APPENDS_PER_TASK {
                let current = store.read_stream(&person, 1).await.expect("read").len() as u64;
                if first_round {
                    // Everyone reads version 0 before anyone appends: exactly one wins.
                    barrier.wait().await;
                    first_round = false;
                }
                let events = vec![event(&format!("task {task_index}"))];
                match store
                    .append(&person, ExpectedVersion::Exact(current), events, meta(None))
                    .await
                {
                    Ok(AppendOutcome::Appended(result)) => {
                        assert_eq!(result.stream_version, current + 1);
                        versions.push(result.stream_version);
                    }
                    Ok(AppendOutcome::Conflict { expected, actual }) => {
                        assert_eq!(expected, ExpectedVersion::Exact(current));
                        assert!(
                            actual.unwrap_or(0) > current,
                            "a loser sees a newer version"
                        );
                        conflicts += 1;
                    }
                    other => panic!("unexpected append outcome {other:?}"),
                }
            }
            (versions, conflicts)
        }));
    }
    let mut all_versions = HashSet::new();
    let mut successes = 0usize;
    let mut conflicts = 0usize;
    for task in tasks {
        let (versions, task_conflicts) = task.await.expect("task");
        successes += versions.len();
        conflicts += task_conflicts;
        for version in versions {
            assert!(all_versions.insert(version), "version {version} used twice");
        }
    }
    let total = (TASKS * APPENDS_PER_TASK) as u64;
    assert_eq!(successes as u64, total);
    assert_eq!(all_versions, (1..=total).collect::<HashSet<_>>());
    assert!(
        conflicts >= TASKS - 1,
        "the first round alone has {} losers, saw {conflicts}",
        TASKS - 1
    );
    let stream_events = harness.store.read_stream(&person, 1).await.expect("read");
    assert_eq!(stream_events.len() as u64, total);
    assert_eq!(harness.store.head().await.expect("head"), total);
    assert!(harness.store.verify().await.expect("verify").is_ok());
}

/// Renames `name` to `full_name` in version 1 payloads of `PersonRegistered`.
#[derive(Debug)]
pub struct RenameFieldUpcaster;

impl Upcaster for RenameFieldUpcaster {
    fn upcast(
        &self,
        event_type: &str,
        schema_version: u32,
        mut payload: Value,
    ) -> Result<(u32, Value), String> {
        match (event_type, schema_version) {
            ("PersonRegistered", 1) => {
                let object = payload
                    .as_object_mut()
                    .ok_or("the payload is not an object")?;
                let name = object.remove("name").ok_or("the payload has no name")?;
                object.insert("full_name".into(), name);
                Ok((2, payload))
            }
            ("PersonRegistered", 0) => Err("schema version 0 was never written".into()),
            _ => Ok((schema_version, payload)),
        }
    }
}

/// Reads return upcast envelopes; verify and the hash chain use the stored form.
pub async fn reads_are_upcast_and_verify_uses_the_stored_form<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let harness = open(Some(Arc::new(RenameFieldUpcaster))).await;
    let store = &harness.store;
    let person = stream("person-upcast");
    let old = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "PersonRegistered".into(),
        schema_version: 1,
        payload: json!({ "name": "Ales Bialiatski" }),
    };
    appended(
        store
            .append(
                &person,
                ExpectedVersion::NoStream,
                vec![old, event("other")],
                meta(None),
            )
            .await,
    );
    let read = store.read_stream(&person, 1).await.expect("read");
    assert_eq!(read[0].schema_version, 2);
    assert_eq!(read[0].payload, json!({ "full_name": "Ales Bialiatski" }));
    assert_eq!(
        read[1].payload["label"],
        json!("other"),
        "other events pass through"
    );
    assert_eq!(
        store.read_all(1, 1).await.expect("read_all")[0].payload,
        read[0].payload
    );
    let stored = store.read_all_stored(1, 10).await.expect("read_all_stored");
    assert_eq!(stored.len(), 2);
    let first = stored[0].decode().expect("decodes");
    assert_eq!(
        (first.position, first.schema_version, &first.payload),
        (1, 1, &json!({ "name": "Ales Bialiatski" })),
        "stored envelopes are neither decoded nor upcast"
    );
    assert_eq!(first.hash, read[0].hash);
    let mut subscription = store.subscribe(1).await.expect("subscribe");
    assert_eq!(subscription.next().await.expect("next").schema_version, 2);
    assert!(
        store.verify().await.expect("verify").is_ok(),
        "verify hashes the stored form"
    );

    let never = NewEvent {
        schema_version: 0,
        ..event("never")
    };
    let never = NewEvent {
        event_type: "PersonRegistered".into(),
        ..never
    };
    appended(
        store
            .append(&person, ExpectedVersion::Any, vec![never], meta(None))
            .await,
    );
    let refused = store.read_stream(&person, 3).await;
    assert!(
        matches!(
            &refused,
            Err(StoreError::Upcast {
                position: 3,
                schema_version: 0,
                ..
            })
        ),
        "{refused:?}"
    );
}

/// A small log: two streams, a multi-event command, an event without command id.
async fn sample_log(store: &dyn EventStore) -> Vec<crate::envelope::Envelope> {
    let person = stream("person-1");
    let case = stream("case-1");
    let command = Uuid::now_v7();
    appended(
        store
            .append(
                &person,
                ExpectedVersion::NoStream,
                vec![event("a"), event("b"), event("c")],
                meta(Some(command)),
            )
            .await,
    );
    appended(
        store
            .append(&case, ExpectedVersion::Any, vec![event("d")], meta(None))
            .await,
    );
    appended(
        store
            .append(
                &person,
                ExpectedVersion::Exact(3),
                vec![event("e"), event("f")],
                meta(Some(Uuid::now_v7())),
            )
            .await,
    );
    let all = store.read_all(0, 100).await.expect("read_all");
    assert_eq!(all.len(), 6);
    all
}

/// `read_all` of one store restored into a fresh one (in two calls, splitting a
/// command) reads back identical, hashes included; the command results and indexes work.
pub async fn restore_reproduces_the_log_verbatim<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let source = fresh(open).await;
    let original = sample_log(&*source.store).await;
    let target = fresh(open).await;
    let store = &target.store;
    assert_eq!(store.restore(Vec::new()).await.expect("empty restore"), 0);
    assert_eq!(
        store
            .restore(original[..2].to_vec())
            .await
            .expect("restore"),
        2
    );
    assert_eq!(
        store
            .restore(original[2..].to_vec())
            .await
            .expect("restore"),
        6
    );
    assert_eq!(store.head().await.expect("head"), 6);
    assert_eq!(store.read_all(0, 100).await.expect("read_all"), original);
    let person = store
        .read_stream(&stream("person-1"), 1)
        .await
        .expect("read_stream");
    assert_eq!(person.len(), 5);
    let report = store.verify().await.expect("verify");
    assert!(report.first_problem.is_none(), "{report:?}");
    assert_eq!(report.n_events, 6);
    // The first command (split over the two calls) is known with all its events.
    let command = original[0].command_id.expect("command id");
    match store
        .append(
            &stream("person-1"),
            ExpectedVersion::Any,
            vec![event("x")],
            meta(Some(command)),
        )
        .await
    {
        Ok(AppendOutcome::AlreadyApplied(result)) => {
            assert_eq!((result.first_position, result.last_position), (1, 3));
            assert_eq!(result.stream_version, 3);
            assert_eq!(result.recorded_at, original[0].recorded_at);
            let ids: Vec<Uuid> = original[..3].iter().map(|e| e.event_id).collect();
            assert_eq!(result.event_ids, ids);
        }
        other => panic!("expected AlreadyApplied, got {other:?}"),
    }
    // Event ids are indexed; appends continue the restored chain and versions.
    let reused = NewEvent {
        event_id: original[3].event_id,
        ..event("y")
    };
    assert!(matches!(
        store
            .append(
                &stream("case-2"),
                ExpectedVersion::Any,
                vec![reused],
                meta(None)
            )
            .await,
        Err(StoreError::DuplicateEventId {
            position: Some(4),
            ..
        })
    ));
    let next = appended(
        store
            .append(
                &stream("person-1"),
                ExpectedVersion::Exact(5),
                vec![event("z")],
                meta(None),
            )
            .await,
    );
    assert_eq!(next.first_position, 7);
    let all = store.read_all(7, 1).await.expect("read_all");
    assert_eq!(all[0].prev_hash, original[5].hash);
    // Restoring what is already there is refused (it does not continue the head).
    assert!(matches!(
        store.restore(original.clone()).await,
        Err(StoreError::RestoreRefused { position: 8, .. })
    ));
}

/// A bad hash, a gap, a wrong `prev_hash`, a version gap or a reused event id is refused
/// with the position of the first bad envelope, and nothing of the call is written.
pub async fn restore_refuses_a_broken_chain_and_writes_nothing<F, Fut>(open: &F)
where
    F: Fn(Option<Arc<dyn Upcaster>>) -> Fut,
    Fut: Future<Output = Harness>,
{
    let source = fresh(open).await;
    let original = sample_log(&*source.store).await;
    let target = fresh(open).await;
    let store = &target.store;

    let mut altered = original.clone();
    altered[3].payload = json!({ "label": "changed" });
    let mut gap = original.clone();
    gap.remove(2);
    let mut relinked = original.clone();
    relinked[4].prev_hash = "1".repeat(64);
    relinked[4].hash = crate::hash::envelope_hash(&relinked[4]).expect("hash");
    let mut bad_hash = original.clone();
    bad_hash[1].hash = "0".repeat(64);
    let mut swapped = original.clone();
    swapped.swap(2, 3);
    let mut version_gap = original.clone();
    version_gap[4].version = 9;
    version_gap[4].hash = crate::hash::envelope_hash(&version_gap[4]).expect("hash");
    let mut not_first = original.clone();
    not_first.remove(0);

    for (name, envelopes, position) in [
        ("altered payload", altered, 4),
        ("missing event", gap, 3),
        ("wrong prev_hash", relinked, 5),
        ("bad hash", bad_hash, 2),
        ("swapped events", swapped, 3),
        ("version gap", version_gap, 5),
        ("not starting at head + 1", not_first, 1),
    ] {
        match store.restore(envelopes).await {
            Err(StoreError::RestoreRefused {
                position: at,
                reason,
            }) => {
                assert_eq!(at, position, "{name}: {reason}");
            }
            other => panic!("{name}: expected RestoreRefused, got {other:?}"),
        }
        assert_eq!(store.head().await.expect("head"), 0, "{name}");
        assert!(
            store.read_all(0, 100).await.expect("read_all").is_empty(),
            "{name}"
        );
    }
    // A duplicate event id (with a correct chain) is refused too.
    assert_eq!(
        store
            .restore(original[..4].to_vec())
            .await
            .expect("restore"),
        4
    );
    let mut duplicate = original[4].clone();
    duplicate.event_id = original[0].event_id;
    duplicate.hash = crate::hash::envelope_hash(&duplicate).expect("hash");
    assert!(matches!(
        store.restore(vec![duplicate]).await,
        Err(StoreError::RestoreRefused { position: 5, .. })
    ));
    assert_eq!(store.head().await.expect("head"), 4);
    let report = store.verify().await.expect("verify");
    assert!(report.first_problem.is_none(), "{report:?}");
}
