//! Placing dated facts in the order they happened, and the custody rules.
//!
//! Facts are ordered by their earliest possible day, then by the order of
//! recording. Partial dates leave some orders open: `Released 2020-08` and
//! `Detained 2020-08-15` may have happened either way round, since neither is
//! certainly before the other. Among the facts that nothing remaining is
//! certainly before, the walk takes the first, in that order, that the custody
//! rules allow; only when none is allowed is there a conflict. So two dates
//! conflict only when one is certainly before the other (`docs/domain.md`,
//! "Partial dates"), and the same walk orders both `decide`'s check and
//! status derivation.

use crate::date::PartialDate;
use crate::event::{DeathKind, Demise, Event};
use crate::id::EventId;

/// Names an event in a rejection: one already recorded, or the one the command
/// would record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventRef {
    /// The event the rejected command would have recorded.
    New,
    /// An event already in the stream (as it stands after corrections).
    Recorded(EventId),
}

impl std::fmt::Display for EventRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventRef::New => f.write_str("this command"),
            EventRef::Recorded(id) => write!(f, "event {id}"),
        }
    }
}

/// A custody rule that a timeline breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Released while not in custody.
    ReleaseWithoutCustody,
    /// Detained while already in custody.
    DetentionWhileInCustody,
    /// Transferred while not in custody.
    TransferWithoutCustody,
    /// Died in custody while not in custody.
    DeathWithoutCustody,
    /// A custody event after the person's death.
    AfterDeath,
    /// Died at liberty while held (or disappeared).
    DeathAtLibertyInCustody,
    /// Sentenced while at liberty without saying it was in absentia or suspended.
    SentenceWithoutCustody,
}

/// One dated fact to place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    pub(crate) reference: EventRef,
    /// Recording order; the new event comes last.
    pub(crate) seq: usize,
    pub(crate) event: &'a Event,
}

impl Item<'_> {
    pub(crate) fn occurred(&self) -> PartialDate {
        self.event
            .occurred()
            .expect("only dated case events are placed on a timeline")
    }
}

/// Where custody stands during the walk, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Unknown,
    AtLiberty,
    InCustody,
    Disappeared,
    Deceased,
}

/// The first rule broken while walking, with the item that broke it and the
/// item that put custody in the state that forbade it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) item: usize,
    pub(crate) rule: Rule,
    pub(crate) cause: Option<usize>,
}

/// The walk's result: item indices in the order they happened.
#[derive(Debug, Clone)]
pub(crate) struct Arrangement {
    pub(crate) order: Vec<usize>,
    pub(crate) violation: Option<Violation>,
}

fn check(phase: Phase, event: &Event) -> Result<(), Rule> {
    use Phase::*;
    match (event, phase) {
        (
            Event::Detained(_)
            | Event::Released(_)
            | Event::Transferred(_)
            | Event::DiedInCustody(_)
            | Event::Died(_)
            | Event::Disappeared(_),
            Deceased,
        ) => Err(Rule::AfterDeath),
        (Event::Detained(_), InCustody) => Err(Rule::DetentionWhileInCustody),
        (Event::Released(_), Unknown | AtLiberty) => Err(Rule::ReleaseWithoutCustody),
        (Event::Transferred(_), Unknown | AtLiberty | Disappeared) => {
            Err(Rule::TransferWithoutCustody)
        }
        (Event::DiedInCustody(_), Unknown | AtLiberty) => Err(Rule::DeathWithoutCustody),
        (
            Event::Died(Demise {
                kind: DeathKind::InCustody,
                ..
            }),
            Unknown | AtLiberty,
        ) => Err(Rule::DeathWithoutCustody),
        (
            Event::Died(Demise {
                kind: DeathKind::AtLiberty,
                ..
            }),
            InCustody | Disappeared,
        ) => Err(Rule::DeathAtLibertyInCustody),
        (Event::Sentenced(s), Unknown | AtLiberty) if !s.in_absentia && !s.suspended => {
            Err(Rule::SentenceWithoutCustody)
        }
        _ => Ok(()),
    }
}

fn advance(phase: Phase, event: &Event) -> Phase {
    match event {
        Event::Detained(_) => Phase::InCustody,
        Event::Released(_) => Phase::AtLiberty,
        Event::DiedInCustody(_) | Event::Died(_) => Phase::Deceased,
        Event::Disappeared(_) => Phase::Disappeared,
        Event::WentIntoExile(_) if phase == Phase::Unknown => Phase::AtLiberty,
        _ => phase,
    }
}

fn changes_phase(event: &Event) -> bool {
    matches!(
        event,
        Event::Detained(_)
            | Event::Released(_)
            | Event::DiedInCustody(_)
            | Event::Died(_)
            | Event::Disappeared(_)
            | Event::WentIntoExile(_)
    )
}

/// Walks the items in the order they happened (see the module docs).
pub(crate) fn arrange(items: &[Item<'_>]) -> Arrangement {
    let mut remaining: Vec<usize> = (0..items.len()).collect();
    remaining.sort_by_key(|&idx| (items[idx].occurred(), items[idx].seq));
    let mut order = Vec::with_capacity(items.len());
    let mut violation = None;
    let mut phase = Phase::Unknown;
    let mut cause: Option<usize> = None;
    while !remaining.is_empty() {
        // Nothing remaining is certainly before the one with the earliest
        // first day, so there is always at least one candidate (not always
        // the first in sort order: an open start, `..DATE`, sorts by its
        // bound).
        let is_candidate = |idx: usize| {
            let date = items[idx].occurred();
            !remaining
                .iter()
                .any(|&other| items[other].occurred().certainly_before(&date))
        };
        let pick = remaining
            .iter()
            .position(|&idx| is_candidate(idx) && check(phase, items[idx].event).is_ok())
            .or_else(|| remaining.iter().position(|&idx| is_candidate(idx)))
            .unwrap_or(0);
        let idx = remaining.remove(pick);
        if let Err(rule) = check(phase, items[idx].event)
            && violation.is_none()
        {
            violation = Some(Violation {
                item: idx,
                rule,
                cause,
            });
        }
        if changes_phase(items[idx].event) {
            let next = advance(phase, items[idx].event);
            if next != phase || matches!(items[idx].event, Event::Released(_) | Event::Detained(_))
            {
                cause = Some(idx);
            }
            phase = next;
        }
        order.push(idx);
    }
    Arrangement { order, violation }
}
