//! Finding a person from what a user types: an id, a slug, a name or any alias,
//! ignoring case, accents and punctuation ("rorng chhun" finds Rong Chhun).

use std::collections::HashMap;

use habeas_domain::event::Event;
use habeas_domain::history::{CaseFile, Identity, RecordedEvent};
use habeas_domain::id::PersonId;

use crate::error::TrackerError;

/// One person as the index knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonEntry {
    /// Their id.
    pub id: PersonId,
    /// A short stable handle for the command line, e.g. `rong-chhun`.
    pub slug: String,
    /// Name, aliases and the rest.
    pub identity: Identity,
}

/// Everyone registered, in registration order.
#[derive(Debug, Clone, Default)]
pub struct PersonIndex {
    people: Vec<PersonEntry>,
}

/// Folding and slugs are the projections' own, so that the facade and the read
/// model always agree on who "rorng chhun" is and on every slug.
pub use habeas_projections::fold;
use habeas_projections::slug_candidates;

impl PersonIndex {
    /// Builds the index from each person stream's history, given in the order
    /// the people were registered.
    pub fn from_histories(histories: Vec<(PersonId, Vec<RecordedEvent>)>) -> Self {
        let mut index = PersonIndex::default();
        let mut taken: HashMap<String, usize> = HashMap::new();
        for (id, history) in histories {
            let Some(identity) = CaseFile::from_history(&history).identity().cloned() else {
                continue;
            };
            // The first person registered under a name keeps the plain slug;
            // later namesakes get the start of their id appended (the whole id
            // when v7 ids made in the same minute share that start), so a slug
            // never changes once printed.
            let slug = slug_candidates(&identity.name, id)
                .into_iter()
                .find(|candidate| !taken.contains_key(candidate))
                .expect("the slug with the whole id is unique");
            taken.insert(slug.clone(), index.people.len());
            index.people.push(PersonEntry { id, slug, identity });
        }
        index
    }

    /// Everyone, in registration order.
    pub fn people(&self) -> &[PersonEntry] {
        &self.people
    }

    /// The entry of an id.
    pub fn get(&self, id: PersonId) -> Option<&PersonEntry> {
        self.people.iter().find(|person| person.id == id)
    }

    /// Resolves a reference: a full id, a slug, or a name or alias matching
    /// exactly once after folding. Unknown references come back with the
    /// closest names; ambiguous ones with every candidate.
    pub fn resolve(&self, reference: &str) -> Result<&PersonEntry, TrackerError> {
        let trimmed = reference.trim();
        if let Ok(id) = trimmed.parse::<PersonId>()
            && let Some(person) = self.get(id)
        {
            return Ok(person);
        }
        if let Some(person) = self.people.iter().find(|p| p.slug == trimmed) {
            return Ok(person);
        }
        let wanted = fold(trimmed);
        let matches: Vec<&PersonEntry> = self
            .people
            .iter()
            .filter(|person| names(&person.identity).any(|name| fold(name) == wanted))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(TrackerError::UnknownPerson {
                reference: reference.to_owned(),
                suggestions: self.closest(&wanted),
            }),
            many => Err(TrackerError::AmbiguousPerson {
                reference: reference.to_owned(),
                candidates: many
                    .iter()
                    .map(|p| format!("{} ({}, {})", p.identity.name, p.slug, p.id))
                    .collect(),
            }),
        }
    }

    fn closest(&self, wanted: &str) -> Vec<String> {
        let mut scored: Vec<(f64, String)> = self
            .people
            .iter()
            .filter_map(|person| {
                let best = names(&person.identity)
                    .map(|name| strsim::jaro_winkler(&fold(name), wanted))
                    .fold(0.0, f64::max);
                (best >= 0.75)
                    .then(|| (best, format!("{} ({})", person.identity.name, person.slug)))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().take(3).map(|(_, name)| name).collect()
    }
}

fn names(identity: &Identity) -> impl Iterator<Item = &String> {
    std::iter::once(&identity.name).chain(identity.aliases.iter())
}

/// Whether an event changes who a person is (and so the index).
pub fn changes_identity(event: &Event) -> bool {
    matches!(
        event,
        Event::PersonRegistered(_) | Event::PersonDetailsChanged(_)
    )
}
