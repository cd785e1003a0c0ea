//! Importing a row again with another mapping: what the mapping now reads
//! that the row's person does not have yet.
//!
//! A row's person is found by the row's cells alone ([`crate::ids`]), so a
//! file imported once with a mapping of names and birth dates, then again
//! with a mapping that also reads detentions and sentences, finds the same
//! people and adds their detentions and sentences. A kind of fact the person
//! already has (from the first import, or recorded by hand since) is never
//! recorded twice: when the new mapping reads it differently, the report
//! says so and a person corrects it with `habeas correct`.

use habeas_domain::command::Action;
use habeas_domain::event::Event;
use habeas_domain::history::RecordedEvent;

/// What re-importing a row adds to its person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Additions {
    /// The actions of kinds the person has no event of, in the row's order.
    pub(crate) actions: Vec<Action>,
    /// Facts the mapping reads differently from what the person has.
    pub(crate) differences: Vec<String>,
}

/// The row's planned actions against the person's recorded history.
pub(crate) fn additions(history: &[RecordedEvent], planned: Vec<Action>) -> Additions {
    let mut added = Additions {
        actions: Vec::new(),
        differences: Vec::new(),
    };
    for action in planned {
        let event = action.clone().into_event();
        let same_kind: Vec<&Event> = history
            .iter()
            .map(|recorded| &recorded.event)
            .filter(|recorded| recorded.event_type() == event.event_type())
            .collect();
        if same_kind.is_empty() {
            added.actions.push(action);
        } else if !same_kind.contains(&&event) {
            added.differences.push(format!(
                "the mapping reads the {} differently from the one the person has: it was left as it is; correct it with `habeas correct` if the new reading is right",
                habeas_domain::event::noun_of(event.event_type())
            ));
        }
    }
    added
}
