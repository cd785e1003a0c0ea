//! The `Tracker`: the one entry point the CLI (and later the HTTP server) uses.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use habeas_domain::amendment::Amendment;
use habeas_domain::command::{Action, Command};
use habeas_domain::decide::{Decision, decide};
use habeas_domain::event::{Correction, Event, Retraction, Statement};
use habeas_domain::history::{CaseFile, RecordedEvent, evolve};
use habeas_domain::id::{CommandId, EventId, PersonId, StatementId};
use habeas_domain::names::fold;
use habeas_domain::status::{Headline, Status, View, status};
use habeas_projections::{
    AuditReport, PersonStatus, ProjectionConfig, ProjectionError, Projections, RosterFilter,
};
use habeas_store::{AppendMeta, AppendOutcome, Envelope, EventStore, ExpectedVersion, StreamId};
use uuid::Uuid;

use crate::codec;
use crate::error::TrackerError;
use crate::holder::HolderNote;
use crate::open::{Location, OpenOptions};
use crate::people::{PersonEntry, PersonIndex, closest};
use crate::stream_locks::StreamLocks;

/// How many times `execute` reloads and decides again when another writer
/// appended to the same stream in between. Within a process writers of one
/// stream take turns (`stream_locks.rs`), so conflicts come from other
/// processes; a busy one can win several rounds in a row while its own
/// queue of writers drains, hence a generous bound with a jittered pause.
const MAX_ATTEMPTS: u32 = 32;

/// The longest pause between two attempts, in milliseconds.
const MAX_BACKOFF_MS: u64 = 50;

pub use habeas_domain::subject::Subject;

/// The stream a subject's events are stored in.
pub(crate) fn stream_of(subject: Subject) -> StreamId {
    StreamId::new(subject.stream_name()).expect("person and statement stream names are valid")
}

/// Who records, and with which command id, for idempotent retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// Who entered it (kept in the envelope, shown in the audit appendix).
    pub recorded_by: String,
    /// Set it to make a retry safe.
    pub command_id: Option<CommandId>,
    /// When the command is issued; its day is the recording day.
    pub at: DateTime<Utc>,
}

impl Issued {
    /// Issued now by `recorded_by`, with no command id.
    pub fn now(recorded_by: impl Into<String>) -> Self {
        Self {
            recorded_by: recorded_by.into(),
            command_id: None,
            at: Utc::now(),
        }
    }
}

/// What `execute` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The stream written to.
    pub stream: StreamId,
    /// The ids of the events, in order.
    pub event_ids: Vec<EventId>,
    /// Global position of the last one.
    pub last_position: u64,
    /// True when the command id had been applied before and nothing new was written.
    pub already_applied: bool,
}

/// One line of a person's audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The stored envelope (position, ids, recorded time and by whom).
    pub envelope: Envelope,
    /// The event as recorded.
    pub event: Event,
    /// The person's headline as it stood right after this event was
    /// recorded: as of its recording day, known at its recording time.
    pub headline_after: Headline,
    /// The statement the event belongs to, for an event of a statement that
    /// names the person (statements live in their own streams).
    pub statement: Option<StatementId>,
    /// For a correction or a retraction: the fact it amends, as it stood just
    /// before (after any earlier correction), so that a front end can show
    /// what changed from what.
    pub amended: Option<Event>,
}

/// A statement as it stands after corrections, with where it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementRecord {
    /// The statement's id.
    pub id: StatementId,
    /// The event that first recorded it.
    pub event_id: EventId,
    /// The statement after corrections.
    pub statement: Statement,
}

