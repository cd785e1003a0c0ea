//! The event catalogue: everything that can happen in a case, in the past tense.
//!
//! Each variant of [`Event`] wraps a payload struct named after the fact it
//! records ([`Detention`], [`Release`] …); the matching command records the same
//! payload. The serialized form of every event is pinned by golden files
//! (`tests/golden/events/`), because stored events are never rewritten: a change
//! to a payload needs a new schema version and an upcaster
//! ([`crate::upcast`]).

use serde::{Deserialize, Serialize};

use crate::date::PartialDate;
use crate::facts::{Facts, Source};
use crate::id::{EventId, PersonId};
use crate::term::Term;

/// A fact recorded about a person or a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum Event {
    /// A person's case is opened.
    PersonRegistered(Registration),
    /// A person's identity details changed (a new alias, a corrected birth date).
    PersonDetailsChanged(DetailsChange),
    /// The person was deprived of liberty.
    Detained(Detention),
    /// The person was charged.
    Charged(Charging),
    /// A hearing took place.
    HearingHeld(Hearing),
    /// A decision was appealed.
    Appealed(Appeal),
    /// The person was sentenced.
    Sentenced(Sentencing),
    /// The person was acquitted.
    Acquitted(Acquittal),
    /// The charges were dropped.
    ChargesDropped(Dismissal),
    /// The person was moved from one facility to another.
    Transferred(Transfer),
    /// The person was released.
    Released(Release),
    /// A restriction short of custody was imposed.
    RestrictionImposed(Restriction),
    /// A restriction was lifted.
    RestrictionLifted(Lifting),
    /// The person died in custody (the first death event; [`Event::Died`]
    /// says how a person died wherever it happened).
    DiedInCustody(Death),
    /// The person died: in custody, at liberty, executed, or in
    /// circumstances nobody knows.
    Died(Demise),
    /// The person disappeared.
    Disappeared(Disappearance),
    /// The person went into exile.
    WentIntoExile(Exile),
    /// An organisation recognised the person as a political prisoner.
    RecognisedAsPoliticalPrisoner(Recognition),
    /// A statement was issued; it lives in its own stream.
    StatementIssued(Statement),
    /// An earlier event's payload is replaced by a corrected one.
    EventCorrected(Correction),
    /// An earlier event is withdrawn; nothing is ever deleted.
    EventRetracted(Retraction),
    /// This record is a duplicate of another person's record, into which its
    /// facts were copied; it resolves to that record from now on.
    PersonMerged(Merger),
}

/// The stored type name and current schema version of every event type, in
/// catalogue order. Golden files and the store's upcasters key on these.
pub const EVENT_TYPES: [(&str, u32); 22] = [
    ("PersonRegistered", 1),
    ("PersonDetailsChanged", 1),
    ("Detained", 1),
    ("Charged", 1),
    ("HearingHeld", 1),
    ("Appealed", 1),
    ("Sentenced", 1),
    ("Acquitted", 1),
    ("ChargesDropped", 1),
    ("Transferred", 1),
    ("Released", 1),
    ("RestrictionImposed", 1),
    ("RestrictionLifted", 1),
    ("DiedInCustody", 1),
    ("Died", 1),
    ("Disappeared", 1),
    ("WentIntoExile", 1),
    ("RecognisedAsPoliticalPrisoner", 1),
    ("StatementIssued", 2),
    ("EventCorrected", 1),
    ("EventRetracted", 1),
    ("PersonMerged", 1),
];

/// A stored payload could not be read as the event its type names.
#[derive(Debug, thiserror::Error)]
#[error("cannot read a stored {event_type} event (schema version {schema_version}): {source}")]
pub struct DecodeError {
    event_type: String,
    schema_version: u32,
    source: serde_json::Error,
}

/// What people call each event type, for messages and output that must not
/// show stored type names ("release", not `Released`).
const NOUNS: [(&str, &str); 22] = [
    ("PersonRegistered", "registration"),
    ("PersonDetailsChanged", "change of details"),
    ("Detained", "detention"),
    ("Charged", "charge"),
    ("HearingHeld", "hearing"),
    ("Appealed", "appeal"),
    ("Sentenced", "sentence"),
    ("Acquitted", "acquittal"),
    ("ChargesDropped", "dismissal of the charges"),
    ("Transferred", "transfer"),
    ("Released", "release"),
    ("RestrictionImposed", "restriction"),
    ("RestrictionLifted", "lifting of a restriction"),
    ("DiedInCustody", "death in custody"),
    ("Died", "death"),
    ("Disappeared", "disappearance"),
    ("WentIntoExile", "exile"),
    (
        "RecognisedAsPoliticalPrisoner",
        "recognition as a political prisoner",
    ),
    ("StatementIssued", "statement"),
    ("EventCorrected", "correction"),
    ("EventRetracted", "retraction"),
    ("PersonMerged", "merge into another record"),
];

