//! Shared by the projection tests: short builders for actions, and a recorder
//! that writes through `decide` into a real sled store, as the facade does.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use habeas_domain::command::{Action, Command};
use habeas_domain::date::PartialDate;
use habeas_domain::decide::decide;
use habeas_domain::event::{
    Charge, Charging, Correction, Death, DetailsChange, Detention, DetentionKind, Event, Exile,
    Lifting, Registration, Release, ReleaseKind, Restriction, RestrictionKind, Retraction,
    Sentencing, Statement, StatementKind, Transfer,
};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::id::{EventId, PersonId, StatementId};
use habeas_projections::{ProjectionConfig, Projections};
use habeas_store::{AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StreamId};
use habeas_store_sled::{SledConfig, SledStore};
use uuid::Uuid;

pub fn d(text: &str) -> PartialDate {
    text.parse().expect("test dates are valid")
}

pub fn day(text: &str) -> chrono::NaiveDate {
    text.parse().expect("test days are YYYY-MM-DD")
}

pub fn facts(date: &str) -> Facts {
    Facts::new(d(date), vec![Source::url("https://example.org/report")])
}

pub fn register(name: &str, aliases: &[&str]) -> Action {
    Action::RegisterPerson(Registration {
        name: name.to_owned(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        country: Some("Cambodia".to_owned()),
        affiliation: None,
        born: None,
        sources: vec![],
        details: habeas_domain::event::PersonDetails::default(),
    })
}

pub fn add_alias(alias: &str) -> Action {
    Action::ChangePersonDetails(DetailsChange {
        add_aliases: vec![alias.to_owned()],
        ..DetailsChange::default()
    })
}

pub fn rename(name: &str) -> Action {
    Action::ChangePersonDetails(DetailsChange {
        name: Some(name.to_owned()),
        ..DetailsChange::default()
    })
}

pub fn detained_as(date: &str, kind: DetentionKind) -> Action {
    Action::RecordDetention(Detention {
        facts: facts(date),
        kind,
        place: Some("Phnom Penh".to_owned()),
        authority: None,
        facility: Some("Prey Sar prison".to_owned()),
    })
}

pub fn detained(date: &str) -> Action {
    detained_as(date, DetentionKind::Arrest)
}

pub fn charged(date: &str) -> Action {
    Action::RecordCharges(Charging {
        facts: facts(date),
        charges: vec![Charge {
            offence: "incitement".to_owned(),
            article: Some("Criminal Code art. 495".to_owned()),
        }],
        court: Some("Phnom Penh Municipal Court".to_owned()),
        case_number: None,
    })
}

pub fn sentenced(date: &str, term: &str) -> Action {
    Action::RecordSentence(Sentencing {
        facts: facts(date),
        term: Some(term.parse().expect("test terms are valid")),
        court: Some("Phnom Penh Municipal Court".to_owned()),
        in_absentia: false,
        suspended: false,
        ends: None,
        offences: Vec::new(),
    })
}

pub fn sentenced_in_absentia(date: &str, term: &str) -> Action {
    Action::RecordSentence(Sentencing {
        facts: facts(date),
        term: Some(term.parse().expect("test terms are valid")),
        court: None,
        in_absentia: true,
        suspended: false,
        ends: None,
        offences: Vec::new(),
    })
}

pub fn released(date: &str) -> Action {
    Action::RecordRelease(Release {
        facts: facts(date),
        kind: ReleaseKind::EarlyReleaseWithoutReason,
        conditions: None,
        ordered_by: None,
    })
}

pub fn transferred(date: &str, to: &str) -> Action {
    Action::RecordTransfer(Transfer {
        facts: facts(date),
        from_facility: None,
        to_facility: to.to_owned(),
    })
}

pub fn restricted(date: &str, until: Option<&str>) -> Action {
    Action::ImposeRestriction(Restriction {
        facts: facts(date),
        kind: RestrictionKind::PoliticalActivityBan,
        description: None,
        until: until.map(d),
    })
}

pub fn lifted(date: &str) -> Action {
    Action::LiftRestriction(Lifting {
        facts: facts(date),
        kind: RestrictionKind::PoliticalActivityBan,
    })
}

pub fn died(date: &str) -> Action {
    Action::RecordDeathInCustody(Death {
        facts: facts(date),
        circumstances: None,
    })
}

pub fn exiled(date: &str) -> Action {
    Action::RecordExile(Exile {
        facts: facts(date),
        country: None,
        circumstances: None,
    })
}

pub fn statement_about(date: &str, about: &[PersonId]) -> Action {
    Action::IssueStatement(Statement {
        facts: facts(date),
        by: "United Nations".to_owned(),
        by_role: None,
        about: about.to_vec(),
        kind: StatementKind::CallForRelease,
        summary: "Urges the release of the detained.".to_owned(),
    })
}

pub fn retract(target: EventId) -> Action {
    Action::RetractEvent(Retraction {
        target,
        reason: "the source was mistaken".to_owned(),
    })
}

pub fn correct(target: EventId, corrected: Action) -> Action {
    Action::CorrectEvent(Correction {
        target,
        corrected: Box::new(corrected.into_event()),
        reason: "a better source".to_owned(),
    })
}

/// A sled store and a projection database in one temporary data directory.
pub struct World {
    pub store: Arc<SledStore>,
    pub projections: Projections,
    pub directory: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        let directory = tempfile::tempdir().expect("temporary directory");
        let store = SledStore::open(directory.path().join("events"), SledConfig::default())
            .expect("open the store");
        let projections = Projections::open(
            directory.path().join("projections"),
            ProjectionConfig::default(),
        )
        .expect("open the projections");
        World {
            store: Arc::new(store),
            projections,
            directory,
        }
    }

    /// Records actions on one stream through `decide`, one append each;
    /// returns the event ids written.
    pub async fn record(&self, stream: &str, actions: Vec<Action>) -> Vec<EventId> {
        record(self.store.as_ref(), stream, actions, Utc::now()).await
    }

    pub async fn register(&self, name: &str, aliases: &[&str]) -> PersonId {
        let person = PersonId::from_uuid(Uuid::now_v7());
        self.record(&person.stream_name(), vec![register(name, aliases)])
            .await;
        person
    }

    pub async fn person(&self, person: PersonId, actions: Vec<Action>) -> Vec<EventId> {
        self.record(&person.stream_name(), actions).await
    }

    pub async fn statement(&self, action: Action) -> (StatementId, EventId) {
        let statement = StatementId::from_uuid(Uuid::now_v7());
        let ids = self.record(&statement.stream_name(), vec![action]).await;
        (statement, ids[0])
    }

    pub async fn catch_up(&self) -> u64 {
        self.projections
            .catch_up(self.store.as_ref())
            .await
            .expect("catch up")
    }
}

