//! The `Tracker`: the one entry point the CLI (and later the HTTP server) uses.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use habeas_domain::command::{Action, Command};
use habeas_domain::decide::decide;
use habeas_domain::event::{Event, Statement};
use habeas_domain::history::{CaseFile, RecordedEvent};
use habeas_domain::id::{CommandId, EventId, PersonId, StatementId};
use habeas_domain::status::{Headline, Status, View, status};
use habeas_store::{
    AppendMeta, AppendOutcome, Envelope, EventStore, ExpectedVersion, SledConfig, SledStore,
    StreamId,
};
use uuid::Uuid;

use crate::codec;
use crate::error::TrackerError;
use crate::people::{PersonIndex, changes_identity};

/// The folder of a data directory that holds the event store.
pub const EVENTS_DIR: &str = "events";

/// How many times `execute` reloads and decides again when another writer
/// appended to the same stream in between.
const MAX_ATTEMPTS: u32 = 8;

/// How many envelopes a scan of the whole log reads at a time.
const SCAN_PAGE: usize = 4096;

/// Whose case or which statement a command is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A person's stream.
    Person(PersonId),
    /// A statement's stream.
    Statement(StatementId),
}

impl Subject {
    pub(crate) fn stream(&self) -> StreamId {
        let name = match self {
            Subject::Person(id) => id.stream_name(),
            Subject::Statement(id) => id.stream_name(),
        };
        StreamId::new(name).expect("person and statement stream names are valid")
    }
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
    /// The headline as it stood right after this event was recorded: as of
    /// its recording day, known at its recording time.
    pub headline_after: Headline,
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

/// The application facade over one event store.
#[derive(Clone)]
pub struct Tracker {
    store: Arc<dyn EventStore>,
}

impl Tracker {
    /// A tracker over any store (sled, in memory, later PostgreSQL).
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        Self { store }
    }

    /// Opens (or creates) a Habeas data directory: the event store lives in
    /// its `events/` folder (read models will sit beside it). A directory that
    /// holds anything else is refused untouched, so `--db ~/Documents` cannot
    /// scatter files among a user's own.
    pub fn open(path: &Path) -> Result<Self, TrackerError> {
        Self::open_with(path, Some(codec::upcaster()))
    }

    /// Opens a data directory whose reads return events exactly as stored,
    /// old schema versions included. For `export`: a backup must carry the
    /// stored bytes the hash chain covers, or restoring it would find every
    /// upcast event "altered".
    pub fn open_stored_form(path: &Path) -> Result<Self, TrackerError> {
        Self::open_with(path, None)
    }

    fn open_with(
        path: &Path,
        upcaster: Option<Arc<dyn habeas_store::Upcaster>>,
    ) -> Result<Self, TrackerError> {
        let events = path.join(EVENTS_DIR);
        let is_empty_dir = std::fs::read_dir(path).map(|mut entries| entries.next().is_none());
        let usable = match is_empty_dir {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => true,
            Ok(true) => true,
            _ => events.is_dir(),
        };
        if !usable {
            return Err(TrackerError::Store(
                habeas_store::StoreError::NotAHabeasStore(path.to_path_buf()),
            ));
        }
        let config = SledConfig {
            upcaster,
            ..SledConfig::default()
        };
        Ok(Self::new(Arc::new(SledStore::open(events, config)?)))
    }