/// The plain noun of a stored event type name ("release" for `Released`);
/// an unknown name is returned as it is.
pub fn noun_of(event_type: &str) -> &str {
    NOUNS
        .iter()
        .find(|(name, _)| *name == event_type)
        .map_or(event_type, |(_, noun)| noun)
}

impl Event {
    /// What people call this kind of event ("release", "correction").
    pub fn noun(&self) -> &'static str {
        let event_type = self.event_type();
        NOUNS
            .iter()
            .find(|(name, _)| *name == event_type)
            .map_or(event_type, |(_, noun)| noun)
    }

    /// The stored type name (the variant's name).
    pub fn event_type(&self) -> &'static str {
        match self {
            Event::PersonRegistered(_) => "PersonRegistered",
            Event::PersonDetailsChanged(_) => "PersonDetailsChanged",
            Event::Detained(_) => "Detained",
            Event::Charged(_) => "Charged",
            Event::HearingHeld(_) => "HearingHeld",
            Event::Appealed(_) => "Appealed",
            Event::Sentenced(_) => "Sentenced",
            Event::Acquitted(_) => "Acquitted",
            Event::ChargesDropped(_) => "ChargesDropped",
            Event::Transferred(_) => "Transferred",
            Event::Released(_) => "Released",
            Event::RestrictionImposed(_) => "RestrictionImposed",
            Event::RestrictionLifted(_) => "RestrictionLifted",
            Event::DiedInCustody(_) => "DiedInCustody",
            Event::Died(_) => "Died",
            Event::Disappeared(_) => "Disappeared",
            Event::WentIntoExile(_) => "WentIntoExile",
            Event::RecognisedAsPoliticalPrisoner(_) => "RecognisedAsPoliticalPrisoner",
            Event::StatementIssued(_) => "StatementIssued",
            Event::EventCorrected(_) => "EventCorrected",
            Event::EventRetracted(_) => "EventRetracted",
            Event::PersonMerged(_) => "PersonMerged",
        }
    }

    /// The schema version this build writes for this event's type.
    pub fn schema_version(&self) -> u32 {
        let event_type = self.event_type();
        EVENT_TYPES
            .iter()
            .find(|(name, _)| *name == event_type)
            .map(|(_, version)| *version)
            .expect("every event type is listed in EVENT_TYPES")
    }

    /// The payload as JSON, without the type name: the form the store keeps.
    pub fn to_payload(&self) -> serde_json::Value {
        let mut tagged = serde_json::to_value(self).expect("events always serialize");
        tagged
            .get_mut("payload")
            .map(serde_json::Value::take)
            .expect("adjacently tagged events have a payload")
    }

    /// Reads a stored payload of the current schema version (older versions are
    /// upcast first, see [`crate::upcast`]).
    pub fn from_payload(
        event_type: &str,
        schema_version: u32,
        payload: serde_json::Value,
    ) -> Result<Event, DecodeError> {
        Event::decode_variant(event_type, payload).map_err(|source| DecodeError {
            event_type: event_type.to_owned(),
            schema_version,
            source,
        })
    }

    /// Reads a stored payload of the current schema version from its JSON
    /// bytes: the same as [`Event::from_payload`] without building a
    /// `serde_json::Value` first, which costs as much again as the reading
    /// (the projections' rebuild reads the log this way). Bytes rather than
    /// text: the reader checks UTF-8 inside strings as it goes, where a
    /// `&str` would have been checked whole once more before.
    pub fn from_payload_json(
        event_type: &str,
        schema_version: u32,
        payload: &[u8],
    ) -> Result<Event, DecodeError> {
        let mut deserializer = serde_json::Deserializer::from_slice(payload);
        Event::decode_variant(event_type, &mut deserializer)
            .and_then(|event| deserializer.end().map(|()| event))
            .map_err(|source| DecodeError {
                event_type: event_type.to_owned(),
                schema_version,
                source,
            })
    }

    /// Straight into the variant's type: going through the tagged enum makes
    /// serde buffer the whole payload once more first, which was a third of
    /// the cost of reading the log back.
    fn decode_variant<'de, D>(event_type: &str, payload: D) -> Result<Event, serde_json::Error>
    where
        D: serde::Deserializer<'de, Error = serde_json::Error>,
    {
        match event_type {
            "PersonRegistered" => Deserialize::deserialize(payload).map(Event::PersonRegistered),
            "PersonDetailsChanged" => {
                Deserialize::deserialize(payload).map(Event::PersonDetailsChanged)
            }
            "Detained" => Deserialize::deserialize(payload).map(Event::Detained),
            "Charged" => Deserialize::deserialize(payload).map(Event::Charged),
            "HearingHeld" => Deserialize::deserialize(payload).map(Event::HearingHeld),
            "Appealed" => Deserialize::deserialize(payload).map(Event::Appealed),
            "Sentenced" => Deserialize::deserialize(payload).map(Event::Sentenced),
            "Acquitted" => Deserialize::deserialize(payload).map(Event::Acquitted),
            "ChargesDropped" => Deserialize::deserialize(payload).map(Event::ChargesDropped),
            "Transferred" => Deserialize::deserialize(payload).map(Event::Transferred),
            "Released" => Deserialize::deserialize(payload).map(Event::Released),
            "RestrictionImposed" => {
                Deserialize::deserialize(payload).map(Event::RestrictionImposed)
            }
            "RestrictionLifted" => Deserialize::deserialize(payload).map(Event::RestrictionLifted),
            "DiedInCustody" => Deserialize::deserialize(payload).map(Event::DiedInCustody),
            "Died" => Deserialize::deserialize(payload).map(Event::Died),
            "Disappeared" => Deserialize::deserialize(payload).map(Event::Disappeared),
            "WentIntoExile" => Deserialize::deserialize(payload).map(Event::WentIntoExile),
            "RecognisedAsPoliticalPrisoner" => {
                Deserialize::deserialize(payload).map(Event::RecognisedAsPoliticalPrisoner)
            }
            "StatementIssued" => Deserialize::deserialize(payload).map(Event::StatementIssued),
            "EventCorrected" => Deserialize::deserialize(payload).map(Event::EventCorrected),
            "EventRetracted" => Deserialize::deserialize(payload).map(Event::EventRetracted),
            "PersonMerged" => Deserialize::deserialize(payload).map(Event::PersonMerged),
            // serde's wording for an unknown variant, naming the ones it knows.
            _ => {
                const NAMES: [&str; EVENT_TYPES.len()] = {
                    let mut names = [""; EVENT_TYPES.len()];
                    let mut idx = 0;
                    while idx < EVENT_TYPES.len() {
                        names[idx] = EVENT_TYPES[idx].0;
                        idx += 1;
                    }
                    names
                };
                Err(serde::de::Error::unknown_variant(event_type, &NAMES))
            }
        }
    }

    /// The shared facts of a case event, or `None` for identity changes,
    /// corrections and retractions.
    pub fn facts(&self) -> Option<&Facts> {
        Some(match self {
            Event::Detained(e) => &e.facts,
            Event::Charged(e) => &e.facts,
            Event::HearingHeld(e) => &e.facts,
            Event::Appealed(e) => &e.facts,
            Event::Sentenced(e) => &e.facts,
            Event::Acquitted(e) => &e.facts,
            Event::ChargesDropped(e) => &e.facts,
            Event::Transferred(e) => &e.facts,
            Event::Released(e) => &e.facts,
            Event::RestrictionImposed(e) => &e.facts,
            Event::RestrictionLifted(e) => &e.facts,
            Event::DiedInCustody(e) => &e.facts,
            Event::Died(e) => &e.facts,
            Event::Disappeared(e) => &e.facts,
            Event::WentIntoExile(e) => &e.facts,
            Event::RecognisedAsPoliticalPrisoner(e) => &e.facts,
            Event::StatementIssued(e) => &e.facts,
            Event::PersonRegistered(_)
            | Event::PersonDetailsChanged(_)
            | Event::EventCorrected(_)
            | Event::EventRetracted(_)
            | Event::PersonMerged(_) => return None,
        })
    }

    /// The shared facts of a case event, to change (a correction is built
    /// from the standing version with some facts changed).
    pub fn facts_mut(&mut self) -> Option<&mut Facts> {
        Some(match self {
            Event::Detained(e) => &mut e.facts,
            Event::Charged(e) => &mut e.facts,
            Event::HearingHeld(e) => &mut e.facts,
            Event::Appealed(e) => &mut e.facts,
            Event::Sentenced(e) => &mut e.facts,
            Event::Acquitted(e) => &mut e.facts,
            Event::ChargesDropped(e) => &mut e.facts,
            Event::Transferred(e) => &mut e.facts,
            Event::Released(e) => &mut e.facts,
            Event::RestrictionImposed(e) => &mut e.facts,
            Event::RestrictionLifted(e) => &mut e.facts,
            Event::DiedInCustody(e) => &mut e.facts,
            Event::Died(e) => &mut e.facts,
            Event::Disappeared(e) => &mut e.facts,
            Event::WentIntoExile(e) => &mut e.facts,
            Event::RecognisedAsPoliticalPrisoner(e) => &mut e.facts,
            Event::StatementIssued(e) => &mut e.facts,
            Event::PersonRegistered(_)
            | Event::PersonDetailsChanged(_)
            | Event::EventCorrected(_)
            | Event::EventRetracted(_)
            | Event::PersonMerged(_) => return None,
        })
    }

    /// When the event happened, for case events.
    pub fn occurred(&self) -> Option<PartialDate> {
        self.facts().map(|facts| facts.occurred)
    }
}

