//! What a person report shows, decided once for every format: which facts are
//! visible in this variant, in which order, with which source numbers.
//!
//! The renderers only lay this out; none of them filters or numbers anything,
//! so the Markdown, HTML and JSON of one report always agree.

use chrono::{DateTime, Utc};

use habeas_domain::date::PartialDate;
use habeas_domain::event::{Event, Statement};
use habeas_domain::facts::{Facts, Source, Visibility};
use habeas_domain::id::EventId;
use habeas_domain::status::{ActiveRestriction, Episode};

use crate::arithmetic;
use crate::audit::{self, AuditRow};
use crate::describe::{self, Described};
use crate::escape;
use crate::last_information::LastInformation;
use crate::model::PersonReport;
use crate::sources::{SourceList, is_sourced};

/// One dated fact as shown.
#[derive(Debug, Clone)]
pub(crate) struct FactView<'a> {
    /// The event's id as first recorded.
    pub(crate) id: EventId,
    /// When it happened (as corrected).
    pub(crate) occurred: PartialDate,
    /// When it was first recorded.
    pub(crate) recorded_at: DateTime<Utc>,
    /// The event as it stands after corrections.
    pub(crate) event: &'a Event,
    /// Its shared facts.
    pub(crate) facts: &'a Facts,
    /// In words.
    pub(crate) described: Described,
    /// Source numbers.
    pub(crate) citations: Vec<usize>,
    /// The audit positions of its corrections.
    pub(crate) corrected_at: Vec<u64>,
    /// The note, unless this is the public variant.
    pub(crate) note: Option<&'a str>,
    /// Restricted: shown in the internal variant only, and marked so.
    pub(crate) restricted: bool,
}

impl FactView<'_> {
    /// Whether a reader can check it: some source has a URL or document.
    pub(crate) fn is_sourced(&self) -> bool {
        is_sourced(&self.facts.sources)
    }
}

/// One statement about the person as shown.
#[derive(Debug, Clone)]
pub(crate) struct StatementView<'a> {
    /// The event that issued it.
    pub(crate) id: EventId,
    /// The statement.
    pub(crate) statement: &'a Statement,
    /// Source numbers.
    pub(crate) citations: Vec<usize>,
    /// Where it is published: its first linkable URL.
    pub(crate) link: Option<String>,
    /// The note, unless this is the public variant.
    pub(crate) note: Option<&'a str>,
    /// Restricted: shown in the internal variant only, and marked so.
    pub(crate) restricted: bool,
}

/// One charge, with when and where it was brought.
#[derive(Debug, Clone)]
pub(crate) struct ChargeRow {
    /// The offence as worded by the authorities.
    pub(crate) offence: String,
    /// The legal article.
    pub(crate) article: Option<String>,
    /// The court.
    pub(crate) court: Option<String>,
    /// The case number.
    pub(crate) case_number: Option<String>,
    /// When charged.
    pub(crate) charged_on: PartialDate,
    /// Source numbers of the charging fact.
    pub(crate) citations: Vec<usize>,
}

/// A person report, decided.
#[derive(Debug, Clone)]
pub(crate) struct PersonView<'a> {
    /// The input.
    pub(crate) report: &'a PersonReport,
    /// The public variant.
    pub(crate) public: bool,
    /// The main name, or a placeholder when nothing is registered.
    pub(crate) name: String,
    /// Sources of the identity details (registration and details changes).
    pub(crate) identity_citations: Vec<usize>,
    /// Visible dated facts, in the order they happened.
    pub(crate) facts: Vec<FactView<'a>>,
    /// Visible statements about the person, in the order they were made.
    pub(crate) statements: Vec<StatementView<'a>>,
    /// Charges from the visible charging facts.
    pub(crate) charges: Vec<ChargeRow>,
    /// Visible custody periods.
    pub(crate) episodes: Vec<&'a Episode>,
    /// Visible restrictions in force.
    pub(crate) restrictions: Vec<&'a ActiveRestriction>,
    /// Sentence and time-in-custody lines.
    pub(crate) arithmetic: Vec<(&'static str, String)>,
    /// Numbered sources: number `i + 1` is `sources[i]`.
    pub(crate) sources: Vec<Source>,
    /// The audit appendix.
    pub(crate) audit: Vec<AuditRow>,
    /// The newest visible fact and the date of its newest source.
    pub(crate) last_information: Option<LastInformation>,
}

fn restricted(facts: &Facts) -> bool {
    facts.visibility == Visibility::Restricted
}

