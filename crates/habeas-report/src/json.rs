//! JSON renderings: the machine-readable contract `habeas.person-report` and
//! `habeas.roster`, schema version 1, documented field by field in the crate's
//! `SCHEMA.md`.
//!
//! The output structs here are the contract, not the domain types: a change to
//! the domain does not silently change what a consumer receives. Adding a
//! field is compatible; renaming or removing one needs a new schema version.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use habeas_domain::date::PartialDate;
use habeas_domain::facts::Source;
use habeas_domain::figures::{DateRange, DayRange, FractionRange};
use habeas_domain::id::{EventId, PersonId};
use habeas_domain::status::{Custody, Headline, Legal};
use habeas_domain::term::Term;

use crate::audit::{AuditRow, amendment_text};
use crate::describe;
use crate::last_information;
use crate::model::{PersonReport, ReportMeta, Roster};
use crate::person_view::PersonView;
use crate::roster_figures::{RosterFigures, roster_figures};

/// The schema name of person reports.
pub const PERSON_SCHEMA: &str = "habeas.person-report";
/// The schema name of rosters.
pub const ROSTER_SCHEMA: &str = "habeas.roster";
/// The current version of both schemas.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct ViewOut {
    as_of: NaiveDate,
    known_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct IdentityOut<'a> {
    name: &'a str,
    aliases: Vec<&'a str>,
    country: Option<&'a str>,
    affiliation: Option<&'a str>,
    born: Option<PartialDate>,
    /// Added in version 1 (compatible); absent when not recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    sex: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    born_in: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    /// Internal reports only.
    #[serde(skip_serializing_if = "Option::is_none")]
    residence: Option<&'a str>,
    sources: &'a [usize],
}

#[derive(Serialize)]
struct CustodyOut<'a> {
    state: &'static str,
    since: Option<PartialDate>,
    kind: Option<&'static str>,
    facility: Option<&'a str>,
    place: Option<&'a str>,
    text: String,
}

#[derive(Serialize)]
struct ChargeOut<'a> {
    offence: &'a str,
    article: Option<&'a str>,
}

#[derive(Serialize)]
struct LegalOut<'a> {
    state: &'static str,
    on: Option<PartialDate>,
    court: Option<&'a str>,
    charges: Vec<ChargeOut<'a>>,
    term: Option<TermOut>,
    in_absentia: bool,
    suspended: bool,
    text: String,
}

#[derive(Serialize)]
struct TermOut {
    kind: &'static str,
    years: u32,
    months: u32,
    days: u32,
    text: String,
}

impl TermOut {
    fn new(term: &Term) -> Self {
        let (kind, years, months, days) = match *term {
            Term::Fixed {
                years,
                months,
                days,
            } => ("fixed", years, months, days),
            Term::Life => ("life", 0, 0, 0),
            Term::Death => ("death", 0, 0, 0),
        };
        Self {
            kind,
            years,
            months,
            days,
            text: term.to_string(),
        }
    }
}

#[derive(Serialize)]
struct DaysOut {
    min: i64,
    /// `null`: no upper bound is known ("at least `min` days").
    max: Option<i64>,
    exact: bool,
    text: String,
}

impl DaysOut {
    fn new(days: DayRange) -> Self {
        Self {
            min: days.min,
            max: days.max,
            exact: days.is_exact(),
            text: crate::arithmetic::days(days),
        }
    }
}

#[derive(Serialize)]
struct DateRangeOut {
    /// `null`: only the latest day is known ("on or before").
    earliest: Option<NaiveDate>,
    latest: NaiveDate,
    text: String,
}

impl DateRangeOut {
    fn new(range: DateRange) -> Self {
        Self {
            earliest: range.earliest,
            latest: range.latest,
            text: range.to_string(),
        }
    }
}

#[derive(Serialize)]
struct FractionOut {
    min: f64,
    max: f64,
    text: String,
}

