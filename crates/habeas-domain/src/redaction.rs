//! The public view of a stream: what a public report may be built from.
//!
//! A fact is public when the version of it that stands (after corrections) is
//! public. A fact whose standing version is restricted is left out together
//! with every correction and retraction of it, so that neither its first
//! version nor a reason for correcting it leaks; a fact first recorded as
//! restricted and later corrected to public appears as corrected. Status,
//! figures and reports built from the result never depend on restricted facts.

use std::collections::HashSet;

use crate::event::Event;
use crate::facts::Visibility;
use crate::history::{CaseFile, RecordedEvent};
use crate::id::EventId;

/// The events of `history` (in recording order) that a public report may use.
pub fn public_history(history: &[RecordedEvent]) -> Vec<RecordedEvent> {
    let file = CaseFile::from_history(history);
    let hidden: HashSet<EventId> = file
        .entries()
        .iter()
        .filter(|entry| {
            entry
                .effective
                .facts()
                .is_some_and(|facts| facts.visibility == Visibility::Restricted)
        })
        .map(|entry| entry.id)
        .collect();
    history
        .iter()
        .filter(|recorded| {
            let about = match &recorded.event {
                Event::EventCorrected(correction) => correction.target,
                Event::EventRetracted(retraction) => retraction.target,
                _ => recorded.id,
            };
            !hidden.contains(&about)
        })
        .cloned()
        .collect()
}
