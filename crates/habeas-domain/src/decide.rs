//! `decide`: every rule of `docs/domain.md` ("The rules"), in one pure function.
//!
//! The new event is placed at its occurred date among the facts already
//! recorded and the whole timeline is checked again, because reports arrive
//! late and out of order: a release logged before the sentence that preceded
//! it is fine, a release dated inside an earlier-recorded custody episode that
//! would leave a later release without custody is not.

use crate::command::{Action, Command};
use crate::error::{DomainError, Placed};
use crate::event::Event;
use crate::facts::Facts;
use crate::history::{CaseFile, RecordedEvent, StreamKind, Withdrawal};
use crate::timeline::{EventRef, Item, arrange};

/// What `decide` allows a command to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Append these events, in order (never empty).
    Record(Vec<Event>),
    /// The command's id was applied before: nothing new is recorded, and the
    /// caller answers with what the first application recorded.
    AlreadyApplied,
}

impl Decision {
    /// The events to append: none when the command was already applied.
    pub fn into_events(self) -> Vec<Event> {
        match self {
            Decision::Record(events) => events,
            Decision::AlreadyApplied => Vec::new(),
        }
    }
}

/// Decides what a command records, given the stream's history in recording
/// order: the events to append, [`Decision::AlreadyApplied`] when the
/// command's id was applied before, or why nothing may be recorded.
pub fn decide(history: &[RecordedEvent], command: &Command) -> Result<Decision, DomainError> {
    let file = CaseFile::from_history(history);
    if let Some(id) = command.id
        && file.has_command(id)
    {
        return Ok(Decision::AlreadyApplied);
    }
    let event = command.action.clone().into_event();
    check_fields(&event)?;
    check_stream(&file, &event)?;
    check_not_withdrawn(&file, &event)?;
    check_not_in_future(command, &event)?;
    if let Action::CorrectEvent(correction) = &command.action {
        check_target(&file, correction.target)?;
        let target = file.entry(correction.target).expect("checked above");
        if target.effective.event_type() != correction.corrected.event_type() {
            return Err(DomainError::CorrectionChangesType {
                target: correction.target,
                target_type: target.effective.event_type(),
                corrected_type: correction.corrected.event_type(),
            });
        }
    }
    if let Action::RetractEvent(retraction) = &command.action {
        if file.registration() == Some(retraction.target) {
            // Only a registration with nothing on it: a record with facts
            // is a person documented, or a duplicate to merge.
            if let Some(first) = file.live_entries().next() {
                return Err(DomainError::RegistrationInUse {
                    live: file.live_entries().count(),
                    first: first.id,
                });
            }
            return Ok(Decision::Record(vec![event]));
        }
        check_target(&file, retraction.target)?;
    }
    if file.kind() == Some(StreamKind::Person) {
        check_timeline(&file, &event)?;
    }
    Ok(Decision::Record(vec![event]))
}