/// A person's case is opened: who they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The name most sources use.
    pub name: String,
    /// Other spellings and the name in native script.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Country where the case takes place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Affiliation or role, e.g. "union leader".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    /// Birth date, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub born: Option<PartialDate>,
    /// Sources for the identity details.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// What lists record besides the name, where they record it.
    #[serde(flatten)]
    pub details: PersonDetails,
}

/// What published lists record about a person besides their name and
/// birth date, each only where a source records it. Empty fields are not
/// stored, so a registration without them keeps its stored form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetails {
    /// Sex or gender, as the person or the source describes it (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Place of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub born_in: Option<String>,
    /// Place of residence. Internal: public reports leave it out, since it
    /// can lead to the person's family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residence: Option<String>,
    /// Ethnicity or group, where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl PersonDetails {
    /// The fields `change` gives replace these; the others stay.
    pub fn apply(&mut self, change: &PersonDetails) {
        let set = |field: &mut Option<String>, new: &Option<String>| {
            if new.is_some() {
                field.clone_from(new);
            }
        };
        set(&mut self.sex, &change.sex);
        set(&mut self.born_in, &change.born_in);
        set(&mut self.residence, &change.residence);
        set(&mut self.group, &change.group);
    }
}

/// A change to a person's identity details; absent fields stay as they were.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DetailsChange {
    /// A new main name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Aliases to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_aliases: Vec<String>,
    /// Aliases to remove.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_aliases: Vec<String>,
    /// A new country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// A new affiliation or role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    /// A new or corrected birth date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub born: Option<PartialDate>,
    /// Sources for the change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// New or corrected details (sex, place of birth, residence, group).
    #[serde(flatten)]
    pub details: PersonDetails,
}

