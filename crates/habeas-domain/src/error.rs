//! Why `decide` refuses a command. Every rejection is a value naming the
//! offending event, its date and, for timeline conflicts, the event it
//! conflicts with, so a documentation officer can find and fix the record.

use std::fmt;

use chrono::NaiveDate;

use crate::date::PartialDate;
use crate::event::noun_of;
use crate::id::EventId;
use crate::timeline::{EventRef, Rule};

/// An event placed on the timeline: which one, of what type, on what date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// Which event.
    pub event: EventRef,
    /// Its type name, e.g. `Released`.
    pub event_type: &'static str,
    /// When it happened.
    pub occurred: PartialDate,
}

impl fmt::Display for Placed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} on {} ({})",
            noun_of(self.event_type),
            self.occurred,
            self.event
        )
    }
}

/// "a detention", "an acquittal": the plain noun of a stored type name with
/// its article, so that messages name no internal type.
fn a_noun(event_type: &str) -> String {
    let noun = noun_of(event_type);
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

fn because(cause: &Option<Box<Placed>>) -> String {
    match cause {
        Some(cause) => format!(", after {cause}"),
        None => String::new(),
    }
}

/// A command the rules refuse. Nothing is recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A case event for a stream that has no registered person.
    #[error(
        "no person is registered in this stream: register the person before recording {}", a_noun(.event_type)
    )]
    NotRegistered {
        /// The type of the refused event.
        event_type: &'static str,
    },
    /// Anything recorded on a record whose registration was retracted.
    #[error(
        "this record's registration was retracted (event {by}): it documents no one; register the person again if they should be documented"
    )]
    RecordRetracted {
        /// The retraction.
        by: EventId,
    },
    /// Anything recorded on a record merged into another.
    #[error(
        "this record was merged into person {into} (event {by}): record {} on that person", a_noun(.event_type)
    )]
    RecordMerged {
        /// The record that documents the person.
        into: crate::id::PersonId,
        /// The merge.
        by: EventId,
        /// The type of the refused event.
        event_type: &'static str,
    },
    /// A registration retracted while facts are recorded on the person.
    #[error(
        "the registration cannot be retracted while {live} fact{} recorded on this person (the first: event {first}): retract them first, or merge this record into the right one (`habeas person merge`)", if *.live == 1 { " is" } else { "s are" }
    )]
    RegistrationInUse {
        /// How many facts are in force.
        live: usize,
        /// The first of them.
        first: EventId,
    },
    /// A second registration in a person's stream.
    #[error(
        "this person is already registered as {name:?}: use a details change to rename or add aliases"
    )]
    AlreadyRegistered {
        /// The registered name.
        name: String,
    },
    /// An event that does not belong in this kind of stream.
    #[error("{} cannot be recorded in a {stream} stream: {hint}", a_noun(.event_type))]
    WrongStream {
        /// The type of the refused event.
        event_type: &'static str,
        /// "person" or "statement".
        stream: &'static str,
        /// What to do instead.
        hint: &'static str,
    },
    /// A field is missing or unusable.
    #[error("{field} {problem}")]
    InvalidField {
        /// The field's name, as users write it.
        field: &'static str,
        /// What is wrong and what to do.
        problem: String,
    },
    /// A fact without a citable source.
    #[error(
        "the {} on {occurred} has no source: add at least one URL or document reference, since every published fact must cite its sources", noun_of(.event_type)
    )]
    MissingSource {
        /// The type of the refused event.
        event_type: &'static str,
        /// When it happened.
        occurred: PartialDate,
    },
    /// A date after the day the command is recorded.
    #[error(
        "the {} on {occurred} is dated after today ({recording_day}): check the date; future events cannot be recorded", noun_of(.event_type)
    )]
    DateInFuture {
        /// The type of the refused event.
        event_type: &'static str,
        /// The date given.
        occurred: PartialDate,
        /// The recording day (UTC).
        recording_day: NaiveDate,
    },
    /// A date before the person's birth.
    #[error("{event} is certainly before the person's birth date {born}: check both dates")]
    BeforeBirth {
        /// The offending event.
        event: Placed,
        /// The birth date.
        born: PartialDate,
    },
    /// Released while not in custody.
    #[error("{event} needs the person to be in custody then, but they are not{}: record the detention first, or check the dates", because(.cause))]
    ReleaseWithoutCustody {
        /// The release.
        event: Placed,
        /// The last custody change before it, if any.
        cause: Option<Box<Placed>>,
    },
    /// Detained while already in custody.
    #[error("{event} needs the person to be at liberty then, but they are already in custody{}: record the release first, use a transfer, or check the dates", because(.cause))]
    DetentionWhileInCustody {
        /// The detention.
        event: Placed,
        /// The detention in force.
        cause: Option<Box<Placed>>,
    },
    /// Transferred while not in custody.
    #[error("{event} needs the person to be in custody then, but they are not{}: record the detention first, or check the dates", because(.cause))]
    TransferWithoutCustody {
        /// The transfer.
        event: Placed,
        /// The last custody change before it, if any.
        cause: Option<Box<Placed>>,
    },
    /// Died in custody while not in custody.
    #[error("{event} needs the person to be in custody then, but they are not{}: record the detention first, or check the dates", because(.cause))]
    DeathWithoutCustody {
        /// The death.
        event: Placed,
        /// The last custody change before it, if any.
        cause: Option<Box<Placed>>,
    },
    /// Died at liberty while held.
    #[error("{event} says the person died at liberty, but they are held then{}: record the release first, or record the death as in custody or in unknown circumstances", because(.cause))]
    DeathAtLibertyInCustody {
        /// The death.
        event: Placed,
        /// The detention before it.
        cause: Option<Box<Placed>>,
    },
    /// A custody event after the person's death.
    #[error("{event} comes after the person's death{}: check the dates", because(.cause))]
    AfterDeath {
        /// The offending event.
        event: Placed,
        /// The death.
        cause: Option<Box<Placed>>,
    },
    /// Sentenced at liberty without saying so.
    #[error("{event} finds the person not in custody{}: mark the sentence in absentia or suspended, or record the detention first", because(.cause))]
    SentenceWithoutCustody {
        /// The sentence.
        event: Placed,
        /// The last custody change before it, if any.
        cause: Option<Box<Placed>>,
    },
    /// A correction or retraction names an event this stream does not hold.
    #[error(
        "event {target} is not a dated fact of this stream: check the event id (see the history)"
    )]
    UnknownEvent {
        /// The id named.
        target: EventId,
    },
    /// A correction or retraction names a retracted event.
    #[error(
        "event {target} was already retracted by event {retracted_by}: it cannot be corrected or retracted again"
    )]
    AlreadyRetracted {
        /// The id named.
        target: EventId,
        /// The retraction.
        retracted_by: EventId,
    },
    /// A correction that changes an event's type.
    #[error(
        "event {target} is {} and cannot be corrected into {}: retract it and record the right event instead", a_noun(.target_type), a_noun(.corrected_type)
    )]
    CorrectionChangesType {
        /// The id named.
        target: EventId,
        /// Its type.
        target_type: &'static str,
        /// The type of the corrected payload.
        corrected_type: &'static str,
    },
}

impl DomainError {
    pub(crate) fn from_rule(rule: Rule, event: Placed, cause: Option<Placed>) -> Self {
        let cause = cause.map(Box::new);
        match rule {
            Rule::ReleaseWithoutCustody => Self::ReleaseWithoutCustody { event, cause },
            Rule::DetentionWhileInCustody => Self::DetentionWhileInCustody { event, cause },
            Rule::TransferWithoutCustody => Self::TransferWithoutCustody { event, cause },
            Rule::DeathWithoutCustody => Self::DeathWithoutCustody { event, cause },
            Rule::AfterDeath => Self::AfterDeath { event, cause },
            Rule::DeathAtLibertyInCustody => Self::DeathAtLibertyInCustody { event, cause },
            Rule::SentenceWithoutCustody => Self::SentenceWithoutCustody { event, cause },
        }
    }
}
