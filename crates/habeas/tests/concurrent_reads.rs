//! Answers keep coming while the read models are rebuilt: a rebuild of a
//! 100 000-event log builds its generation beside the one in service, so
//! `resolve`, `person`, `people` and `roster_rows` (each of which first
//! catches the projections up) are answered from the old generation, and
//! kept up to date with what is recorded meanwhile, until the switch.
//!
//! No timing is measured: the store holds the rebuild's reading of the log
//! halfway until the answers are in, so every answer below completes while
//! the rebuild is still running, whatever the machine's load. Were answers
//! to wait for the rebuild, the test would stop at the first of them (and
//! fail on its deadline, which only guards against hanging).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use habeas::RosterFilter;
use habeas::tracker::{Issued, Tracker};
use habeas_domain::date::PartialDate;
use habeas_domain::event::{
    Appeal, Charge, Charging, Detention, DetentionKind, Event, Hearing, Recognition, Registration,
    Release, ReleaseKind, Restriction, RestrictionKind, Sentencing, Transfer,
};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::id::PersonId;
use habeas_domain::status::Headline;
use habeas_domain::term::Term;
use habeas_store::{
    AppendMeta, AppendOutcome, Envelope, EventStore, ExpectedVersion, MemoryStore, NewEvent,
    StoreError, StoredEnvelope, StreamId, Subscription, VerifyReport,
};
use tokio::sync::watch;
use uuid::Uuid;

/// People in the log; each has ten events.
const PEOPLE: usize = 10_000;
/// The rebuild's reading of the log waits past this position.
const HALFWAY: u64 = 50_000;

/// A memory store whose `read_all_stored` (the rebuild's reading of the
/// log) waits, once armed, for any page starting past [`HALFWAY`] and up to
/// the head at arming, until opened. Catch-ups read only beyond that head,
/// so they never wait.
struct HeldHalfway {
    inner: MemoryStore,
    /// `Some(head)` once armed.
    armed: watch::Sender<Option<u64>>,
    /// Set when a read waits at the gate: the rebuild is halfway.
    reached: watch::Sender<bool>,
    open: watch::Sender<bool>,
}

impl HeldHalfway {
    fn new() -> HeldHalfway {
        HeldHalfway {
            inner: MemoryStore::new(),
            armed: watch::channel(None).0,
            reached: watch::channel(false).0,
            open: watch::channel(false).0,
        }
    }
}

