//! Dropping the provenance of recorded events (where each fact came from,
//! and the officer's notes) for readers that derive status only.
//!
//! [`status`](crate::status::status) and [`standing`](crate::status::standing)
//! never read a fact's sources or note, a registration's or a details
//! change's sources, or the command id; yet folding a history copies every
//! fact whole. A reader that derives many statuses and shows none of these
//! (the read models of `habeas-projections`, whose rebuild folds every
//! stream of the log) drops them first with [`strip`]. That this changes no
//! standing and no status is a property the domain's own tests check
//! (`tests/properties.rs`), so such a reader cannot drift from a replay of
//! the log. Anything that shows or exports facts keeps them.

use crate::event::Event;
use crate::history::RecordedEvent;

/// Removes from `recorded` what status never reads: the sources and note of
/// its fact (of the corrected fact, for a correction), the sources of a
/// registration or a details change, and the command id.
pub fn strip(recorded: &mut RecordedEvent) {
    recorded.command_id = None;
    strip_event(&mut recorded.event);
}

fn strip_event(event: &mut Event) {
    if let Some(facts) = event.facts_mut() {
        facts.sources = Vec::new();
        facts.note = None;
    }
    match event {
        Event::PersonRegistered(registration) => registration.sources = Vec::new(),
        Event::PersonDetailsChanged(change) => change.sources = Vec::new(),
        Event::EventCorrected(correction) => strip_event(&mut correction.corrected),
        _ => {}
    }
}
