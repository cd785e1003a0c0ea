//! Rosters: everyone with given headlines on a day, from the headline index.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use habeas_domain::id::PersonId;
use habeas_domain::status::Headline;

use habeas_store::EventStore;

use crate::apply::load_row;
use crate::blocking::blocking;
use crate::error::ProjectionError;
use crate::keys;
use crate::lookup::row_on;
use crate::names::fold;
use crate::projections::Projections;
use crate::row::{PersonStatus, StoredRow};
use crate::writes::Reads;

/// Which people a roster lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterFilter {
    /// The day the roster describes.
    pub as_of: NaiveDate,
    /// The headlines to list; empty lists everyone.
    pub headlines: Vec<Headline>,
}

impl Projections {
    /// Everyone whose headline on `filter.as_of` is one of
    /// `filter.headlines`, ordered by headline (in [`Headline::ALL`] order),
    /// then name, then id.
    ///
    /// Reads the headline index (each entry says the days its headline
    /// holds), then the rows listed plus the few whose headline may differ on
    /// that day (a restriction expired, or facts dated after it), which are
    /// derived again; it does not read every row. `store` is the log the
    /// projections were fed from: a row asked for a day before one of its
    /// facts is derived again from the person's stream (see
    /// [`Projections::status`]).
    pub async fn roster(
        &self,
        store: &dyn EventStore,
        filter: &RosterFilter,
    ) -> Result<Vec<PersonStatus>, ProjectionError> {
        let tree = self.active();
        let day = filter.as_of;
        let wanted: Vec<Headline> = if filter.headlines.is_empty() {
            Headline::ALL.to_vec()
        } else {
            filter.headlines.clone()
        };
        let (mut listed, earlier) = {
            let wanted = wanted.clone();
            blocking(move || read_index(&tree, day, &wanted)).await?
        };
        // Rows asked for a day before one of their facts: from the log.
        for stored in earlier {
            let row = row_on(store, &stored, day).await?;
            if wanted.contains(&row.headline) {
                listed.push(row);
            }
        }
        blocking(move || {
            listed.sort_by_cached_key(|row| {
                (
                    keys::headline_code(row.headline),
                    fold(&row.display_name()),
                    row.person,
                )
            });
            Ok(listed)
        })
        .await
    }
}

/// The rows of everyone whose headline on `day` is one of `wanted`, read
/// from the headline index, and the stored rows that can be read on `day`
/// only from the log (a day before one of their facts).
fn read_index(
    tree: &sled::Tree,
    day: NaiveDate,
    wanted: &[Headline],
) -> Result<(Vec<PersonStatus>, Vec<StoredRow>), ProjectionError> {
    // Every indexed person whose headline on `day` may be a wanted one:
    // those indexed under a wanted headline that holds on `day`, and
    // those whose indexed headline does not hold on `day` (a
    // restriction expired, or facts dated after it), derived again.
    let mut candidates: BTreeSet<PersonId> = BTreeSet::new();
    for entry in tree.scan_prefix(keys::HEADLINE) {
        let (key, value) = entry?;
        let Some(person) = keys::person_at_end(&key) else {
            continue;
        };
        let indexed = key
            .get(keys::HEADLINE.len())
            .and_then(|code| Headline::ALL.get(usize::from(*code)));
        let holds = keys::decode_headline_window(&value)
            .is_some_and(|(from, until)| day >= from && until.is_none_or(|until| day < until));
        if !holds || indexed.is_some_and(|headline| wanted.contains(headline)) {
            candidates.insert(person);
        }
    }

    let (mut listed, mut earlier) = (Vec::new(), Vec::new());
    for person in candidates {
        let Some(stored) = load_row(Reads::of(tree), person)? else {
            continue;
        };
        if day < stored.window.valid_from {
            earlier.push(stored);
            continue;
        }
        let row = stored.on(day);
        if wanted.contains(&row.headline) {
            listed.push(row);
        }
    }
    Ok((listed, earlier))
}
