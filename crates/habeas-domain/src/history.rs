//! A stream's history and the case file folded from it by [`evolve`].
//!
//! `evolve` holds no rules: it applies what was recorded, corrections and
//! retractions included, so that any history the store returns can be read.
//! Every rule lives in [`crate::decide`].

use chrono::{DateTime, NaiveDate, Utc};

use crate::date::PartialDate;
use crate::event::{Event, PersonDetails, Registration};
use crate::id::{CommandId, EventId, PersonId};

/// An event as the store returned it: the domain's view of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    /// The event's id.
    pub id: EventId,
    /// When the store recorded it (transaction time).
    pub recorded_at: DateTime<Utc>,
    /// The command that produced it, if it had an id.
    pub command_id: Option<CommandId>,
    /// The event.
    pub event: Event,
}

/// Who a person is, as far as the case file knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    /// The main name.
    pub name: String,
    /// Other spellings and native-script names.
    pub aliases: Vec<String>,
    /// Country of the case.
    pub country: Option<String>,
    /// Affiliation or role.
    pub affiliation: Option<String>,
    /// Birth date.
    pub born: Option<PartialDate>,
    /// Sex, place of birth, residence, group, where recorded.
    #[serde(flatten)]
    pub details: PersonDetails,
}

impl Identity {
    fn from_registration(registration: &Registration) -> Self {
        Self {
            name: registration.name.clone(),
            aliases: registration.aliases.clone(),
            country: registration.country.clone(),
            affiliation: registration.affiliation.clone(),
            born: registration.born,
            details: registration.details.clone(),
        }
    }
}

/// One dated fact in the case file, with what later happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The id of the event as first recorded.
    pub id: EventId,
    /// Position in recording order within the stream (0-based).
    pub seq: usize,
    /// When it was first recorded.
    pub recorded_at: DateTime<Utc>,
    /// The event as it stands after corrections.
    pub effective: Event,
    /// When the version in force was recorded: the last correction's
    /// recording time, else `recorded_at`.
    pub effective_recorded_at: DateTime<Utc>,
    /// The corrections applied, oldest first.
    pub corrections: Vec<EventId>,
    /// The retraction, if it was retracted.
    pub retracted_by: Option<EventId>,
}

impl Entry {
    /// When it happened, as it stands after corrections.
    pub fn occurred(&self) -> PartialDate {
        self.effective
            .occurred()
            .expect("entries are case events, which carry a date")
    }

    /// The first day on which the fact, as it stands, has certainly
    /// happened (see [`certain_from`]).
    pub fn certain_from(&self) -> NaiveDate {
        certain_from(self.occurred(), self.effective_recorded_at)
    }
}

/// The first day on which a fact with this date, recorded at this moment,
/// has certainly happened: the last day its date may stand for (a fact known
/// to the month may have happened on the month's last day), but no later
/// than the day it was recorded, because the rules refuse to record a fact
/// dated after its recording day: what is recorded has happened.
pub fn certain_from(occurred: PartialDate, recorded_at: DateTime<Utc>) -> NaiveDate {
    occurred
        .latest()
        .min(recorded_at.date_naive().max(occurred.earliest()))
}

/// What a stream is about, known from its first event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// A person's case.
    Person,
    /// A statement.
    Statement,
}

/// How a person's record stopped documenting anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawal {
    /// Its registration was retracted (registered by mistake, nothing on it).
    Retracted {
        /// The retraction.
        by: EventId,
    },
    /// It was merged into another person's record.
    Merged {
        /// The record that documents the person.
        into: PersonId,
        /// The merge.
        by: EventId,
    },
}

/// The state folded from a stream's history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFile {
    kind: Option<StreamKind>,
    identity: Option<Identity>,
    registration: Option<EventId>,
    withdrawal: Option<Withdrawal>,
    entries: Vec<Entry>,
    command_ids: Vec<CommandId>,
    n_events: usize,
}