impl FractionOut {
    fn new(range: FractionRange) -> Self {
        Self {
            min: range.min,
            max: range.max,
            text: range.to_string(),
        }
    }
}

#[derive(Serialize)]
struct FiguresOut {
    days_in_custody_now: Option<DaysOut>,
    days_in_custody_total: Option<DaysOut>,
    term: Option<TermOut>,
    expected_release: Option<DateRangeOut>,
    /// Still held after the latest day the release could have been.
    release_overdue: bool,
    served: Option<FractionOut>,
}

#[derive(Serialize)]
struct EpisodeOut<'a> {
    start: PartialDate,
    end: Option<PartialDate>,
    ongoing: bool,
    kind: &'static str,
    facility: Option<&'a str>,
    days: DaysOut,
    started_by: EventId,
    ended_by: Option<EventId>,
}

#[derive(Serialize)]
struct RestrictionOut<'a> {
    kind: &'static str,
    since: PartialDate,
    until: Option<PartialDate>,
    description: Option<&'a str>,
    imposed_by: EventId,
}

#[derive(Serialize)]
struct DetailOut<'a> {
    label: &'static str,
    value: &'a str,
}

#[derive(Serialize)]
struct FactOut<'a> {
    event_id: EventId,
    event_type: &'static str,
    occurred: PartialDate,
    recorded_at: DateTime<Utc>,
    title: &'a str,
    details: Vec<DetailOut<'a>>,
    confidence: &'static str,
    sources: &'a [usize],
    sourced: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    corrected_at: &'a [u64],
    restricted: bool,
    payload_schema_version: u32,
    payload: Value,
}

#[derive(Serialize)]
struct StatementOut<'a> {
    event_id: EventId,
    occurred: PartialDate,
    by: &'a str,
    by_role: Option<&'a str>,
    kind: &'static str,
    summary: &'a str,
    link: Option<&'a str>,
    confidence: &'static str,
    sources: &'a [usize],
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    restricted: bool,
}

#[derive(Serialize)]
struct SourceOut<'a> {
    number: usize,
    url: Option<&'a str>,
    linkable: bool,
    document: Option<&'a str>,
    title: Option<&'a str>,
    publisher: Option<&'a str>,
    date: Option<PartialDate>,
}

#[derive(Serialize)]
struct ChangeOut<'a> {
    field: &'a str,
    before: &'a str,
    after: &'a str,
}

#[derive(Serialize)]
struct AmendmentOut<'a> {
    action: &'static str,
    target: EventId,
    target_position: Option<u64>,
    changes: Vec<ChangeOut<'a>>,
    reason: &'a str,
    text: String,
}

#[derive(Serialize)]
struct AuditOut<'a> {
    position: u64,
    event_id: EventId,
    event_type: &'static str,
    title: &'a str,
    occurred: Option<PartialDate>,
    recorded_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded_by: Option<&'a str>,
    headline_after: Headline,
    amendment: Option<AmendmentOut<'a>>,
}

#[derive(Serialize)]
struct LastInformationOut<'a> {
    event_id: EventId,
    occurred: PartialDate,
    title: &'a str,
    source_date: Option<PartialDate>,
    text: String,
    warning: Option<String>,
}

#[derive(Serialize)]
struct PersonOut<'a> {
    schema: &'static str,
    schema_version: u32,
    generated_at: DateTime<Utc>,
    generated_by: &'a str,
    example_data: bool,
    public: bool,
    notices: Vec<&'static str>,
    person_id: PersonId,
    view: ViewOut,
    last_information: Option<LastInformationOut<'a>>,
    headline: Headline,
    identity: IdentityOut<'a>,
    custody: CustodyOut<'a>,
    legal: LegalOut<'a>,
    figures: FiguresOut,
    episodes: Vec<EpisodeOut<'a>>,
    restrictions: Vec<RestrictionOut<'a>>,
    exile: Option<PartialDate>,
    facts: Vec<FactOut<'a>>,
    statements: Vec<StatementOut<'a>>,
    sources: Vec<SourceOut<'a>>,
    audit: Vec<AuditOut<'a>>,
}

