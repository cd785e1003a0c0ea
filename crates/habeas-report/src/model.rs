//! The input models: what the application facade assembles from the store and
//! hands to the renderers. They hold no logic; every renderer reads the same
//! shapes, so a figure cannot differ between the HTML and the JSON of one report.

use chrono::{DateTime, Utc};
use serde::Serialize;

use habeas_domain::date::PartialDate;
use habeas_domain::event::{Event, Statement};
use habeas_domain::figures::DayRange;
use habeas_domain::history::Entry;
use habeas_domain::id::{EventId, PersonId};
use habeas_domain::status::{Headline, Legal, Status, View};

/// Facts about the report itself, printed on every output.
#[derive(Debug, Clone, Serialize)]
pub struct ReportMeta {
    /// When the report was generated.
    pub generated_at: DateTime<Utc>,
    /// The program and version that generated it, e.g. "Habeas 0.0.0".
    pub generated_by: String,
    /// The store holds the demo data set: every output says EXAMPLE DATA.
    pub example_data: bool,
    /// The public variant: no restricted facts, no notes, no recorder names.
    pub public: bool,
}

/// One recorded event of the person's stream, for the audit appendix.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// The event's global position in the store.
    pub position: u64,
    /// The event's id.
    pub event_id: EventId,
    /// When the store recorded it (UTC).
    pub recorded_at: DateTime<Utc>,
    /// Who entered it.
    pub recorded_by: String,
    /// The event as recorded, corrections and retractions included.
    pub event: Event,
    /// The status headline right after this event was recorded.
    pub headline_after: Headline,
}

/// A statement that concerns the person.
#[derive(Debug, Clone, Serialize)]
pub struct StatementEntry {
    /// The id of the event that issued the statement.
    pub event_id: EventId,
    /// The statement as it stands after corrections.
    pub statement: Statement,
}

/// Everything a per-person report shows.
#[derive(Debug, Clone, Serialize)]
pub struct PersonReport {
    /// About the report.
    pub meta: ReportMeta,
    /// Whose report it is.
    pub person_id: PersonId,
    /// The derived status, with its view (as-of and known-at).
    pub status: Status,
    /// Live dated facts of the person, in recording order, as corrected. For
    /// the public variant the facade has already removed restricted events;
    /// the renderers skip restricted ones again, defensively.
    #[serde(skip)]
    pub facts: Vec<Entry>,
    /// Statements about the person.
    pub statements: Vec<StatementEntry>,
    /// Every event of the person's stream, for the audit appendix.
    pub audit: Vec<AuditEntry>,
}

/// One person in the roster.
#[derive(Debug, Clone, Serialize)]
pub struct RosterRow {
    /// The person.
    pub person_id: PersonId,
    /// Their slug, unique in the store: the roster links their name to
    /// `SLUG.html`, the person report saved beside the roster.
    pub slug: String,
    /// Their main name.
    pub name: String,
    /// Other spellings.
    pub aliases: Vec<String>,
    /// Country of the case.
    pub country: Option<String>,
    /// Date of birth, which tells namesakes apart.
    pub born: Option<PartialDate>,
    /// One word for their status.
    pub headline: Headline,
    /// The headline they would have if facts dated only to a month or a year
    /// containing the as-of day had happened by then (`Status::possibly`).
    pub possibly: Option<Headline>,
    /// Start of the current custody episode, if held.
    pub custody_since: Option<PartialDate>,
    /// The current facility, if held and known.
    pub facility: Option<String>,
    /// Days in the current custody episode; `Some` exactly when held.
    pub days_in_custody_now: Option<DayRange>,
    /// Days in custody over all recorded episodes; `None` when no custody
    /// is recorded (unknown, never shown as zero).
    pub days_in_custody_total: Option<DayRange>,
    /// Where the proceedings stand: the charges and the sentence.
    pub legal: Legal,
    /// Still recorded as held after the latest day their sentence could
    /// end: their fate must be checked ([`habeas_domain::status::Figures`]).
    pub release_overdue: bool,
    /// When the newest visible dated fact about them happened: the status
    /// rests on nothing newer.
    pub last_fact: Option<PartialDate>,
}

/// Everyone documented, with their status at one view.
#[derive(Debug, Clone, Serialize)]
pub struct Roster {
    /// About the report.
    pub meta: ReportMeta,
    /// The valid and transaction times every row uses.
    pub view: View,
    /// One row per person.
    pub rows: Vec<RosterRow>,
}