/// The application facade over one event store and its read models.
///
/// Commands and per-person answers (status, history, reports) replay the
/// person's stream: streams are short, and the replay is the proof. Finding
/// people (by name, slug or alias), listing them, the statements naming a
/// person and rosters come from the projections, which every such call first
/// brings up to date with the log ([`Tracker::refresh`]), so they never lag
/// behind what this tracker (or another process) recorded.
#[derive(Clone)]
pub struct Tracker {
    /// The note naming this process as the holder of its data directory,
    /// removed when the last clone drops. First, so that it goes before the
    /// store and its locks do: a note never outlives the locks it speaks of.
    _holder_note: Option<Arc<HolderNote>>,
    store: Arc<dyn EventStore>,
    projections: Projections,
    /// Writers of one stream take turns within this process.
    writers: Arc<StreamLocks>,
    /// The same store as a PostgreSQL database, when it is one: for what front
    /// ends keep beside the log there (the server's secrets).
    database: Option<habeas_store_postgres::PostgresStore>,
}

impl Tracker {
    /// A tracker over any store (sled, in memory, later PostgreSQL) and the
    /// projections fed from it.
    pub fn new(store: Arc<dyn EventStore>, projections: Projections) -> Self {
        Self {
            _holder_note: None,
            store,
            projections,
            writers: Arc::new(StreamLocks::default()),
            database: None,
        }
    }

    /// A tracker over a PostgreSQL store, which also hands out the database
    /// ([`Tracker::database`]).
    pub fn on_database(
        store: habeas_store_postgres::PostgresStore,
        projections: Projections,
    ) -> Self {
        Self {
            database: Some(store.clone()),
            ..Self::new(Arc::new(store), projections)
        }
    }

    /// The PostgreSQL database the log is in, if it is in one: several
    /// processes share it, and front ends keep there what they must share
    /// beside the log (the server's accounts' secrets) instead of in files.
    pub fn database(&self) -> Option<&habeas_store_postgres::PostgresStore> {
        self.database.as_ref()
    }

    /// The same tracker, keeping `note` until its last clone drops.
    pub(crate) fn holding(self, note: Option<HolderNote>) -> Self {
        Self {
            _holder_note: note.map(Arc::new),
            ..self
        }
    }

    /// A tracker whose projections live in a temporary directory removed on
    /// drop: for a store that is not a data directory (an in-memory copy for
    /// an import's dry run, tests).
    pub fn with_temporary_projections(store: Arc<dyn EventStore>) -> Result<Self, TrackerError> {
        Ok(Self::new(
            store,
            Projections::temporary(ProjectionConfig::default())?,
        ))
    }

    /// Opens a Habeas data directory, creating it when it is missing or
    /// empty (front ends that must not create one use [`crate::open::open`]).
    pub fn open(path: &Path) -> Result<Self, TrackerError> {
        let options = OpenOptions {
            create: true,
            ..OpenOptions::default()
        };
        crate::open::open(&Location::from(path), options)
    }

    /// Opens a data directory whose reads return events exactly as stored,
    /// old schema versions included (see [`OpenOptions::stored_form`]).
    pub fn open_stored_form(path: &Path) -> Result<Self, TrackerError> {
        let options = OpenOptions {
            create: true,
            stored_form: true,
            ..OpenOptions::default()
        };
        crate::open::open(&Location::from(path), options)
    }

    /// The store, for export, verification and subscriptions.
    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    /// The read models.
    pub fn projections(&self) -> &Projections {
        &self.projections
    }