fn custody(custody: &Custody) -> CustodyOut<'_> {
    let text = describe::custody(custody);
    let (state, since, kind, facility, place) = match custody {
        Custody::Unknown => ("unknown", None, None, None, None),
        Custody::AtLiberty { since } => ("at-liberty", *since, None, None, None),
        Custody::InCustody {
            since,
            kind,
            facility,
            place,
        } => (
            "in-custody",
            Some(*since),
            Some(describe::detention_kind(*kind)),
            facility.as_deref(),
            place.as_deref(),
        ),
        Custody::Disappeared { since } => ("disappeared", Some(*since), None, None, None),
        Custody::Deceased { on } => ("deceased", Some(*on), None, None, None),
    };
    CustodyOut {
        state,
        since,
        kind,
        facility,
        place,
        text,
    }
}

fn charges_out(charges: &[habeas_domain::event::Charge]) -> Vec<ChargeOut<'_>> {
    charges
        .iter()
        .map(|charge| ChargeOut {
            offence: &charge.offence,
            article: charge.article.as_deref(),
        })
        .collect()
}

fn legal(legal: &Legal) -> LegalOut<'_> {
    let text = describe::legal(legal);
    let blank = |state, on| LegalOut {
        state,
        on,
        court: None,
        charges: Vec::new(),
        term: None,
        in_absentia: false,
        suspended: false,
        text: text.clone(),
    };
    match legal {
        Legal::NotCharged => blank("not-charged", None),
        Legal::Acquitted { on } => blank("acquitted", Some(*on)),
        Legal::ChargesDropped { on } => blank("charges-dropped", Some(*on)),
        Legal::Charged {
            since,
            charges,
            court,
        } => LegalOut {
            court: court.as_deref(),
            charges: charges_out(charges),
            ..blank("charged", Some(*since))
        },
        Legal::Convicted {
            on,
            term,
            court,
            in_absentia,
            suspended,
            charges,
        } => LegalOut {
            court: court.as_deref(),
            charges: charges_out(charges),
            term: term.as_ref().map(TermOut::new),
            in_absentia: *in_absentia,
            suspended: *suspended,
            ..blank("convicted", Some(*on))
        },
    }
}

fn confidence(level: habeas_domain::facts::Confidence) -> &'static str {
    use habeas_domain::facts::Confidence;
    match level {
        Confidence::Confirmed => "confirmed",
        Confidence::Reported => "reported",
        Confidence::Alleged => "alleged",
        Confidence::Disputed => "disputed",
    }
}

fn source(number: usize, source: &Source) -> SourceOut<'_> {
    SourceOut {
        number,
        url: source.url.as_deref(),
        linkable: source
            .url
            .as_deref()
            .and_then(crate::escape::linkable_url)
            .is_some(),
        document: source.document.as_deref(),
        title: source.title.as_deref(),
        publisher: source.publisher.as_deref(),
        date: source.date,
    }
}

fn audit(row: &AuditRow) -> AuditOut<'_> {
    AuditOut {
        position: row.position,
        event_id: row.event_id,
        event_type: row.event_type,
        title: &row.title,
        occurred: row.occurred,
        recorded_at: row.recorded_at,
        recorded_by: row.recorded_by.as_deref(),
        headline_after: row.headline_after,
        amendment: row.amendment.as_ref().map(|amendment| AmendmentOut {
            action: amendment.action,
            target: amendment.target,
            target_position: amendment.target_position,
            changes: amendment
                .changes
                .iter()
                .map(|change| ChangeOut {
                    field: &change.field,
                    before: &change.before,
                    after: &change.after,
                })
                .collect(),
            reason: &amendment.reason,
            text: amendment_text(amendment),
        }),
    }
}