impl<'a> PersonView<'a> {
    /// Decides what `report` shows.
    pub(crate) fn new(report: &'a PersonReport) -> Self {
        let public = report.meta.public;
        let mut sources = SourceList::default();
        let audit = audit::rows(&report.audit, public);

        let mut identity_sources: Vec<Source> = Vec::new();
        for entry in &report.audit {
            match &entry.event {
                Event::PersonRegistered(registration) => {
                    identity_sources.extend(registration.sources.iter().cloned());
                }
                Event::PersonDetailsChanged(change) => {
                    identity_sources.extend(change.sources.iter().cloned());
                }
                _ => {}
            }
        }
        let identity_citations = sources.cite(&identity_sources);

        // Ids of restricted facts: anything that started or ended with them is
        // hidden from the public variant too.
        let hidden: Vec<EventId> = report
            .facts
            .iter()
            .filter(|entry| entry.effective.facts().is_some_and(restricted))
            .map(|entry| entry.id)
            .collect();
        let shown = |id: &EventId| !public || !hidden.contains(id);

        let mut visible: Vec<&habeas_domain::history::Entry> = report
            .facts
            .iter()
            .filter(|entry| entry.retracted_by.is_none() && shown(&entry.id))
            .filter(|entry| entry.effective.facts().is_some())
            .collect();
        // Stable: facts on the same date keep their recording order.
        visible.sort_by_key(|entry| entry.occurred());

        let mut facts = Vec::new();
        let mut charges = Vec::new();
        for entry in visible {
            let Some(entry_facts) = entry.effective.facts() else {
                continue;
            };
            let citations = sources.cite(&entry_facts.sources);
            if let Event::Charged(charging) = &entry.effective {
                for charge in &charging.charges {
                    charges.push(ChargeRow {
                        offence: charge.offence.clone(),
                        article: charge.article.clone(),
                        court: charging.court.clone(),
                        case_number: charging.case_number.clone(),
                        charged_on: entry_facts.occurred,
                        citations: citations.clone(),
                    });
                }
            }
            let corrected_at = entry
                .corrections
                .iter()
                .filter_map(|id| audit.iter().find(|row| row.event_id == *id))
                .map(|row| row.position)
                .collect();
            facts.push(FactView {
                id: entry.id,
                occurred: entry_facts.occurred,
                recorded_at: entry.recorded_at,
                event: &entry.effective,
                facts: entry_facts,
                described: describe::event(&entry.effective),
                citations,
                corrected_at,
                note: note(entry_facts, public),
                restricted: restricted(entry_facts),
            });
        }

        let mut statement_entries: Vec<_> = report
            .statements
            .iter()
            .filter(|entry| !(public && restricted(&entry.statement.facts)))
            .collect();
        statement_entries.sort_by_key(|entry| entry.statement.facts.occurred);
        let statements = statement_entries
            .into_iter()
            .map(|entry| StatementView {
                id: entry.event_id,
                statement: &entry.statement,
                citations: sources.cite(&entry.statement.facts.sources),
                link: entry
                    .statement
                    .facts
                    .sources
                    .iter()
                    .filter_map(|source| source.url.as_deref())
                    .find_map(escape::linkable_url),
                note: note(&entry.statement.facts, public),
                restricted: restricted(&entry.statement.facts),
            })
            .collect();

        let status = &report.status;
        let episodes: Vec<&Episode> = status
            .episodes
            .iter()
            .filter(|episode| {
                shown(&episode.started_by) && episode.ended_by.as_ref().is_none_or(shown)
            })
            .collect();
        let restrictions = status
            .restrictions
            .iter()
            .filter(|restriction| shown(&restriction.imposed_by))
            .collect();
        let name = status.identity.as_ref().map_or_else(
            || "(no registered name)".to_owned(),
            |identity| identity.name.clone(),
        );
        let last_information = LastInformation::newest(&facts);
        Self {
            report,
            public,
            last_information,
            name,
            identity_citations,
            arithmetic: arithmetic::lines(status, &episodes),
            facts,
            statements,
            charges,
            episodes,
            restrictions,
            sources: sources.into_sources(),
            audit,
        }
    }

    /// The dated facts drawn as milestones: every visible fact but statements.
    pub(crate) fn milestones(&self) -> impl Iterator<Item = &FactView<'a>> {
        self.facts
            .iter()
            .filter(|fact| !matches!(fact.event, Event::StatementIssued(_)))
    }
}

fn note(facts: &Facts, public: bool) -> Option<&str> {
    if public {
        return None;
    }
    facts.note.as_deref().filter(|note| !note.trim().is_empty())
}

/// A short label for a milestone: "Charged", "Sentenced, 2 years".
pub(crate) fn milestone_label(event: &Event) -> String {
    match event {
        Event::Detained(_) => "Detained".to_owned(),
        Event::Charged(_) => "Charged".to_owned(),
        Event::HearingHeld(_) => "Hearing".to_owned(),
        Event::Appealed(_) => "Appealed".to_owned(),
        Event::Sentenced(sentencing) => match sentencing.term {
            Some(term) => format!("Sentenced, {term}"),
            None => "Sentenced".to_owned(),
        },
        Event::Acquitted(_) => "Acquitted".to_owned(),
        Event::ChargesDropped(_) => "Charges dropped".to_owned(),
        Event::Transferred(_) => "Transferred".to_owned(),
        Event::Released(_) => "Released".to_owned(),
        Event::RestrictionImposed(_) => "Restriction imposed".to_owned(),
        Event::RestrictionLifted(_) => "Restriction lifted".to_owned(),
        Event::DiedInCustody(_) => "Died in custody".to_owned(),
        Event::Died(death) => describe::death_title(death.kind).to_owned(),
        Event::Disappeared(_) => "Disappeared".to_owned(),
        Event::WentIntoExile(_) => "Exile".to_owned(),
        Event::RecognisedAsPoliticalPrisoner(_) => "Recognised as political prisoner".to_owned(),
        other => describe::event(other).title,
    }
}
