//! Commands: what a user asks to record, in the imperative.
//!
//! A command carries everything `decide` needs from the outside world: its id
//! (for idempotent retries) and the moment it is issued (the recording day,
//! against which "no date in the future" is checked). The domain reads no clock.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::event::{
    Acquittal, Appeal, Charging, Correction, Death, Demise, DetailsChange, Detention,
    Disappearance, Dismissal, Event, Exile, Hearing, Lifting, Merger, Recognition, Registration,
    Release, Restriction, Retraction, Sentencing, Statement, Transfer,
};
use crate::id::CommandId;

/// A request to record something, with its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Identifies the command so that a retry is applied once.
    pub id: Option<CommandId>,
    /// When the command was issued; its UTC day is the recording day.
    pub issued_at: DateTime<Utc>,
    /// What to record.
    pub action: Action,
}

impl Command {
    /// The UTC day the command is recorded on.
    pub fn recording_day(&self) -> NaiveDate {
        self.issued_at.date_naive()
    }
}

/// What to record. Each action records exactly one event of the matching
/// past-tense type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", content = "fields", rename_all = "snake_case")]
pub enum Action {
    /// Open a person's case.
    RegisterPerson(Registration),
    /// Change a person's identity details.
    ChangePersonDetails(DetailsChange),
    /// Record that the person was detained.
    RecordDetention(Detention),
    /// Record that the person was charged.
    RecordCharges(Charging),
    /// Record a hearing.
    RecordHearing(Hearing),
    /// Record an appeal.
    RecordAppeal(Appeal),
    /// Record a sentence.
    RecordSentence(Sentencing),
    /// Record an acquittal.
    RecordAcquittal(Acquittal),
    /// Record that the charges were dropped.
    RecordChargesDropped(Dismissal),
    /// Record a transfer between facilities.
    RecordTransfer(Transfer),
    /// Record a release.
    RecordRelease(Release),
    /// Record a restriction.
    ImposeRestriction(Restriction),
    /// Record that a restriction was lifted.
    LiftRestriction(Lifting),
    /// Record a death in custody.
    RecordDeathInCustody(Death),
    /// Record that the person died, with where or how.
    RecordDeath(Demise),
    /// Record a disappearance.
    RecordDisappearance(Disappearance),
    /// Record that the person went into exile.
    RecordExile(Exile),
    /// Record a recognition as a political prisoner.
    RecognisePoliticalPrisoner(Recognition),
    /// Record a statement (in its own stream).
    IssueStatement(Statement),
    /// Correct an earlier event.
    CorrectEvent(Correction),
    /// Retract an earlier event.
    RetractEvent(Retraction),
    /// Close this record as a duplicate of another.
    MergePerson(Merger),
}

impl Action {
    /// The event this action records, if the rules allow it.
    pub fn into_event(self) -> Event {
        match self {
            Action::RegisterPerson(p) => Event::PersonRegistered(p),
            Action::ChangePersonDetails(p) => Event::PersonDetailsChanged(p),
            Action::RecordDetention(p) => Event::Detained(p),
            Action::RecordCharges(p) => Event::Charged(p),
            Action::RecordHearing(p) => Event::HearingHeld(p),
            Action::RecordAppeal(p) => Event::Appealed(p),
            Action::RecordSentence(p) => Event::Sentenced(p),
            Action::RecordAcquittal(p) => Event::Acquitted(p),
            Action::RecordChargesDropped(p) => Event::ChargesDropped(p),
            Action::RecordTransfer(p) => Event::Transferred(p),
            Action::RecordRelease(p) => Event::Released(p),
            Action::ImposeRestriction(p) => Event::RestrictionImposed(p),
            Action::LiftRestriction(p) => Event::RestrictionLifted(p),
            Action::RecordDeathInCustody(p) => Event::DiedInCustody(p),
            Action::RecordDeath(p) => Event::Died(p),
            Action::RecordDisappearance(p) => Event::Disappeared(p),
            Action::RecordExile(p) => Event::WentIntoExile(p),
            Action::RecognisePoliticalPrisoner(p) => Event::RecognisedAsPoliticalPrisoner(p),
            Action::IssueStatement(p) => Event::StatementIssued(p),
            Action::CorrectEvent(p) => Event::EventCorrected(p),
            Action::RetractEvent(p) => Event::EventRetracted(p),
            Action::MergePerson(p) => Event::PersonMerged(p),
        }
    }
}

/// The action that records `event` (each action records exactly one
/// event): to record again a fact read from the log, as a merge copies a
/// duplicate's facts and the benchmarks replay a generated log.
impl From<Event> for Action {
    fn from(event: Event) -> Action {
        match event {
            Event::PersonRegistered(p) => Action::RegisterPerson(p),
            Event::PersonDetailsChanged(p) => Action::ChangePersonDetails(p),
            Event::Detained(p) => Action::RecordDetention(p),
            Event::Charged(p) => Action::RecordCharges(p),
            Event::HearingHeld(p) => Action::RecordHearing(p),
            Event::Appealed(p) => Action::RecordAppeal(p),
            Event::Sentenced(p) => Action::RecordSentence(p),
            Event::Acquitted(p) => Action::RecordAcquittal(p),
            Event::ChargesDropped(p) => Action::RecordChargesDropped(p),
            Event::Transferred(p) => Action::RecordTransfer(p),
            Event::Released(p) => Action::RecordRelease(p),
            Event::RestrictionImposed(p) => Action::ImposeRestriction(p),
            Event::RestrictionLifted(p) => Action::LiftRestriction(p),
            Event::DiedInCustody(p) => Action::RecordDeathInCustody(p),
            Event::Died(p) => Action::RecordDeath(p),
            Event::Disappeared(p) => Action::RecordDisappearance(p),
            Event::WentIntoExile(p) => Action::RecordExile(p),
            Event::RecognisedAsPoliticalPrisoner(p) => Action::RecognisePoliticalPrisoner(p),
            Event::StatementIssued(p) => Action::IssueStatement(p),
            Event::EventCorrected(p) => Action::CorrectEvent(p),
            Event::EventRetracted(p) => Action::RetractEvent(p),
            Event::PersonMerged(p) => Action::MergePerson(p),
        }
    }
}