/// The stored payload of a fact without what the report shows elsewhere
/// (sources, by number) or must not show (the note, in the public variant).
fn payload(event: &habeas_domain::event::Event) -> Value {
    let mut payload = event.to_payload();
    if let Value::Object(fields) = &mut payload {
        fields.remove("sources");
        fields.remove("note");
    }
    payload
}

fn meta_notices(meta: &ReportMeta) -> Vec<&'static str> {
    crate::notice::banners(meta)
}

fn pretty(value: &impl Serialize) -> String {
    let mut text =
        serde_json::to_string_pretty(value).expect("report structs have string keys only");
    text.push('\n');
    text
}

/// Renders a person report as JSON (schema `habeas.person-report`, version 1).
pub fn person_json(report: &PersonReport) -> String {
    let view = PersonView::new(report);
    let status = &report.status;
    let figures = &status.figures;
    let identity = status.identity.as_ref();
    let out = PersonOut {
        schema: PERSON_SCHEMA,
        schema_version: SCHEMA_VERSION,
        generated_at: report.meta.generated_at,
        generated_by: &report.meta.generated_by,
        example_data: report.meta.example_data,
        public: report.meta.public,
        notices: meta_notices(&report.meta),
        person_id: report.person_id,
        view: ViewOut {
            as_of: status.view.as_of,
            known_at: status.view.known_at,
        },
        last_information: view
            .last_information
            .as_ref()
            .map(|last| LastInformationOut {
                event_id: last.event_id,
                occurred: last.occurred,
                title: &last.title,
                source_date: last.source_date,
                text: last_information::sentence(Some(last)),
                warning: last_information::staleness(Some(last), status.view.as_of),
            }),
        headline: status.headline,
        identity: IdentityOut {
            name: &view.name,
            aliases: identity
                .map_or_else(Vec::new, |i| i.aliases.iter().map(String::as_str).collect()),
            country: identity.and_then(|i| i.country.as_deref()),
            affiliation: identity.and_then(|i| i.affiliation.as_deref()),
            born: identity.and_then(|i| i.born),
            sex: identity.and_then(|i| i.details.sex.as_deref()),
            born_in: identity.and_then(|i| i.details.born_in.as_deref()),
            group: identity.and_then(|i| i.details.group.as_deref()),
            residence: identity
                .and_then(|i| i.details.residence.as_deref())
                .filter(|_| !report.meta.public),
            sources: &view.identity_citations,
        },
        custody: custody(&status.custody),
        legal: legal(&status.legal),
        figures: FiguresOut {
            days_in_custody_now: figures.days_in_custody_now.map(DaysOut::new),
            days_in_custody_total: figures.days_in_custody_total.map(DaysOut::new),
            term: figures.term.as_ref().map(TermOut::new),
            expected_release: figures.expected_release.map(DateRangeOut::new),
            release_overdue: figures.release_overdue,
            served: figures.served.map(FractionOut::new),
        },
        episodes: view
            .episodes
            .iter()
            .map(|episode| EpisodeOut {
                start: episode.start,
                end: episode.end,
                ongoing: episode.end.is_none(),
                kind: describe::detention_kind(episode.kind),
                facility: episode.facility.as_deref(),
                days: DaysOut::new(episode.days),
                started_by: episode.started_by,
                ended_by: episode.ended_by,
            })
            .collect(),
        restrictions: view
            .restrictions
            .iter()
            .map(|restriction| RestrictionOut {
                kind: describe::restriction_kind(restriction.kind),
                since: restriction.since,
                until: restriction.until,
                description: restriction.description.as_deref(),
                imposed_by: restriction.imposed_by,
            })
            .collect(),
        exile: status.exile,
        facts: view
            .facts
            .iter()
            .map(|fact| FactOut {
                event_id: fact.id,
                event_type: fact.event.event_type(),
                occurred: fact.occurred,
                recorded_at: fact.recorded_at,
                title: &fact.described.title,
                details: fact
                    .described
                    .details
                    .iter()
                    .map(|(label, value)| DetailOut { label, value })
                    .collect(),
                confidence: confidence(fact.facts.confidence),
                sources: &fact.citations,
                sourced: fact.is_sourced(),
                note: fact.note,
                corrected_at: &fact.corrected_at,
                restricted: fact.restricted,
                payload_schema_version: fact.event.schema_version(),
                payload: payload(fact.event),
            })
            .collect(),
        statements: view
            .statements
            .iter()
            .map(|entry| StatementOut {
                event_id: entry.id,
                occurred: entry.statement.facts.occurred,
                by: &entry.statement.by,
                by_role: entry.statement.by_role.as_deref(),
                kind: describe::statement_kind(entry.statement.kind),
                summary: &entry.statement.summary,
                link: entry.link.as_deref(),
                confidence: confidence(entry.statement.facts.confidence),
                sources: &entry.citations,
                note: entry.note,
                restricted: entry.restricted,
            })
            .collect(),
        sources: view
            .sources
            .iter()
            .enumerate()
            .map(|(idx, s)| source(idx + 1, s))
            .collect(),
        audit: view.audit.iter().map(audit).collect(),
    };
    pretty(&out)
}

