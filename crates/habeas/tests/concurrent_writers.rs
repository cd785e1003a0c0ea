//! Many callers recording at once through the facade, on a real sled store:
//! every command recorded once, every stream version used once, positions
//! gapless, the chain intact; and a version conflict met by a writer is
//! retried rather than lost or reported.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::Utc;
use habeas::codec;
use habeas::tracker::{Issued, Subject, Tracker};
use habeas_domain::command::Action;
use habeas_domain::event::{Event, Recognition, Registration};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::id::{CommandId, PersonId};
use habeas_projections::{ProjectionConfig, Projections};
use habeas_store::{
    AppendMeta, AppendOutcome, Envelope, EventStore, ExpectedVersion, NewEvent, StoreError,
    StreamId, Subscription, VerifyReport,
};
use uuid::Uuid;

const CALLERS: usize = 16;
const COMMANDS_PER_CALLER: usize = 6;

fn recognition(by: &str) -> Action {
    Action::RecognisePoliticalPrisoner(Recognition {
        facts: Facts::new(
            "2020-01-01".parse().expect("date"),
            vec![Source::url("https://example.org/list")],
        ),
        by: by.to_owned(),
    })
}

async fn register(tracker: &Tracker, name: &str) -> PersonId {
    let registration = Registration {
        name: name.to_owned(),
        aliases: Vec::new(),
        country: None,
        affiliation: None,
        born: None,
        sources: vec![Source::url("https://example.org/profile")],
        details: habeas_domain::event::PersonDetails::default(),
    };
    tracker
        .register_person(registration, &Issued::now("test"))
        .await
        .expect("registered")
        .0
}

/// The `by` of every recognition in a person's stream, and its versions.
async fn recorded(store: &Arc<dyn EventStore>, person: PersonId) -> (Vec<String>, Vec<u64>) {
    let stream = StreamId::new(person.stream_name()).expect("stream");
    let envelopes = store.read_stream(&stream, 1).await.expect("read");
    let versions = envelopes.iter().map(|envelope| envelope.version).collect();
    let labels = envelopes
        .iter()
        .filter_map(
            |envelope| match codec::recorded(envelope).expect("decoded").event {
                Event::RecognisedAsPoliticalPrisoner(recognition) => Some(recognition.by),
                _ => None,
            },
        )
        .collect();
    (labels, versions)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_callers_record_every_command_once_and_every_version_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = Tracker::open(&dir.path().join("store")).expect("open");
    // A second tracker over the same store, with writer turns of its own:
    // between the two, stream versions race as between two processes.
    let second = Tracker::new(
        first.store().clone(),
        Projections::temporary(ProjectionConfig::default()).expect("projections"),
    );
    let shared = register(&first, "Shared Case").await;
    let mut own = Vec::new();
    for caller in 0..CALLERS {
        own.push(register(&first, &format!("Own Case {caller}")).await);
    }

    let mut callers = tokio::task::JoinSet::new();
    for (caller, own_person) in own.iter().copied().enumerate() {
        let tracker = if caller % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        callers.spawn(async move {
            for command in 0..COMMANDS_PER_CALLER {
                // Half into the case every caller writes to, half into its own.
                let person = if command % 2 == 0 { shared } else { own_person };
                let issued = Issued {
                    recorded_by: format!("caller {caller}"),
                    command_id: Some(CommandId::from_uuid(Uuid::now_v7())),
                    at: Utc::now(),
                };
                let action = recognition(&format!("{caller}/{command}"));
                let first_try = tracker
                    .execute(Subject::Person(person), action.clone(), &issued)
                    .await
                    .expect("recorded");
                assert!(!first_try.already_applied);
                // A client that never saw the answer sends the command again.
                let retry = tracker
                    .execute(Subject::Person(person), action, &issued)
                    .await
                    .expect("answered");
                assert!(retry.already_applied, "a retried command recorded again");
                assert_eq!(retry.event_ids, first_try.event_ids);
            }
        });
    }
    while let Some(done) = callers.join_next().await {
        done.expect("a caller panicked");
    }

    let store = first.store();
    let expected_shared: BTreeSet<String> = (0..CALLERS)
        .flat_map(|caller| {
            (0..COMMANDS_PER_CALLER)
                .filter(|command| command % 2 == 0)
                .map(move |command| format!("{caller}/{command}"))
        })
        .collect();
    let (labels, versions) = recorded(store, shared).await;
    assert_eq!(labels.len(), expected_shared.len(), "each command once");
    assert_eq!(labels.into_iter().collect::<BTreeSet<_>>(), expected_shared);
    assert_eq!(versions, (1..=versions.len() as u64).collect::<Vec<_>>());
    for (caller, person) in own.iter().copied().enumerate() {
        let (labels, versions) = recorded(store, person).await;
        let expected: Vec<String> = (0..COMMANDS_PER_CALLER)
            .filter(|command| command % 2 == 1)
            .map(|command| format!("{caller}/{command}"))
            .collect();
        assert_eq!(labels, expected, "caller {caller}'s own case");
        assert_eq!(versions, vec![1, 2, 3, 4]);
    }

    let head = store.head().await.expect("head");
    let n_events = 1 + CALLERS + CALLERS * COMMANDS_PER_CALLER;
    assert_eq!(head, n_events as u64);
    let positions: Vec<u64> = store
        .read_all(1, n_events + 1)
        .await
        .expect("read all")
        .iter()
        .map(|envelope| envelope.position)
        .collect();
    assert_eq!(positions, (1..=head).collect::<Vec<_>>(), "gapless");
    let report = store.verify().await.expect("verify");
    assert_eq!(report.first_problem, None);
    // The read models of both trackers agree on who is registered.
    assert_eq!(
        first.people().await.expect("people").people().len(),
        1 + CALLERS
    );
    assert_eq!(
        second.people().await.expect("people").people().len(),
        1 + CALLERS
    );
}

