//! Assembling report models from the store: the facade's half of
//! `habeas-report`, which only renders.
//!
//! Every model is built from what was recorded at or before `known_at`; the
//! public variant is built from the domain's public view of each stream
//! ([`habeas_domain::redaction::public_history`]), so that status, figures,
//! facts, statements and the audit appendix all leave restricted facts out.

use chrono::Utc;
use habeas_domain::date::PartialDate;
use habeas_domain::event::Event;
use habeas_domain::history::{CaseFile, RecordedEvent};
use habeas_domain::id::PersonId;
use habeas_domain::redaction::public_history;
use habeas_domain::status::{Custody, View, status};
use habeas_report::model::{
    AuditEntry, PersonReport, ReportMeta, Roster, RosterRow, StatementEntry,
};
use habeas_store::Envelope;

use crate::codec;
use crate::demo::DEMO_ACTOR;
use crate::error::TrackerError;
use crate::tracker::{Subject, Tracker, stream_of};

/// Which variant to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// The valid and transaction times.
    pub view: View,
    /// Leave out restricted facts, notes and staff names.
    pub public: bool,
}

impl Tracker {
    async fn meta(&self, public: bool) -> Result<ReportMeta, TrackerError> {
        let first = self.store().read_all(1, 1).await?;
        Ok(ReportMeta {
            generated_at: Utc::now(),
            generated_by: format!("Habeas {}", env!("CARGO_PKG_VERSION")),
            example_data: first.first().is_some_and(|e| e.recorded_by == DEMO_ACTOR),
            public,
        })
    }

    /// A person's report as of `options.view`.
    pub async fn person_report(
        &self,
        person: PersonId,
        options: ReportOptions,
    ) -> Result<PersonReport, TrackerError> {
        let view = options.view;
        let envelopes: Vec<Envelope> = self
            .store()
            .read_stream(&stream_of(Subject::Person(person)), 1)
            .await?
            .into_iter()
            .filter(|e| e.recorded_at <= view.known_at)
            .collect();
        if envelopes.is_empty() {
            return Err(TrackerError::UnknownPerson {
                reference: person.to_string(),
                suggestions: Vec::new(),
            });
        }
        let full = envelopes
            .iter()
            .map(codec::recorded)
            .collect::<Result<Vec<_>, _>>()?;
        let history = visible(full, options.public);
        let file = CaseFile::from_history(&history);
        let audit = envelopes
            .iter()
            .filter_map(|envelope| {
                let idx = history
                    .iter()
                    .position(|r| *r.id.as_uuid() == envelope.event_id)?;
                let recorded = &history[idx];
                let view_then = View {
                    as_of: recorded.recorded_at.date_naive(),
                    known_at: recorded.recorded_at,
                };
                Some(AuditEntry {
                    position: envelope.position,
                    event_id: recorded.id,
                    recorded_at: recorded.recorded_at,
                    recorded_by: envelope.recorded_by.clone(),
                    event: recorded.event.clone(),
                    headline_after: status(&history[..=idx], view_then).headline,
                })
            })
            .collect();
        // Statements about the person, or about a record merged into theirs.
        let records = self.records_of(person).await?;
        let mut statements = Vec::new();
        for (_, history) in self.statement_histories_naming(person).await? {
            let history: Vec<RecordedEvent> = history
                .into_iter()
                .filter(|r| r.recorded_at <= view.known_at)
                .collect();
            let history = visible(history, options.public);
            for entry in CaseFile::from_history(&history).live_entries() {
                if let Event::StatementIssued(statement) = &entry.effective
                    && statement.about.iter().any(|about| records.contains(about))
                {
                    statements.push(StatementEntry {
                        event_id: entry.id,
                        statement: statement.clone(),
                    });
                }
            }
        }
        statements.sort_by_key(|s| s.statement.facts.occurred);
        Ok(PersonReport {
            meta: self.meta(options.public).await?,
            person_id: person,
            status: status(&history, view),
            facts: file.live_entries().cloned().collect(),
            statements,
            audit,
        })
    }

    /// Everyone registered by `known_at`, with their status on `as_of`.
    pub async fn roster(&self, options: ReportOptions) -> Result<Roster, TrackerError> {
        let view = options.view;
        let mut rows = Vec::new();
        for person in self.people().await?.people() {
            // Each person replayed for the view: the read model answers only
            // "as known now", and holds restricted facts.
            let history: Vec<RecordedEvent> = self
                .history_of(Subject::Person(person.id))
                .await?
                .into_iter()
                .filter(|r| r.recorded_at <= view.known_at)
                .collect();
            if history.is_empty() {
                continue;
            }
            let history = visible(history, options.public);
            let status = status(&history, view);
            let last_fact = last_fact(&history);
            let Some(identity) = status.identity.clone() else {
                continue;
            };
            let (custody_since, facility) = match &status.custody {
                Custody::InCustody {
                    since, facility, ..
                } => (Some(*since), facility.clone()),
                _ => (None, None),
            };
            rows.push(RosterRow {
                person_id: person.id,
                slug: person.slug.clone(),
                name: identity.name,
                aliases: identity.aliases,
                country: identity.country,
                born: identity.born,
                headline: status.headline,
                possibly: status.possibly.as_ref().map(|possibly| possibly.headline),
                release_overdue: status.figures.release_overdue,
                custody_since,
                facility,
                days_in_custody_now: status.figures.days_in_custody_now,
                days_in_custody_total: status.figures.days_in_custody_total,
                legal: status.legal,
                last_fact,
            });
        }
        Ok(Roster {
            meta: self.meta(options.public).await?,
            view,
            rows,
        })
    }
}

/// When the newest live dated fact of `history` happened (statements about
/// the person live in other streams and do not count).
fn last_fact(history: &[RecordedEvent]) -> Option<PartialDate> {
    CaseFile::from_history(history)
        .live_entries()
        .filter(|entry| entry.effective.facts().is_some())
        .map(|entry| entry.occurred())
        .max()
}

fn visible(history: Vec<RecordedEvent>, public: bool) -> Vec<RecordedEvent> {
    if public {
        public_history(&history)
    } else {
        history
    }
}
