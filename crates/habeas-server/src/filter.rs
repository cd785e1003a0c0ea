//! The restricted-fact filter: the one place that decides what of a case a
//! caller may see. Every response that carries case facts (status, history,
//! statements, search results, rosters, reports, a rejection naming an
//! event) is built from what [`Filter::history`] lets through.
//!
//! Without clearance, a stream is read through the domain's public view
//! ([`habeas_domain::redaction::public_history`]): a fact whose standing
//! version is restricted is left out with its corrections, before status is
//! derived. Reports use the same view through
//! `ReportOptions::public`, which [`Filter::public_reports`] sets.

use std::collections::HashSet;

use habeas_domain::error::DomainError;
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::EventId;
use habeas_domain::redaction::public_history;
use habeas_domain::timeline::EventRef;

use crate::error::{AppError, events_named};

/// Whether the caller may read restricted facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clearance {
    /// Public facts only: anonymous callers, viewers, documenters without
    /// clearance.
    PublicOnly,
    /// Everything: editors, admins, documenters with clearance.
    Restricted,
}

/// What a caller may see of the cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    /// The caller's clearance.
    pub clearance: Clearance,
}

impl Filter {
    /// A filter for a caller with this clearance.
    pub fn new(clearance: Clearance) -> Self {
        Filter { clearance }
    }

    /// The events of a stream the caller may see, in recording order: the
    /// one function every case response is built from.
    pub fn history(&self, history: Vec<RecordedEvent>) -> Vec<RecordedEvent> {
        match self.clearance {
            Clearance::Restricted => history,
            Clearance::PublicOnly => public_history(&history),
        }
    }

    /// The ids of the events of `history` the caller may not see.
    pub fn hidden(&self, history: &[RecordedEvent]) -> HashSet<EventId> {
        let shown: HashSet<EventId> = self
            .history(history.to_vec())
            .into_iter()
            .map(|recorded| recorded.id)
            .collect();
        history
            .iter()
            .map(|recorded| recorded.id)
            .filter(|id| !shown.contains(id))
            .collect()
    }

    /// Whether a report must be the public variant: when asked for, and
    /// always without clearance.
    pub fn public_reports(&self, asked: bool) -> bool {
        asked || self.clearance == Clearance::PublicOnly
    }

    /// A rule's rejection as the caller may read it: an event they may not
    /// see is neither named nor described (type, date, id), only said to be
    /// restricted. `history` is the stream the command was decided against.
    pub fn rejection(&self, error: DomainError, history: &[RecordedEvent]) -> AppError {
        let hidden = self.hidden(history);
        let named = events_named(&error);
        if named.iter().all(|id| !hidden.contains(id)) {
            return AppError::Conflict {
                events: named,
                message: format!("rejected, nothing recorded: {error}"),
            };
        }
        let is_hidden = |placed: &habeas_domain::error::Placed| matches!(placed.event, EventRef::Recorded(id) if hidden.contains(&id));
        let describe_new = |placed: &habeas_domain::error::Placed| {
            if is_hidden(placed) {
                "an event".to_owned()
            } else {
                placed.to_string()
            }
        };
        let event = match &error {
            DomainError::ReleaseWithoutCustody { event, .. }
            | DomainError::DetentionWhileInCustody { event, .. }
            | DomainError::TransferWithoutCustody { event, .. }
            | DomainError::DeathWithoutCustody { event, .. }
            | DomainError::AfterDeath { event, .. }
            | DomainError::DeathAtLibertyInCustody { event, .. }
            | DomainError::SentenceWithoutCustody { event, .. }
            | DomainError::BeforeBirth { event, .. } => describe_new(event),
            _ => "the command".to_owned(),
        };
        AppError::Conflict {
            events: named
                .into_iter()
                .filter(|id| !hidden.contains(id))
                .collect(),
            message: format!(
                "rejected, nothing recorded: {event} conflicts with a restricted fact of this case, which your account may not read: ask an editor to look at the case"
            ),
        }
    }
}