/// A store that lets another writer append to a stream just before the
/// first append the tracker makes to it, as a second process would.
struct Interloper {
    inner: Arc<dyn EventStore>,
    interloped: AtomicUsize,
    conflicts: AtomicUsize,
}

#[async_trait]
impl EventStore for Interloper {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        meta: AppendMeta,
    ) -> Result<AppendOutcome, StoreError> {
        if matches!(expected, ExpectedVersion::Exact(version) if version > 0)
            && self.interloped.fetch_add(1, Ordering::SeqCst) == 0
        {
            let Action::RecognisePoliticalPrisoner(recognition) = recognition("another process")
            else {
                unreachable!("a recognition")
            };
            let other = codec::new_event(&Event::RecognisedAsPoliticalPrisoner(recognition));
            let other_meta = AppendMeta {
                recorded_by: "someone else".into(),
                command_id: None,
            };
            self.inner
                .append(stream, ExpectedVersion::Any, vec![other], other_meta)
                .await?;
        }
        let outcome = self.inner.append(stream, expected, events, meta).await?;
        if matches!(outcome, AppendOutcome::Conflict { .. }) {
            self.conflicts.fetch_add(1, Ordering::SeqCst);
        }
        Ok(outcome)
    }

    async fn read_stream(
        &self,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<Envelope>, StoreError> {
        self.inner.read_stream(stream, from_version).await
    }

    async fn read_all(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<Envelope>, StoreError> {
        self.inner.read_all(from_position, limit).await
    }

    async fn read_event(&self, event_id: Uuid) -> Result<Option<Envelope>, StoreError> {
        self.inner.read_event(event_id).await
    }

    async fn restore(&self, envelopes: Vec<Envelope>) -> Result<u64, StoreError> {
        self.inner.restore(envelopes).await
    }

    async fn head(&self) -> Result<u64, StoreError> {
        self.inner.head().await
    }

    async fn subscribe(&self, from_position: u64) -> Result<Subscription, StoreError> {
        self.inner.subscribe(from_position).await
    }

    async fn verify_with_progress(
        &self,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<VerifyReport, StoreError> {
        self.inner.verify_with_progress(progress).await
    }
}

#[tokio::test]
async fn a_version_conflict_is_decided_again_and_recorded_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tracker = Tracker::open(&dir.path().join("store")).expect("open");
    let person = register(&tracker, "Raced Case").await;
    let interloper = Arc::new(Interloper {
        inner: tracker.store().clone(),
        interloped: AtomicUsize::new(0),
        conflicts: AtomicUsize::new(0),
    });
    let raced = Tracker::new(
        interloper.clone(),
        Projections::temporary(ProjectionConfig::default()).expect("projections"),
    );
    let recorded_now = raced
        .execute(
            Subject::Person(person),
            recognition("ours"),
            &Issued::now("test"),
        )
        .await
        .expect("recorded after the conflict");
    assert!(!recorded_now.already_applied);
    assert_eq!(
        interloper.conflicts.load(Ordering::SeqCst),
        1,
        "one conflict met"
    );
    let (labels, versions) = recorded(tracker.store(), person).await;
    assert_eq!(
        labels,
        vec!["another process".to_owned(), "ours".to_owned()]
    );
    assert_eq!(versions, vec![1, 2, 3]);
}
