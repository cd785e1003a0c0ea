//! Looking people up: one person's status on a day, and finding people by
//! id, slug, name or alias.

use chrono::NaiveDate;
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{PersonId, StatementId};
use habeas_store::{EventStore, StreamId};

use crate::apply::load_row;
use crate::blocking::blocking;
use crate::decode::into_recorded;
use crate::derive::row_before;
use crate::error::ProjectionError;
use crate::keys;
use crate::names::fold;
use crate::projections::Projections;
use crate::row::{PersonStatus, StoredRow};
use crate::writes::Reads;

/// How a reference matched in [`Projections::find`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    /// The full person id.
    Id,
    /// The slug.
    Slug,
    /// The name or an alias, after folding.
    Name,
}

/// The people a reference names, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// How the reference matched.
    pub matched_by: MatchedBy,
    /// Who: one person for an id or a slug; every namesake for a name.
    pub people: Vec<PersonId>,
}

impl Projections {
    /// A person's status on `as_of`, as of the checkpoint; `None` when the
    /// read model holds no such person.
    ///
    /// On or after the row's `window.valid_from` (the first day every
    /// recorded fact counts) the stored standing is read on `as_of`, so day
    /// counts and expired restrictions are never stale. For an earlier day
    /// the person's stream is read from `store` (the log the projections
    /// were fed from) up to the row's last position and derived again.
    pub async fn status(
        &self,
        store: &dyn EventStore,
        person: PersonId,
        as_of: NaiveDate,
    ) -> Result<Option<PersonStatus>, ProjectionError> {
        let tree = self.active();
        let Some(stored) = blocking(move || load_row(Reads::of(&tree), person)).await? else {
            return Ok(None);
        };
        row_on(store, &stored, as_of).await.map(Some)
    }

    /// A person's row as stored, `None` when the read model holds no such
    /// person. Its slug, identity and statements are current; its
    /// day-dependent fields describe `row.as_of` (the first day every fact
    /// counts): use [`Projections::status`] for another day.
    pub fn person(&self, person: PersonId) -> Result<Option<PersonStatus>, ProjectionError> {
        Ok(load_row(Reads::of(&self.active()), person)?.map(|stored| stored.as_stored()))
    }

    /// Everyone the read model holds, by id (ids are time-ordered: roughly
    /// registration order).
    pub fn people(&self) -> Result<Vec<PersonId>, ProjectionError> {
        let mut people = Vec::new();
        for key in self.active().scan_prefix(keys::PERSON).keys() {
            people.extend(keys::person_at_end(&key?));
        }
        Ok(people)
    }

    /// Every folded name and alias with the person it belongs to: what
    /// "did you mean" suggestions are drawn from.
    pub fn names(&self) -> Result<Vec<(String, PersonId)>, ProjectionError> {
        let mut names = Vec::new();
        for key in self.active().scan_prefix(keys::NAME).keys() {
            let key = key?;
            let Some(person) = keys::person_at_end(&key) else {
                continue;
            };
            let folded = &key[keys::NAME.len()..key.len() - 17];
            names.push((String::from_utf8_lossy(folded).into_owned(), person));
        }
        Ok(names)
    }

    /// Every statement that has ever named the person (in a statement or a
    /// correction of it), retracted or corrected ones included: the facade
    /// replays each to answer for a given view.
    pub fn statements_naming(&self, person: PersonId) -> Result<Vec<StatementId>, ProjectionError> {
        let mut found = Vec::new();
        for key in self.active().scan_prefix(keys::named_prefix(person)).keys() {
            found.extend(keys::statement_at_end(&key?));
        }
        Ok(found)
    }

    /// Finds people by what a user typed: a full id, then a slug, then a name
    /// or alias compared after folding (case, accents and punctuation
    /// ignored: "rorng chhun" finds Rong Chhun). `None` when nothing matches.
    ///
    /// A reference that reads as a name (it is its own folded form, as a
    /// name in a script without case is: `刘晓波`, `ali`) and names several
    /// people is ambiguous even when it is also someone's slug: the first of
    /// two namesakes called 刘晓波 holds the slug `刘晓波`, and picking them
    /// silently would record a fact on the wrong person. Every namesake is
    /// then found, the slug's holder among them. A reference that cannot be
    /// a name as typed (`rong-chhun`, `刘晓波-0192f0c1`) is a slug first.
    pub fn find(&self, reference: &str) -> Result<Option<Found>, ProjectionError> {
        let tree = self.active();
        let trimmed = reference.trim();
        if let Ok(id) = trimmed.parse::<PersonId>()
            && tree.contains_key(keys::person(id))?
        {
            return Ok(Some(Found {
                matched_by: MatchedBy::Id,
                people: vec![id],
            }));
        }
        let by_slug =
            match tree.get(keys::slug(trimmed))? {
                Some(value) => Some(keys::person_from_value(&value).ok_or_else(|| {
                    ProjectionError::Corrupt {
                        key: format!("s/{trimmed}"),
                        reason: "not a person id".into(),
                    }
                })?),
                None => None,
            };
        let folded = fold(trimmed);
        let reads_as_name = folded == trimmed;
        if let Some(person) = by_slug
            && !reads_as_name
        {
            return Ok(Some(Found {
                matched_by: MatchedBy::Slug,
                people: vec![person],
            }));
        }
        if folded.is_empty() {
            return Ok(None);
        }
        let mut people = Vec::new();
        for entry in tree.scan_prefix(keys::name_prefix(&folded)) {
            let (key, _) = entry?;
            if let Some(person) = keys::person_at_end(&key) {
                people.push(person);
            }
        }
        if let Some(person) = by_slug {
            if !people.contains(&person) {
                people.insert(0, person);
            }
            if people.len() == 1 {
                return Ok(Some(Found {
                    matched_by: MatchedBy::Slug,
                    people,
                }));
            }
        }
        Ok((!people.is_empty()).then_some(Found {
            matched_by: MatchedBy::Name,
            people,
        }))
    }
}

/// The row of `stored` as it reads on `day` (see [`Projections::status`]).
pub(crate) async fn row_on(
    store: &dyn EventStore,
    stored: &StoredRow,
    day: NaiveDate,
) -> Result<PersonStatus, ProjectionError> {
    if day >= stored.window.valid_from {
        return Ok(stored.on(day));
    }
    let history = history_of(store, stored.person, stored.last_position).await?;
    // The stream must end where the row says it does: another store (or one
    // restored from an older backup) would give another history.
    if history.last().map(|last| last.id) != Some(stored.last_event) {
        return Err(ProjectionError::Diverged {
            reason: format!(
                "the log holds no event {} of {} at position {}",
                stored.last_event, stored.person, stored.last_position
            ),
        });
    }
    Ok(row_before(stored, &history, day))
}

/// A person's stream as read from the log, up to `last_position` (the
/// person's last event the read model applied).
pub(crate) async fn history_of(
    store: &dyn EventStore,
    person: PersonId,
    last_position: u64,
) -> Result<Vec<RecordedEvent>, ProjectionError> {
    let stream = StreamId::new(person.stream_name())?;
    store
        .read_stream(&stream, 1)
        .await?
        .into_iter()
        .filter(|envelope| envelope.position <= last_position)
        .map(into_recorded)
        .collect()
}