#[derive(Serialize)]
struct RosterRowOut<'a> {
    person_id: PersonId,
    name: &'a str,
    aliases: &'a [String],
    country: Option<&'a str>,
    headline: Headline,
    /// The headline if facts dated only to a month or a year containing the
    /// as-of day had happened by then; null when nothing is uncertain.
    possibly: Option<Headline>,
    custody_since: Option<PartialDate>,
    facility: Option<&'a str>,
    days_in_custody_now: Option<DaysOut>,
    days_in_custody_total: Option<DaysOut>,
    slug: &'a str,
    report: Option<String>,
    born: Option<PartialDate>,
    namesake: Option<String>,
    legal: LegalOut<'a>,
    sentence: Option<String>,
    last_fact: Option<PartialDate>,
    /// Held past the latest day the sentence could end, no release recorded.
    release_overdue: bool,
}

#[derive(Serialize)]
struct RosterOut<'a> {
    schema: &'static str,
    schema_version: u32,
    generated_at: DateTime<Utc>,
    generated_by: &'a str,
    example_data: bool,
    public: bool,
    notices: Vec<&'static str>,
    view: ViewOut,
    figures: RosterFigures,
    rows: Vec<RosterRowOut<'a>>,
}

/// Renders a roster as JSON (schema `habeas.roster`, version 1).
pub fn roster_json(roster: &Roster) -> String {
    let out = RosterOut {
        schema: ROSTER_SCHEMA,
        schema_version: SCHEMA_VERSION,
        generated_at: roster.meta.generated_at,
        generated_by: &roster.meta.generated_by,
        example_data: roster.meta.example_data,
        public: roster.meta.public,
        notices: meta_notices(&roster.meta),
        view: ViewOut {
            as_of: roster.view.as_of,
            known_at: roster.view.known_at,
        },
        figures: roster_figures(&roster.rows),
        rows: crate::roster_view::rows(roster)
            .into_iter()
            .map(|view| (view.row, view))
            .map(|(row, view)| RosterRowOut {
                person_id: row.person_id,
                name: &row.name,
                aliases: &row.aliases,
                country: row.country.as_deref(),
                headline: row.headline,
                possibly: row.possibly.filter(|possibly| *possibly != row.headline),
                custody_since: row.custody_since,
                facility: row.facility.as_deref(),
                days_in_custody_now: row.days_in_custody_now.map(DaysOut::new),
                days_in_custody_total: row.days_in_custody_total.map(DaysOut::new),
                slug: &row.slug,
                report: view.report,
                born: row.born,
                namesake: view.namesake,
                legal: legal(&row.legal),
                sentence: view.sentence,
                release_overdue: row.release_overdue,
                last_fact: row.last_fact,
            })
            .collect(),
    };
    pretty(&out)
}