fn invalid(field: &'static str, problem: impl Into<String>) -> DomainError {
    DomainError::InvalidField {
        field,
        problem: problem.into(),
    }
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

fn check_facts(event_type: &'static str, facts: &Facts) -> Result<(), DomainError> {
    if !facts.sources.iter().any(|source| source.is_citable()) {
        return Err(DomainError::MissingSource {
            event_type,
            occurred: facts.occurred,
        });
    }
    Ok(())
}

fn check_fields(event: &Event) -> Result<(), DomainError> {
    if let Some(facts) = event.facts() {
        check_facts(event.event_type(), facts)?;
    }
    match event {
        Event::PersonRegistered(registration) => {
            if blank(&registration.name) {
                return Err(invalid("name", "is empty: give the name most sources use"));
            }
            if registration.aliases.iter().any(|alias| blank(alias)) {
                return Err(invalid(
                    "alias",
                    "is empty: remove it or write the spelling",
                ));
            }
        }
        Event::PersonDetailsChanged(change) => {
            if change.name.as_deref().is_some_and(blank) {
                return Err(invalid("name", "is empty: give the name most sources use"));
            }
            if change.add_aliases.iter().any(|alias| blank(alias)) {
                return Err(invalid(
                    "alias",
                    "is empty: remove it or write the spelling",
                ));
            }
        }
        Event::Charged(charging) => {
            if charging.charges.is_empty() {
                return Err(invalid(
                    "charges",
                    "are missing: give at least one offence, as worded by the authorities",
                ));
            }
            if charging.charges.iter().any(|charge| blank(&charge.offence)) {
                return Err(invalid("offence", "is empty: write the offence as charged"));
            }
        }
        Event::Transferred(transfer) if blank(&transfer.to_facility) => {
            return Err(invalid(
                "to facility",
                "is empty: name the facility the person was taken to",
            ));
        }
        Event::RecognisedAsPoliticalPrisoner(recognition) if blank(&recognition.by) => {
            return Err(invalid("by", "is empty: name who recognised the person"));
        }
        Event::StatementIssued(statement) => {
            if blank(&statement.by) {
                return Err(invalid("by", "is empty: name who issued the statement"));
            }
            if blank(&statement.summary) {
                return Err(invalid(
                    "summary",
                    "is empty: say in a sentence what the statement says",
                ));
            }
        }
        Event::EventCorrected(correction) => {
            if blank(&correction.reason) {
                return Err(invalid(
                    "reason",
                    "is empty: say why the event is corrected",
                ));
            }
            if correction.corrected.facts().is_none() {
                return Err(invalid(
                    "corrected event",
                    format!(
                        "is a {}, which cannot be corrected: change person details with a details change, and correct the original event rather than a correction",
                        correction.corrected.event_type()
                    ),
                ));
            }
            check_fields(&correction.corrected)?;
        }
        Event::EventRetracted(retraction) if blank(&retraction.reason) => {
            return Err(invalid(
                "reason",
                "is empty: say why the event is retracted",
            ));
        }
        Event::PersonMerged(merger) if blank(&merger.reason) => {
            return Err(invalid(
                "reason",
                "is empty: say why the two records are one person",
            ));
        }
        _ => {}
    }
    Ok(())
}

fn check_stream(file: &CaseFile, event: &Event) -> Result<(), DomainError> {
    match (file.kind(), event) {
        (None, Event::PersonRegistered(_) | Event::StatementIssued(_)) => Ok(()),
        (None, _) => Err(DomainError::NotRegistered {
            event_type: event.event_type(),
        }),
        (Some(StreamKind::Person), Event::PersonRegistered(_)) => {
            Err(DomainError::AlreadyRegistered {
                name: file
                    .identity()
                    .map(|identity| identity.name.clone())
                    .unwrap_or_default(),
            })
        }
        (Some(StreamKind::Person), Event::StatementIssued(_)) => Err(DomainError::WrongStream {
            event_type: event.event_type(),
            stream: "person",
            hint: "a statement lives in its own stream and names the people it concerns",
        }),
        (Some(StreamKind::Statement), Event::EventCorrected(_) | Event::EventRetracted(_)) => {
            Ok(())
        }
        (Some(StreamKind::Statement), _) => Err(DomainError::WrongStream {
            event_type: event.event_type(),
            stream: "statement",
            hint: "a statement stream holds one statement and its corrections; record case events in the person's stream",
        }),
        (Some(StreamKind::Person), _) => Ok(()),
    }
}

fn check_not_in_future(command: &Command, event: &Event) -> Result<(), DomainError> {
    let dated = match event {
        Event::EventCorrected(correction) => &*correction.corrected,
        other => other,
    };
    let recording_day = command.recording_day();
    // "On or before D" names D: a bound in the future says nothing yet.
    if let Some(occurred) = dated.occurred()
        && occurred.bound().earliest() > recording_day
    {
        return Err(DomainError::DateInFuture {
            event_type: dated.event_type(),
            occurred,
            recording_day,
        });
    }
    let born = match dated {
        Event::PersonRegistered(registration) => registration.born,
        Event::PersonDetailsChanged(change) => change.born,
        _ => None,
    };
    if let Some(born) = born
        && born.bound().earliest() > recording_day
    {
        return Err(DomainError::DateInFuture {
            event_type: dated.event_type(),
            occurred: born,
            recording_day,
        });
    }
    Ok(())
}

/// A record whose registration was retracted, or that was merged into
/// another, takes nothing more.
fn check_not_withdrawn(file: &CaseFile, event: &Event) -> Result<(), DomainError> {
    match file.withdrawal() {
        None => Ok(()),
        Some(Withdrawal::Retracted { by }) => Err(DomainError::RecordRetracted { by }),
        Some(Withdrawal::Merged { into, by }) => Err(DomainError::RecordMerged {
            into,
            by,
            event_type: event.event_type(),
        }),
    }
}

fn check_target(file: &CaseFile, target: crate::id::EventId) -> Result<(), DomainError> {
    let entry = file
        .entry(target)
        .ok_or(DomainError::UnknownEvent { target })?;
    if let Some(retracted_by) = entry.retracted_by {
        return Err(DomainError::AlreadyRetracted {
            target,
            retracted_by,
        });
    }
    Ok(())
}

/// Checks the person's whole timeline as it would stand after the event.
fn check_timeline(file: &CaseFile, event: &Event) -> Result<(), DomainError> {
    let mut items: Vec<Item<'_>> = file
        .live_entries()
        .map(|entry| Item {
            reference: EventRef::Recorded(entry.id),
            seq: entry.seq,
            event: &entry.effective,
        })
        .collect();
    match event {
        Event::EventCorrected(correction) => {
            if let Some(item) = items
                .iter_mut()
                .find(|item| item.reference == EventRef::Recorded(correction.target))
            {
                item.event = &correction.corrected;
            }
        }
        Event::EventRetracted(retraction) => {
            items.retain(|item| item.reference != EventRef::Recorded(retraction.target));
        }
        dated if dated.occurred().is_some() => items.push(Item {
            reference: EventRef::New,
            seq: file.entries().len(),
            event: dated,
        }),
        _ => {}
    }

    let born = match event {
        Event::PersonDetailsChanged(change) if change.born.is_some() => change.born,
        _ => file.identity().and_then(|identity| identity.born),
    };
    let placed = |item: &Item<'_>| Placed {
        event: item.reference,
        event_type: item.event.event_type(),
        occurred: item.occurred(),
    };
    if let Some(born) = born {
        let mut early: Vec<&Item<'_>> = items
            .iter()
            .filter(|item| item.occurred().certainly_before(&born))
            .collect();
        early.sort_by_key(|item| (item.reference != EventRef::New, item.occurred()));
        if let Some(item) = early.first() {
            return Err(DomainError::BeforeBirth {
                event: placed(item),
                born,
            });
        }
    }

    let arrangement = arrange(&items);
    if let Some(violation) = arrangement.violation {
        return Err(DomainError::from_rule(
            violation.rule,
            placed(&items[violation.item]),
            violation.cause.map(|cause| placed(&items[cause])),
        ));
    }
    Ok(())
}