/// How a person was deprived of liberty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetentionKind {
    /// Arrest, typically followed by criminal proceedings.
    Arrest,
    /// Detention ordered by an administrative body, without trial.
    AdministrativeDetention,
    /// Confinement to one's home.
    HouseArrest,
    /// Detention whose fact or place the authorities deny.
    EnforcedDisappearance,
    /// Anything else; describe it in the note.
    Other,
}

/// The person was deprived of liberty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detention {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// How.
    pub kind: DetentionKind,
    /// Where the arrest happened (a city, a province).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// Who detained them (police, security service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// The prison or detention centre.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<String>,
}

/// One charge.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Charge {
    /// The offence as worded by the authorities, e.g. "incitement".
    pub offence: String,
    /// The legal article, e.g. "Criminal Code art. 495".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
}

/// The person was charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charging {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// The charges; at least one.
    pub charges: Vec<Charge>,
    /// The court handling the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    /// The court's case number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
}

/// A hearing took place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hearing {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// The court.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    /// What came of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// A decision was appealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appeal {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// The court of appeal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    /// What came of it, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// The person was sentenced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentencing {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// The length of the sentence; `None` when the sources report a
    /// conviction without its term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<Term>,
    /// The court.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    /// Sentenced without being present (so possibly not in custody).
    #[serde(default)]
    pub in_absentia: bool,
    /// The sentence is suspended (so possibly not in custody).
    #[serde(default)]
    pub suspended: bool,
    /// The day of release a source states for this sentence ("expected
    /// release 2014-04-29"), which published lists often give instead of
    /// the term or the start of custody. Used when the term or the start is
    /// not known; otherwise start of custody + term decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<PartialDate>,
    /// What the person was convicted of by this sentence, when the sources
    /// say (it may differ from the charges: some dropped, others added).
    /// Stored only when given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offences: Vec<Charge>,
}

/// The person was acquitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acquittal {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// The court.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
}

/// The charges were dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dismissal {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// The court or prosecutor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
}

/// The person was moved between facilities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// The facility they left, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_facility: Option<String>,
    /// The facility they were taken to.
    pub to_facility: String,
}

