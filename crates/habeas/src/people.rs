//! People as front ends show them ([`PersonEntry`]: id, slug, identity), a
//! list of them ([`PersonIndex`]), and the "did you mean" of a name nobody
//! has. Finding a person from what a user types is [`crate::tracker::Tracker::resolve`],
//! from the read models' indexes.

use habeas_domain::history::Identity;
use habeas_domain::id::PersonId;

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

/// Folding is the domain's, so that the facade and the read model always
/// agree on who "rorng chhun" is.
pub use habeas_domain::names::fold;

impl PersonIndex {
    /// An index of the given people, in the order given (the tracker gives
    /// them by id: ids are time-ordered, so roughly registration order).
    pub fn from_entries(people: Vec<PersonEntry>) -> Self {
        PersonIndex { people }
    }

    /// Everyone, in registration order.
    pub fn people(&self) -> &[PersonEntry] {
        &self.people
    }
}

impl PersonEntry {
    /// The entry of a read-model row; `None` for a stream without a
    /// registration (the rules never record one).
    pub fn from_row(row: &habeas_projections::PersonStatus) -> Option<PersonEntry> {
        let identity = row.identity.as_ref()?;
        Some(PersonEntry {
            id: row.person,
            slug: row.slug.clone().unwrap_or_else(|| row.person.to_string()),
            identity: Identity {
                name: identity.name.clone(),
                aliases: identity.aliases.clone(),
                country: identity.country.clone(),
                affiliation: identity.affiliation.clone(),
                born: identity.born,
                details: habeas_domain::event::PersonDetails::default(),
            },
        })
    }

    /// The slug when it adds something to the name: `None` when the name is
    /// its own slug (a name in a script without case, such as `刘晓波`), so
    /// that no one reads `刘晓波 (刘晓波)`.
    pub fn slug_if_distinct(&self) -> Option<&str> {
        (self.slug != self.identity.name).then_some(self.slug.as_str())
    }

    /// `Name (slug)`, or the name alone when it is its slug: for suggestions.
    pub fn label(&self) -> String {
        match self.slug_if_distinct() {
            Some(slug) => format!("{} ({slug})", self.identity.name),
            None => self.identity.name.clone(),
        }
    }

    /// `Name (slug, id)`, or `Name (id)` when the name is its slug: for
    /// lists of candidates.
    pub fn candidate(&self) -> String {
        match self.slug_if_distinct() {
            Some(slug) => format!("{} ({slug}, {})", self.identity.name, self.id),
            None => format!("{} ({})", self.identity.name, self.id),
        }
    }
}

/// How alike two folded names must be to be suggested.
const SUGGESTION_THRESHOLD: f64 = 0.75;
/// How many names a "did you mean" lists.
const SUGGESTIONS: usize = 3;

/// The (at most three) items whose folded name is closest to `wanted`, best
/// first; an item with several names counts with its best one.
pub(crate) fn closest<T: PartialEq + Copy>(
    wanted: &str,
    names: impl IntoIterator<Item = (String, T)>,
) -> Vec<T> {
    let mut scored: Vec<(f64, T)> = Vec::new();
    for (name, item) in names {
        let score = strsim::jaro_winkler(&name, wanted);
        if score < SUGGESTION_THRESHOLD {
            continue;
        }
        match scored.iter_mut().find(|(_, seen)| *seen == item) {
            Some(best) => best.0 = best.0.max(score),
            None => scored.push((score, item)),
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, item)| item)
        .collect()
}