/// Records actions on `stream` through `decide`, one append each.
pub async fn record(
    store: &dyn EventStore,
    stream: &str,
    actions: Vec<Action>,
    issued_at: DateTime<Utc>,
) -> Vec<EventId> {
    let stream = StreamId::new(stream).expect("stream id");
    let mut ids = Vec::new();
    for action in actions {
        let envelopes = store.read_stream(&stream, 1).await.expect("read stream");
        let history: Vec<_> = envelopes
            .iter()
            .map(|e| habeas_projections::recorded(e).expect("decode"))
            .collect();
        let command = Command {
            id: None,
            issued_at,
            action,
        };
        let events: Vec<Event> = decide(&history, &command)
            .unwrap_or_else(|error| {
                panic!("{stream}: the rules refuse {:?}: {error}", command.action)
            })
            .into_events();
        let new_events: Vec<NewEvent> = events
            .iter()
            .map(|event| NewEvent {
                event_id: Uuid::now_v7(),
                event_type: event.event_type().to_owned(),
                schema_version: event.schema_version(),
                payload: event.to_payload(),
            })
            .collect();
        ids.extend(new_events.iter().map(|e| EventId::from_uuid(e.event_id)));
        let expected = match envelopes.last() {
            None => ExpectedVersion::NoStream,
            Some(last) => ExpectedVersion::Exact(last.version),
        };
        let meta = AppendMeta {
            recorded_by: "test".to_owned(),
            command_id: None,
        };
        let outcome = store
            .append(&stream, expected, new_events, meta)
            .await
            .expect("append");
        assert!(matches!(outcome, AppendOutcome::Appended(_)), "{outcome:?}");
    }
    ids
}

/// Flushes and closes a projection database opened with `sled::open` (and a tree of
/// it), returning once sled has released its lock, so that `Projections::open` right
/// after does not find it locked by sled's own background jobs.
pub fn close_raw_sled(db: sled::Db, tree: sled::Tree, path: &std::path::Path) {
    db.flush().expect("flush");
    drop((tree, db));
    assert!(
        habeas_store_sled::wait_for_sled_release(path, habeas_store_sled::SLED_RELEASE_TIMEOUT),
        "sled kept {} locked",
        path.display()
    );
}

/// The database and read-model tree of the generation in service in the
/// projections folder `path`, opened directly with `sled::open` (the way a
/// disk fault or a stray tool would reach them), and its directory. Close
/// with [`close_raw_sled`].
pub fn open_current_generation(
    path: &std::path::Path,
) -> (sled::Db, sled::Tree, std::path::PathBuf) {
    let current = std::fs::read_to_string(path.join("CURRENT")).expect("CURRENT");
    let number: u64 = current
        .trim()
        .strip_prefix("generation ")
        .and_then(|number| number.parse().ok())
        .expect("CURRENT names a generation");
    let directory = path.join(format!("generation-{number}"));
    let db = sled::open(&directory).expect("open the generation's database directly");
    let tree = db.open_tree("read-model").expect("open the read model");
    (db, tree, directory)
}

/// The names in a folder, sorted.
pub fn folder_entries(path: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path)
        .expect("read the folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}