    /// The store, for export, verification and subscriptions.
    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
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
        let stream = subject.stream();
        let command_uuid = issued.command_id.map(|id| *id.as_uuid());
        for _attempt in 0..MAX_ATTEMPTS {
            let envelopes = self.store.read_stream(&stream, 1).await?;
            let mut history = envelopes
                .iter()
                .map(codec::recorded)
                .collect::<Result<Vec<_>, _>>()?;
            let n_recorded = history.len();
            let mut new_events = Vec::new();
            for (idx, action) in actions.iter().enumerate() {
                let command = Command {
                    // The id rides on the first action: `decide` recognises a
                    // retry there; the rest of the batch belongs to it.
                    id: if idx == 0 { issued.command_id } else { None },
                    issued_at: issued.at,
                    action: action.clone(),
                };
                for event in decide(&history, &command)? {
                    let new_event = codec::new_event(&event);
                    history.push(RecordedEvent {
                        id: EventId::from_uuid(new_event.event_id),
                        recorded_at: issued.at,
                        command_id: None,
                        event,
                    });
                    new_events.push(new_event);
                }
                if idx == 0 && history.len() == n_recorded {
                    let applied: Vec<&Envelope> = envelopes
                        .iter()
                        .filter(|e| e.command_id.is_some() && e.command_id == command_uuid)
                        .collect();
                    return Ok(Recorded {
                        stream,
                        event_ids: applied
                            .iter()
                            .map(|e| EventId::from_uuid(e.event_id))
                            .collect(),
                        last_position: applied.last().map_or(0, |e| e.position),
                        already_applied: true,
                    });
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
            .read_stream(&subject.stream(), 1)
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

    /// A person's audit trail: every event with its envelope and the headline
    /// right after it was recorded.
    pub async fn history(&self, person: PersonId) -> Result<Vec<HistoryEntry>, TrackerError> {
        let envelopes = self
            .store
            .read_stream(&Subject::Person(person).stream(), 1)
            .await?;
        let history = envelopes
            .iter()
            .map(codec::recorded)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(envelopes
            .into_iter()
            .zip(&history)
            .map(|(envelope, recorded)| {
                let view = View {
                    as_of: recorded.recorded_at.date_naive(),
                    known_at: recorded.recorded_at,
                };
                HistoryEntry {
                    headline_after: status(&history, view).headline,
                    event: recorded.event.clone(),
                    envelope,
                }
            })
            .collect())
    }

    /// Every envelope of the streams whose names start with `prefix`, grouped
    /// by stream in order of first appearance, keeping only the event types
    /// `keep` accepts. A full scan of the log: the projections will replace it.
    async fn scan(
        &self,
        prefix: &str,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<(StreamId, Vec<Envelope>)>, TrackerError> {
        let mut streams: Vec<(StreamId, Vec<Envelope>)> = Vec::new();
        let mut slot: std::collections::HashMap<StreamId, usize> = Default::default();
        let mut from = 1;
        loop {
            let page = self.store.read_all(from, SCAN_PAGE).await?;
            let Some(last) = page.last() else { break };
            from = last.position + 1;
            for envelope in page {
                if !envelope.stream.as_str().starts_with(prefix) || !keep(&envelope.event_type) {
                    continue;
                }
                let idx = *slot.entry(envelope.stream.clone()).or_insert_with(|| {
                    streams.push((envelope.stream.clone(), Vec::new()));
                    streams.len() - 1
                });
                streams[idx].1.push(envelope);
            }
        }
        Ok(streams)
    }

    /// Everyone registered, to resolve names and list people.
    pub async fn people(&self) -> Result<PersonIndex, TrackerError> {
        let identity_types = ["PersonRegistered", "PersonDetailsChanged"];
        let streams = self
            .scan("person-", |event_type| identity_types.contains(&event_type))
            .await?;
        let mut histories = Vec::with_capacity(streams.len());
        for (stream, envelopes) in streams {
            let Some(id) = stream
                .as_str()
                .strip_prefix("person-")
                .and_then(|id| id.parse::<PersonId>().ok())
            else {
                continue;
            };
            let history = envelopes
                .iter()
                .map(codec::recorded)
                .collect::<Result<Vec<_>, _>>()?;
            debug_assert!(history.iter().all(|r| changes_identity(&r.event)));
            histories.push((id, history));
        }
        Ok(PersonIndex::from_histories(histories))
    }

    /// Every statement stream's history, in order of first recording. A full
    /// scan of the log: the projections will replace it.
    pub(crate) async fn statement_histories(
        &self,
    ) -> Result<Vec<(StatementId, Vec<RecordedEvent>)>, TrackerError> {
        let mut found = Vec::new();
        for (stream, envelopes) in self.scan("statement-", |_| true).await? {
            let Some(id) = stream
                .as_str()
                .strip_prefix("statement-")
                .and_then(|id| id.parse::<StatementId>().ok())
            else {
                continue;
            };
            let history = envelopes
                .iter()
                .map(codec::recorded)
                .collect::<Result<Vec<_>, _>>()?;
            found.push((id, history));
        }
        Ok(found)
    }

    /// Every statement that names the person, as it stands after corrections,
    /// retracted ones left out, oldest first.
    pub async fn statements_about(
        &self,
        person: PersonId,
    ) -> Result<Vec<StatementRecord>, TrackerError> {
        let mut found = Vec::new();
        for (id, history) in self.statement_histories().await? {
            let file = CaseFile::from_history(&history);
            for entry in file.live_entries() {
                if let Event::StatementIssued(statement) = &entry.effective
                    && statement.about.contains(&person)
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

    /// The subject an event belongs to, for corrections and retractions that
    /// name only the event id.
    pub async fn subject_of(&self, event: EventId) -> Result<Option<Subject>, TrackerError> {
        let mut from = 1;
        loop {
            let page = self.store.read_all(from, SCAN_PAGE).await?;
            let Some(last) = page.last() else {
                return Ok(None);
            };
            from = last.position + 1;
            if let Some(envelope) = page.iter().find(|e| e.event_id == *event.as_uuid()) {
                let name = envelope.stream.as_str();
                let subject = if let Some(id) = name.strip_prefix("person-") {
                    id.parse().ok().map(Subject::Person)
                } else if let Some(id) = name.strip_prefix("statement-") {
                    id.parse().ok().map(Subject::Statement)
                } else {
                    None
                };
                return Ok(subject);
            }
        }
    }
}