/// Why a person was released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseKind {
    /// The full sentence was served.
    SentenceServed,
    /// Released on bail.
    Bail,
    /// Released on parole.
    Parole,
    /// Pardoned.
    Pardon,
    /// Amnestied.
    Amnesty,
    /// Released after acquittal.
    Acquittal,
    /// Released on medical grounds.
    Medical,
    /// Released before the end of the term with no reason given.
    EarlyReleaseWithoutReason,
    /// Escaped.
    Escape,
    /// Anything else; describe it in the note.
    Other,
}

/// The person was released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// Why.
    pub kind: ReleaseKind,
    /// Conditions attached to the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
    /// Who ordered it: a court, an amnesty decree, a prosecutor. Public
    /// reports show it; stored only when given, so the stored form of
    /// releases recorded without it is unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_by: Option<String>,
}

/// A restriction short of custody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionKind {
    /// Banned from political activity.
    PoliticalActivityBan,
    /// Forbidden to leave the country or a region.
    TravelBan,
    /// Confined to home, outside a detention.
    HouseArrest,
    /// Under surveillance.
    Surveillance,
    /// Anything else; describe it.
    Other,
}

/// A restriction was imposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restriction {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// What kind.
    pub kind: RestrictionKind,
    /// Its wording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When it ends by itself, when it has an end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<PartialDate>,
}

/// Restrictions of a kind were lifted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifting {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// Which kind of restriction was lifted.
    pub kind: RestrictionKind,
}

/// The person died in custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Death {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// What is known of how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circumstances: Option<String>,
}

/// How a person died, as far as the sources say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeathKind {
    /// While held: the rules require custody at the time.
    InCustody,
    /// At liberty: the rules refuse it while the person is held.
    AtLiberty,
    /// Executed (a death sentence carried out, or a killing by the state).
    Executed,
    /// The sources do not say where or how (common in published lists).
    Unknown,
}

/// The person died.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demise {
    /// When (often known only to the year), on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// Where or how.
    pub kind: DeathKind,
    /// What is known of how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circumstances: Option<String>,
}

/// The person disappeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disappearance {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// What is known of how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circumstances: Option<String>,
}

/// The person went into exile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exile {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// The country of exile, when it is safe to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// What is known of how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circumstances: Option<String>,
}

/// An organisation recognised the person as a political prisoner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recognition {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// Who recognised them, e.g. an NGO's list.
    pub by: String,
}

/// What a statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// Condemns a detention or a law.
    Condemnation,
    /// Calls for someone's release.
    CallForRelease,
    /// Denies the facts or the criticism.
    Denial,
    /// States an official position.
    OfficialPosition,
    /// Anything else.
    Other,
}

/// A statement was issued, possibly about several people, or none by name.
///
/// Where it is published is its first source. Schema version 1 had a separate
/// `url` field beside the sources; two places for one address drifted apart,
/// so version 2 keeps it among the sources only (see [`crate::upcast`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// When, on whose word.
    #[serde(flatten)]
    pub facts: Facts,
    /// The organisation or person who issued it.
    pub by: String,
    /// Their role, e.g. "Ministry of Justice spokesperson".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_role: Option<String>,
    /// The people it concerns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub about: Vec<PersonId>,
    /// What it does.
    pub kind: StatementKind,
    /// What it says, in a sentence or two.
    pub summary: String,
}

/// An earlier event is replaced by a corrected version of itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// The event corrected.
    pub target: EventId,
    /// The whole corrected event, of the same type as the target.
    pub corrected: Box<Event>,
    /// Why it was corrected.
    pub reason: String,
}

/// An earlier event is withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retraction {
    /// The event withdrawn.
    pub target: EventId,
    /// Why.
    pub reason: String,
}

/// This record is a duplicate: the person is documented in `into`, where
/// its facts were copied (`copied`); the record keeps its history and its
/// names and slug resolve to `into`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merger {
    /// The record that documents the person from now on.
    pub into: PersonId,
    /// Why (e.g. "registered twice from two lists").
    pub reason: String,
    /// Each fact of this record in force when merged, and the copy of it
    /// recorded in `into`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copied: Vec<(EventId, EventId)>,
}

#[cfg(test)]
mod noun_tests {
    use super::*;

    #[test]
    fn every_event_type_has_a_plain_noun() {
        for (event_type, _) in EVENT_TYPES {
            let noun = noun_of(event_type);
            assert_ne!(noun, event_type, "{event_type} has no noun");
            assert!(noun.chars().all(|c| c.is_lowercase() || c == ' '), "{noun}");
        }
        assert_eq!(noun_of("SomethingNew"), "SomethingNew");
    }
}