    /// Brings the projections up to date with the log, calling
    /// `progress(done, total)` as pages are applied (the first catch-up of a
    /// large store takes a while; later ones apply only what is new). When
    /// the projections were fed from another log (the store was restored
    /// from a backup), they are rebuilt from the log instead: they are
    /// derived data. Returns the checkpoint.
    pub async fn refresh(
        &self,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<u64, TrackerError> {
        match self
            .projections
            .catch_up_with_progress(self.store.as_ref(), progress)
            .await
        {
            Err(ProjectionError::Diverged { .. }) => self.rebuild(progress).await,
            other => Ok(other?),
        }
    }

    async fn fresh(&self) -> Result<(), TrackerError> {
        self.refresh(&mut |_, _| {}).await.map(|_| ())
    }

    /// Rebuilds every read model from the log into a fresh generation and
    /// switches to it (answers keep coming from the old one meanwhile).
    pub async fn rebuild(
        &self,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<u64, TrackerError> {
        Ok(self
            .projections
            .rebuild(self.store.as_ref(), progress)
            .await?)
    }

    /// Replays every person from the log and compares with the read models
    /// (after bringing them up to date): each difference is a read model
    /// that does not say what the log says.
    /// `progress(unit, done, total)` reports the log scan ("events"), then
    /// the people replayed ("people").
    pub async fn audit(
        &self,
        as_of: chrono::NaiveDate,
        progress: &mut (dyn FnMut(&'static str, u64, u64) + Send),
    ) -> Result<AuditReport, TrackerError> {
        self.refresh(&mut |done, total| progress("events", done, total))
            .await?;
        Ok(self
            .projections
            .audit_with_progress(self.store.as_ref(), as_of, progress)
            .await?)
    }

    /// Decides a command against the subject's history and appends what it
    /// records, with the expected version; on a version conflict, reloads and
    /// decides again (a bounded number of times). A command whose id was
    /// applied before returns the first result and writes nothing.
    pub async fn execute(
        &self,
        subject: Subject,
        action: Action,
        issued: &Issued,
    ) -> Result<Recorded, TrackerError> {
        self.execute_all(subject, vec![action], issued).await
    }

    /// Like [`Tracker::execute`] for several actions on one subject, all or
    /// nothing: each is decided against the history plus the events decided
    /// before it, and all are appended in one atomic append (an imported
    /// spreadsheet row becomes a person and their whole case, or nothing).
    pub async fn execute_all(
        &self,
        subject: Subject,
        actions: Vec<Action>,
        issued: &Issued,
    ) -> Result<Recorded, TrackerError> {
        let stream = stream_of(subject);
        let command_uuid = issued.command_id.map(|id| *id.as_uuid());
        let _turn = self.writers.lock(&stream).await;
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            let envelopes = self.store.read_stream(&stream, 1).await?;
            let mut history = envelopes
                .iter()
                .map(codec::recorded)
                .collect::<Result<Vec<_>, _>>()?;
            let mut new_events = Vec::new();
            for (idx, action) in actions.iter().enumerate() {
                let command = Command {
                    // The id rides on the first action: `decide` recognises a
                    // retry there; the rest of the batch belongs to it.
                    id: if idx == 0 { issued.command_id } else { None },
                    issued_at: issued.at,
                    action: action.clone(),
                };
                let events = match decide(&history, &command)? {
                    Decision::Record(events) => events,
                    // Only the first action carries the command id.
                    Decision::AlreadyApplied => {
                        return Ok(already_applied(stream, &envelopes, command_uuid));
                    }
                };
                for event in events {
                    let new_event = codec::new_event(&event);
                    history.push(RecordedEvent {
                        id: EventId::from_uuid(new_event.event_id),
                        recorded_at: issued.at,
                        command_id: None,
                        event,
                    });
                    new_events.push(new_event);
                }
            }
            let expected = match envelopes.last() {
                None => ExpectedVersion::NoStream,
                Some(last) => ExpectedVersion::Exact(last.version),
            };
            let meta = AppendMeta {
                recorded_by: issued.recorded_by.clone(),
                command_id: command_uuid,
            };
            let (result, already_applied) = match self
                .store
                .append(&stream, expected, new_events, meta)
                .await?
            {
                AppendOutcome::Appended(result) => (result, false),
                AppendOutcome::AlreadyApplied(result) => (result, true),
                AppendOutcome::Conflict { .. } => continue,
            };
            return Ok(Recorded {
                stream,
                event_ids: result
                    .event_ids
                    .iter()
                    .copied()
                    .map(EventId::from_uuid)
                    .collect(),
                last_position: result.last_position,
                already_applied,
            });
        }
        Err(TrackerError::Contention {
            stream: stream.to_string(),
            attempts: MAX_ATTEMPTS,
        })
    }

    /// Registers a new person; returns their id.
    pub async fn register_person(
        &self,
        registration: habeas_domain::event::Registration,
        issued: &Issued,
    ) -> Result<(PersonId, Recorded), TrackerError> {
        let id = PersonId::from_uuid(Uuid::now_v7());
        let recorded = self
            .execute(
                Subject::Person(id),
                Action::RegisterPerson(registration),
                issued,
            )
            .await?;
        Ok((id, recorded))
    }

    /// Records a new statement in its own stream; returns its id.
    pub async fn issue_statement(
        &self,
        statement: Statement,
        issued: &Issued,
    ) -> Result<(StatementId, Recorded), TrackerError> {
        for person in &statement.about {
            self.history_of(Subject::Person(*person))
                .await?
                .first()
                .ok_or_else(|| TrackerError::UnknownPerson {
                    reference: person.to_string(),
                    suggestions: Vec::new(),
                })?;
        }
        let id = StatementId::from_uuid(Uuid::now_v7());
        let recorded = self
            .execute(
                Subject::Statement(id),
                Action::IssueStatement(statement),
                issued,
            )
            .await?;
        Ok((id, recorded))
    }

    /// A stream's events as the domain sees them, in recording order.
    pub async fn history_of(&self, subject: Subject) -> Result<Vec<RecordedEvent>, TrackerError> {
        self.store
            .read_stream(&stream_of(subject), 1)
            .await?
            .iter()
            .map(codec::recorded)
            .collect()
    }

    /// A person's status at a valid time as known at a transaction time,
    /// replayed from their stream.
    pub async fn status(&self, person: PersonId, view: View) -> Result<Status, TrackerError> {
        let history = self.history_of(Subject::Person(person)).await?;
        if history.is_empty() {
            return Err(TrackerError::UnknownPerson {
                reference: person.to_string(),
                suggestions: Vec::new(),
            });
        }
        Ok(status(&history, view))
    }

    /// A person's audit trail, in recording order: every event of their
    /// stream and of the statements that name them, each with its envelope,
    /// the person's headline right after it was recorded and, for a
    /// correction or a retraction, the fact it amends as it stood before.
    pub async fn history(&self, person: PersonId) -> Result<Vec<HistoryEntry>, TrackerError> {
        let own = self
            .store
            .read_stream(&stream_of(Subject::Person(person)), 1)
            .await?;
        let person_history = own
            .iter()
            .map(codec::recorded)
            .collect::<Result<Vec<_>, _>>()?;
        let mut streams = vec![(None, own)];
        if !person_history.is_empty() {
            self.fresh().await?;
            let naming = self
                .lookup(move |projections| Ok(projections.statements_naming(person)?))
                .await?;
            for id in naming {
                let envelopes = self
                    .store
                    .read_stream(&stream_of(Subject::Statement(id)), 1)
                    .await?;
                streams.push((Some(id), envelopes));
            }
        }
        let mut entries = Vec::new();
        for (statement, envelopes) in streams {
            // The stream's case file, folded one event at a time, knows each
            // fact as it stood when a later event amended it.
            let mut file = CaseFile::default();
            for envelope in envelopes {
                let recorded = codec::recorded(&envelope)?;
                let amended = match &recorded.event {
                    Event::EventCorrected(Correction { target, .. })
                    | Event::EventRetracted(Retraction { target, .. }) => {
                        file.entry(*target).map(|entry| entry.effective.clone())
                    }
                    _ => None,
                };
                let view = View {
                    as_of: recorded.recorded_at.date_naive(),
                    known_at: recorded.recorded_at,
                };
                file = evolve(file, &recorded);
                entries.push(HistoryEntry {
                    envelope,
                    headline_after: status(&person_history, view).headline,
                    event: recorded.event,
                    statement,
                    amended,
                });
            }
        }
        entries.sort_by_key(|entry| entry.envelope.position);
        Ok(entries)
    }

    /// Resolves what a user typed: a full id, a slug, or a name or alias
    /// matching exactly one person after folding. Unknown references come
    /// back with the closest names; ambiguous ones with every candidate.
    pub async fn resolve(&self, reference: &str) -> Result<PersonEntry, TrackerError> {
        self.fresh().await?;
        let reference = reference.to_owned();
        self.lookup(move |projections| resolve_in(projections, &reference))
            .await
    }

    /// The person with this id, as the read model knows them.
    pub async fn person(&self, id: PersonId) -> Result<Option<PersonEntry>, TrackerError> {
        self.fresh().await?;
        self.lookup(move |projections| entry_in(projections, id))
            .await
    }

    /// Everyone registered, by id (roughly registration order), to list
    /// people or resolve many names in memory (an import).
    pub async fn people(&self) -> Result<PersonIndex, TrackerError> {
        self.fresh().await?;
        self.lookup(|projections| {
            let mut people = Vec::new();
            for id in projections.people()? {
                // A record merged into another is listed once, as that one.
                let Some(row) = projections.person(id)? else {
                    continue;
                };
                if row.merged_into.is_none() {
                    people.extend(PersonEntry::from_row(&row));
                }
            }
            Ok(PersonIndex::from_entries(people))
        })
        .await
    }

    /// The records merged into `person` (duplicates closed by
    /// [`Tracker::merge`]), whose own histories stay readable.
    pub async fn merged_into(&self, person: PersonId) -> Result<Vec<PersonEntry>, TrackerError> {
        self.fresh().await?;
        self.lookup(move |projections| {
            let mut merged = Vec::new();
            for id in projections.people()? {
                if let Some(row) = projections.person(id)?
                    && row.merged_into == Some(person)
                {
                    merged.extend(PersonEntry::from_row(&row));
                }
            }
            Ok(merged)
        })
        .await
    }

    /// Runs reads of the read models on tokio's blocking pool: they are sled
    /// reads, and a server's executor threads must not wait for the disk.
    async fn lookup<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Projections) -> Result<T, TrackerError> + Send + 'static,
    ) -> Result<T, TrackerError> {
        let projections = self.projections.clone();
        tokio::task::spawn_blocking(move || read(&projections))
            .await
            .map_err(|error| {
                TrackerError::Projections(ProjectionError::Worker(error.to_string()))
            })?
    }

    /// Everyone with one of the filter's headlines on its day, from the
    /// roster index, ordered by headline then name.
    pub async fn roster_rows(
        &self,
        filter: &RosterFilter,
    ) -> Result<Vec<PersonStatus>, TrackerError> {
        self.fresh().await?;
        let mut rows = self.projections.roster(self.store.as_ref(), filter).await?;
        // A duplicate merged into another record, or a retracted
        // registration, documents no one: counting it would count a person
        // twice, or someone who does not exist.
        rows.retain(|row| row.merged_into.is_none() && row.identity.is_some());
        Ok(rows)
    }

    /// The person's record and every record merged into it: the ids a
    /// statement about this person may name.
    pub(crate) async fn records_of(&self, person: PersonId) -> Result<Vec<PersonId>, TrackerError> {
        let mut records = vec![person];
        records.extend(self.merged_into(person).await?.iter().map(|entry| entry.id));
        Ok(records)
    }

    /// The history of every statement stream that has ever named the person
    /// or a record merged into theirs, oldest statement first.
    pub(crate) async fn statement_histories_naming(
        &self,
        person: PersonId,
    ) -> Result<Vec<(StatementId, Vec<RecordedEvent>)>, TrackerError> {
        self.fresh().await?;
        let mut naming: Vec<StatementId> = Vec::new();
        for record in self.records_of(person).await? {
            for id in self
                .lookup(move |projections| Ok(projections.statements_naming(record)?))
                .await?
            {
                if !naming.contains(&id) {
                    naming.push(id);
                }
            }
        }
        let mut found = Vec::new();
        for id in naming {
            found.push((id, self.history_of(Subject::Statement(id)).await?));
        }
        Ok(found)
    }

    /// Every statement that names the person, as it stands after corrections,
    /// retracted ones left out, oldest first.
    pub async fn statements_about(
        &self,
        person: PersonId,
    ) -> Result<Vec<StatementRecord>, TrackerError> {
        let records = self.records_of(person).await?;
        let mut found = Vec::new();
        for (id, history) in self.statement_histories_naming(person).await? {
            let file = CaseFile::from_history(&history);
            for entry in file.live_entries() {
                if let Event::StatementIssued(statement) = &entry.effective
                    && statement.about.iter().any(|about| records.contains(about))
                {
                    found.push(StatementRecord {
                        id,
                        event_id: entry.id,
                        statement: statement.clone(),
                    });
                }
            }
        }
        found.sort_by_key(|record| record.statement.facts.occurred);
        Ok(found)
    }

    /// Every statement in the store, as it stands after corrections,
    /// retracted ones left out, oldest first: those that name no one too
    /// (a government's "17 activists released" names nobody by name), which
    /// no person's report shows. A scan of the log, page by page (the read
    /// models index statements by the people they name, not all of them).
    pub async fn statements(&self) -> Result<Vec<StatementRecord>, TrackerError> {
        const PAGE: usize = 4096;
        let mut ids: Vec<StatementId> = Vec::new();
        let mut from = 1;
        loop {
            let page = self.store.read_all(from, PAGE).await?;
            let Some(last) = page.last() else { break };
            from = last.position + 1;
            for envelope in &page {
                if envelope.event_type == "StatementIssued"
                    && let Some(Subject::Statement(id)) =
                        Subject::of_stream(envelope.stream.as_str())
                    && !ids.contains(&id)
                {
                    ids.push(id);
                }
            }
            if page.len() < PAGE {
                break;
            }
        }
        let mut found = Vec::new();
        for id in ids {
            let history = self.history_of(Subject::Statement(id)).await?;
            let file = CaseFile::from_history(&history);
            for entry in file.live_entries() {
                if let Event::StatementIssued(statement) = &entry.effective {
                    found.push(StatementRecord {
                        id,
                        event_id: entry.id,
                        statement: statement.clone(),
                    });
                }
            }
        }
        found.sort_by_key(|record| record.statement.facts.occurred);
        Ok(found)
    }

    /// The subject an event belongs to, for corrections and retractions that
    /// name only the event id.
    pub async fn subject_of(&self, event: EventId) -> Result<Option<Subject>, TrackerError> {
        Ok(self
            .store
            .read_event(*event.as_uuid())
            .await?
            .and_then(|envelope| Subject::of_stream(envelope.stream.as_str())))
    }

    /// The fact an event id names, as it stands now (after corrections), and
    /// whose stream it is in: what a correction or a retraction targets.
    async fn target(&self, event: EventId) -> Result<(Subject, Event), TrackerError> {
        let subject = self
            .subject_of(event)
            .await?
            .ok_or(TrackerError::UnknownEvent { event })?;
        let history = self.history_of(subject).await?;
        let file = CaseFile::from_history(&history);
        let entry = file.entry(event).ok_or(TrackerError::NotAFact { event })?;
        Ok((subject, entry.effective.clone()))
    }

    /// The person whose registration `event` is, if it is one.
    async fn registration_subject(&self, event: EventId) -> Result<Option<Subject>, TrackerError> {
        let Some(subject @ Subject::Person(_)) = self.subject_of(event).await? else {
            return Ok(None);
        };
        let history = self.history_of(subject).await?;
        let file = CaseFile::from_history(&history);
        Ok((file.registration() == Some(event)).then_some(subject))
    }

    /// Merges the record `duplicate` into `into`, one person registered
    /// twice: the duplicate's facts in force are recorded again on `into`
    /// (judged by the rules there like new ones, so a contradiction between
    /// the two records is refused, naming the facts, and nothing is
    /// written), with its names as aliases; then the duplicate is closed
    /// with a `PersonMerged` event listing each fact and its copy. Both
    /// histories stay in the log; the duplicate's names and slug resolve to
    /// `into` from then on, and lists and rosters count the person once.
    ///
    /// Two appends, on two streams: the copies first (all or nothing), then
    /// the closing event. With a command id a retry after a failure between
    /// them records the copies once and closes the duplicate.
    pub async fn merge(
        &self,
        duplicate: &PersonEntry,
        into: &PersonEntry,
        reason: String,
        issued: &Issued,
    ) -> Result<(Option<Recorded>, Recorded), TrackerError> {
        if duplicate.id == into.id {
            return Err(TrackerError::MergeIntoItself {
                reference: duplicate.slug.clone(),
                name: into.label(),
            });
        }
        let history = self.history_of(Subject::Person(duplicate.id)).await?;
        let file = CaseFile::from_history(&history);
        let facts: Vec<(EventId, Event)> = file
            .live_entries()
            .map(|entry| (entry.id, entry.effective.clone()))
            .collect();
        let mut actions: Vec<Action> = facts
            .iter()
            .map(|(_, event)| Action::from(event.clone()))
            .collect();
        let mut names: Vec<String> = std::iter::once(duplicate.identity.name.clone())
            .chain(duplicate.identity.aliases.iter().cloned())
            .filter(|name| {
                fold(name) != fold(&into.identity.name)
                    && !into.identity.aliases.iter().any(|a| fold(a) == fold(name))
            })
            .collect();
        names.dedup();
        if !names.is_empty() {
            actions.push(Action::ChangePersonDetails(
                habeas_domain::event::DetailsChange {
                    name: None,
                    add_aliases: names,
                    remove_aliases: Vec::new(),
                    country: None,
                    affiliation: None,
                    born: None,
                    details: habeas_domain::event::PersonDetails::default(),
                    // The names come from the duplicate's registration.
                    sources: history
                        .iter()
                        .find_map(|recorded| match &recorded.event {
                            Event::PersonRegistered(registration) => {
                                Some(registration.sources.clone())
                            }
                            _ => None,
                        })
                        .unwrap_or_default(),
                },
            ));
        }
        let copied = if actions.is_empty() {
            None
        } else {
            Some(
                self.execute_all(Subject::Person(into.id), actions, issued)
                    .await?,
            )
        };
        let pairs: Vec<(EventId, EventId)> = match &copied {
            Some(recorded) => facts
                .iter()
                .map(|(id, _)| *id)
                .zip(recorded.event_ids.iter().copied())
                .collect(),
            None => Vec::new(),
        };
        let closing = Issued {
            // Its own command id, derived from the first: one id per stream.
            command_id: issued.command_id.map(|id| {
                CommandId::from_uuid(Uuid::from_u128(id.as_uuid().as_u128() ^ MERGE_CLOSING_ID))
            }),
            ..issued.clone()
        };
        let closed = self
            .execute(
                Subject::Person(duplicate.id),
                Action::MergePerson(habeas_domain::event::Merger {
                    into: into.id,
                    reason,
                    copied: pairs,
                }),
                &closing,
            )
            .await?;
        Ok((copied, closed))
    }

    /// Corrects a recorded fact: the fields the amendment gives change, the
    /// rest stay as they stand (after any earlier correction). The corrected
    /// fact is judged by the rules like a new one; the original stays in the
    /// log, and the history shows both.
    pub async fn correct(
        &self,
        event: EventId,
        amendment: &Amendment,
        reason: String,
        issued: &Issued,
    ) -> Result<Recorded, TrackerError> {
        let (subject, current) = self.target(event).await?;
        let corrected = amendment.apply(event, &current)?;
        let action = Action::CorrectEvent(Correction {
            target: event,
            corrected: Box::new(corrected),
            reason,
        });
        self.execute(subject, action, issued).await
    }

    /// Retracts a recorded fact (it was never true, or it is about someone
    /// else): nothing is deleted; from now on the fact no longer counts, and
    /// "as known at" an earlier moment it still does.
    pub async fn retract(
        &self,
        event: EventId,
        reason: String,
        issued: &Issued,
    ) -> Result<Recorded, TrackerError> {
        let subject = match self.registration_subject(event).await? {
            // A registration: the rules let it go only with nothing on it.
            Some(subject) => subject,
            None => self.target(event).await?.0,
        };
        let action = Action::RetractEvent(Retraction {
            target: event,
            reason,
        });
        self.execute(subject, action, issued).await
    }
}

/// A random pause before attempt `attempt` (1 or more), growing with the
/// attempts up to [`MAX_BACKOFF_MS`]: two writers that conflicted do not
/// retry in lockstep. The randomness is a v7 UUID's random bits, which the
/// tracker draws for event ids anyway.
fn backoff(attempt: u32) -> std::time::Duration {
    let ceiling = (1u64 << attempt.min(6)).min(MAX_BACKOFF_MS);
    let random = Uuid::now_v7().as_u128() as u64;
    std::time::Duration::from_millis(1 + random % ceiling)
}

/// The answer to a command whose id was applied before: what it recorded then.
fn already_applied(stream: StreamId, envelopes: &[Envelope], command_id: Option<Uuid>) -> Recorded {
    let applied: Vec<&Envelope> = envelopes
        .iter()
        .filter(|e| e.command_id.is_some() && e.command_id == command_id)
        .collect();
    Recorded {
        stream,
        event_ids: applied
            .iter()
            .map(|e| EventId::from_uuid(e.event_id))
            .collect(),
        last_position: applied.last().map_or(0, |e| e.position),
        already_applied: true,
    }
}

/// Resolves a reference against the read models (blocking; see
/// [`Tracker::resolve`]).
fn resolve_in(projections: &Projections, reference: &str) -> Result<PersonEntry, TrackerError> {
    let found = projections
        .find(reference)?
        .map(|found| found.people)
        .unwrap_or_default();
    let mut entries: Vec<PersonEntry> = Vec::with_capacity(found.len());
    for person in found {
        // A merged record's names and slug resolve to the record it was
        // merged into; that record may be found by its own names too.
        if let Some(entry) = entry_in(projections, person)?
            && !entries.iter().any(|seen| seen.id == entry.id)
        {
            entries.push(entry);
        }
    }
    match entries.len() {
        1 => Ok(entries.remove(0)),
        0 => {
            let names = projections.names()?;
            let mut suggestions = Vec::new();
            for person in closest(&fold(reference), names) {
                suggestions.extend(entry_in(projections, person)?.map(|entry| entry.label()));
            }
            Err(TrackerError::UnknownPerson {
                reference: reference.to_owned(),
                suggestions,
            })
        }
        _ => Err(TrackerError::AmbiguousPerson {
            reference: reference.to_owned(),
            candidates: entries.iter().map(PersonEntry::candidate).collect(),
        }),
    }
}

/// Mixed into a merge's command id for the duplicate's closing event, so
/// each of the merge's two appends carries an id of its own ("merge" in
/// ASCII).
const MERGE_CLOSING_ID: u128 = 0x006d_6572_6765;

/// How many merges a reference follows (a record merged into one that was
/// merged in turn); more means a cycle the rules should have refused.
const MERGE_HOPS: usize = 8;

/// The person with this id, as the read model knows them (blocking); for a
/// record merged into another, that other record.
fn entry_in(projections: &Projections, id: PersonId) -> Result<Option<PersonEntry>, TrackerError> {
    let mut id = id;
    for _ in 0..MERGE_HOPS {
        let Some(row) = projections.person(id)? else {
            return Ok(None);
        };
        match row.merged_into {
            Some(into) => id = into,
            None => return Ok(PersonEntry::from_row(&row)),
        }
    }
    Ok(None)
}