#[async_trait]
impl EventStore for HeldHalfway {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        meta: AppendMeta,
    ) -> Result<AppendOutcome, StoreError> {
        self.inner.append(stream, expected, events, meta).await
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

    async fn read_all_stored(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<StoredEnvelope>, StoreError> {
        let armed = *self.armed.borrow();
        if armed.is_some_and(|head| from_position > HALFWAY && from_position <= head) {
            self.reached.send_replace(true);
            let mut open = self.open.subscribe();
            open.wait_for(|open| *open)
                .await
                .map_err(|_| StoreError::Closed)?;
        }
        self.inner.read_all_stored(from_position, limit).await
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

fn on(days: u64) -> PartialDate {
    let start = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid day");
    PartialDate::from_naive(start + chrono::Days::new(days))
}

fn facts(days: u64) -> Facts {
    Facts::new(on(days), vec![Source::url("https://example.org/report")])
}

/// Prisoner `idx`'s ten events, valid by construction: registered,
/// detained, charged, heard, sentenced, transferred, appealed, recognised,
/// then released (even numbers) and restricted, or transferred again.
fn case(idx: usize) -> Vec<Event> {
    let start = (idx % 3000) as u64;
    let mut events = vec![
        Event::PersonRegistered(Registration {
            name: format!("Prisoner {idx}"),
            aliases: vec![format!("P{idx}")],
            country: Some("Cambodia".into()),
            affiliation: None,
            born: None,
            sources: vec![],
            details: habeas_domain::event::PersonDetails::default(),
        }),
        Event::Detained(Detention {
            facts: facts(start + 10),
            kind: DetentionKind::Arrest,
            place: Some("Phnom Penh".into()),
            authority: None,
            facility: Some("Prey Sar prison".into()),
        }),
        Event::Charged(Charging {
            facts: facts(start + 50),
            charges: vec![Charge {
                offence: "incitement".into(),
                article: None,
            }],
            court: Some("Phnom Penh Municipal Court".into()),
            case_number: None,
        }),
        Event::HearingHeld(Hearing {
            facts: facts(start + 90),
            court: None,
            outcome: None,
        }),
        Event::Sentenced(Sentencing {
            facts: facts(start + 130),
            term: Term::fixed(2, 0, 0),
            court: None,
            in_absentia: false,
            suspended: false,
            ends: None,
            offences: Vec::new(),
        }),
        Event::Transferred(Transfer {
            facts: facts(start + 170),
            from_facility: None,
            to_facility: "Correctional Centre 1".into(),
        }),
        Event::Appealed(Appeal {
            facts: facts(start + 210),
            court: None,
            outcome: None,
        }),
        Event::RecognisedAsPoliticalPrisoner(Recognition {
            facts: facts(start + 250),
            by: "CCHR".into(),
        }),
    ];
    if idx.is_multiple_of(2) {
        events.push(Event::Released(Release {
            facts: facts(start + 290),
            kind: ReleaseKind::EarlyReleaseWithoutReason,
            conditions: None,
            ordered_by: None,
        }));
        events.push(Event::RestrictionImposed(Restriction {
            facts: facts(start + 330),
            kind: RestrictionKind::PoliticalActivityBan,
            description: None,
            until: None,
        }));
    } else {
        for (offset, to) in [(290, "Prison No. 2"), (330, "Prison No. 3")] {
            events.push(Event::Transferred(Transfer {
                facts: facts(start + offset),
                from_facility: None,
                to_facility: to.into(),
            }));
        }
    }
    events
}

/// Appends every prisoner's case, one append each; returns their ids.
async fn fill(store: &dyn EventStore) -> Vec<PersonId> {
    let mut people = Vec::with_capacity(PEOPLE);
    for idx in 0..PEOPLE {
        let person = PersonId::from_uuid(Uuid::now_v7());
        let events = case(idx)
            .iter()
            .map(|event| NewEvent {
                event_id: Uuid::now_v7(),
                event_type: event.event_type().to_owned(),
                schema_version: event.schema_version(),
                payload: event.to_payload(),
            })
            .collect();
        let meta = AppendMeta {
            recorded_by: "test".into(),
            command_id: None,
        };
        let stream = StreamId::new(person.stream_name()).expect("a stream id");
        let outcome = store
            .append(&stream, ExpectedVersion::NoStream, events, meta)
            .await
            .expect("append");
        assert!(matches!(outcome, AppendOutcome::Appended(_)), "{outcome:?}");
        people.push(person);
    }
    people
}

/// What the tests ask for, with what the read model answered before the
/// rebuild: the same log must give the same answers during it.
struct Answers {
    people: Vec<PersonId>,
    released: usize,
    roster: Vec<habeas::PersonStatus>,
}

fn released_roster() -> RosterFilter {
    RosterFilter {
        as_of: Utc::now().date_naive(),
        headlines: vec![Headline::Released, Headline::Restricted],
    }
}

impl Answers {
    /// Asks one of each question (resolve by name, person by id, everyone,
    /// the roster) and checks each answer against the first ones.
    async fn check(&self, tracker: &Tracker, round: usize) {
        let idx = (round * 997) % PEOPLE;
        let found = tracker
            .resolve(&format!("prisoner {idx}"))
            .await
            .expect("resolve");
        assert_eq!(found.id, self.people[idx], "round {round}");
        let entry = tracker
            .person(self.people[idx])
            .await
            .expect("person")
            .expect("a person the read model holds");
        assert_eq!(entry.identity.name, format!("Prisoner {idx}"));
        let everyone = tracker.people().await.expect("people");
        assert_eq!(everyone.people().len(), PEOPLE, "round {round}");
        let roster = tracker
            .roster_rows(&released_roster())
            .await
            .expect("roster");
        assert_eq!(roster.len(), self.released, "round {round}");
        assert_eq!(roster, self.roster, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_served_while_a_rebuild_of_100k_events_runs() {
    let store = Arc::new(HeldHalfway::new());
    let people = fill(store.as_ref()).await;
    let head = store.head().await.expect("head");
    assert_eq!(head, 10 * PEOPLE as u64);
    let tracker = Tracker::with_temporary_projections(store.clone()).expect("tracker");
    tracker.refresh(&mut |_, _| {}).await.expect("first build");
    let generation = tracker.projections().generation();
    let roster = tracker
        .roster_rows(&released_roster())
        .await
        .expect("roster");
    let answers = Answers {
        people,
        released: PEOPLE / 2,
        roster,
    };
    assert_eq!(answers.roster.len(), answers.released);

    store.armed.send_replace(Some(head));
    let mut reached = store.reached.subscribe();
    let rebuilding = tokio::spawn({
        let tracker = tracker.clone();
        async move { tracker.rebuild(&mut |_, _| {}).await }
    });
    let answered_during_the_rebuild = async {
        // The rebuild has read half the log and waits to read on.
        reached
            .wait_for(|reached| *reached)
            .await
            .expect("the store is there");
        let mut answered = 0;
        for round in 0..3 {
            answers.check(&tracker, round).await;
            assert!(!rebuilding.is_finished(), "the rebuild waits for the store");
            answered += 1;
        }
        // Recorded during the rebuild: caught up in the generation in
        // service at once, and in the new one at the switch.
        let registration = Registration {
            name: "Kem Sokha".into(),
            aliases: vec![],
            country: None,
            affiliation: None,
            born: None,
            sources: vec![],
            details: habeas_domain::event::PersonDetails::default(),
        };
        let (newcomer, _) = tracker
            .register_person(registration, &Issued::now("test"))
            .await
            .expect("register");
        let found = tracker.resolve("kem sokha").await.expect("resolve");
        assert_eq!(found.id, newcomer);
        assert!(!rebuilding.is_finished(), "the rebuild waits for the store");
        assert_eq!(tracker.projections().generation(), generation);
        (answered + 1, newcomer)
    };
    let (answered, newcomer) =
        tokio::time::timeout(Duration::from_secs(600), answered_during_the_rebuild)
            .await
            .expect("answers while the rebuild runs, not after it");
    assert_eq!(answered, 4);

    store.open.send_replace(true);
    let checkpoint = rebuilding
        .await
        .expect("the rebuild task")
        .expect("rebuild");
    assert_eq!(checkpoint, store.head().await.expect("head"));
    assert_eq!(tracker.projections().generation(), generation + 1);
    // The new generation holds what was recorded during the build.
    assert_eq!(
        tracker.resolve("Kem Sokha").await.expect("resolve").id,
        newcomer
    );
    let everyone = tracker.people().await.expect("people");
    assert_eq!(everyone.people().len(), PEOPLE + 1);
    let roster = tracker
        .roster_rows(&released_roster())
        .await
        .expect("roster");
    assert_eq!(roster, answers.roster);
}