impl CaseFile {
    /// Folds a whole history, in recording order.
    pub fn from_history<'a>(history: impl IntoIterator<Item = &'a RecordedEvent>) -> Self {
        history.into_iter().fold(CaseFile::default(), evolve)
    }

    /// Whether the stream opens a person's case or a statement; `None` when empty.
    pub fn kind(&self) -> Option<StreamKind> {
        self.kind
    }

    /// The person's identity, for person streams; `None` once the
    /// registration is retracted (the record names no one).
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// The registration event, for person streams.
    pub fn registration(&self) -> Option<EventId> {
        self.registration
    }

    /// Whether and how the record stopped documenting anyone.
    pub fn withdrawal(&self) -> Option<Withdrawal> {
        self.withdrawal
    }

    /// Every dated fact, in recording order, retracted ones included.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The dated facts still in force (not retracted), in recording order.
    pub fn live_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.retracted_by.is_none())
    }

    /// The entry of an event id, if it is a dated fact of this stream.
    pub fn entry(&self, id: EventId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Whether a command with this id was already applied.
    pub fn has_command(&self, id: CommandId) -> bool {
        self.command_ids.contains(&id)
    }

    /// How many events the stream holds.
    pub fn n_events(&self) -> usize {
        self.n_events
    }
}

/// Applies one recorded event. Holds no rules: a correction of an unknown
/// event, which `decide` never lets through, is simply without effect.
pub fn evolve(mut file: CaseFile, recorded: &RecordedEvent) -> CaseFile {
    file.n_events += 1;
    if let Some(id) = recorded.command_id {
        file.command_ids.push(id);
    }
    match &recorded.event {
        Event::PersonRegistered(registration) => {
            file.kind = Some(StreamKind::Person);
            file.identity = Some(Identity::from_registration(registration));
            file.registration = Some(recorded.id);
        }
        Event::PersonMerged(merger) => {
            file.withdrawal = Some(Withdrawal::Merged {
                into: merger.into,
                by: recorded.id,
            });
        }
        Event::PersonDetailsChanged(change) => {
            if let Some(identity) = file.identity.as_mut() {
                if let Some(name) = &change.name {
                    identity.name = name.clone();
                }
                identity
                    .aliases
                    .retain(|alias| !change.remove_aliases.contains(alias));
                for alias in &change.add_aliases {
                    if !identity.aliases.contains(alias) {
                        identity.aliases.push(alias.clone());
                    }
                }
                if change.country.is_some() {
                    identity.country = change.country.clone();
                }
                if change.affiliation.is_some() {
                    identity.affiliation = change.affiliation.clone();
                }
                if change.born.is_some() {
                    identity.born = change.born;
                }
                identity.details.apply(&change.details);
            }
        }
        Event::EventCorrected(correction) => {
            if let Some(entry) = file.entries.iter_mut().find(|e| e.id == correction.target) {
                entry.effective = (*correction.corrected).clone();
                entry.effective_recorded_at = recorded.recorded_at;
                entry.corrections.push(recorded.id);
            }
        }
        Event::EventRetracted(retraction) => {
            if let Some(entry) = file.entries.iter_mut().find(|e| e.id == retraction.target) {
                entry.retracted_by = Some(recorded.id);
            }
            if file.registration == Some(retraction.target) {
                file.identity = None;
                file.withdrawal = Some(Withdrawal::Retracted { by: recorded.id });
            }
        }
        dated => {
            if matches!(dated, Event::StatementIssued(_)) && file.kind.is_none() {
                file.kind = Some(StreamKind::Statement);
            }
            let seq = file.entries.len();
            file.entries.push(Entry {
                id: recorded.id,
                seq,
                recorded_at: recorded.recorded_at,
                effective: dated.clone(),
                effective_recorded_at: recorded.recorded_at,
                corrections: Vec::new(),
                retracted_by: None,
            });
        }
    }
    file
}
