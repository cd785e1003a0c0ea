//! Rosters: everyone with given headlines on a day, from the headline index.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use habeas_domain::id::PersonId;
use habeas_domain::status::Headline;

use habeas_store::EventStore;

use crate::apply::load_row;
use crate::error::ProjectionError;
use crate::keys;
use crate::lookup::row_on;
use crate::names::fold;
use crate::projections::Projections;
use crate::row::PersonStatus;
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
    /// Reads the headline index, plus the few rows whose headline may differ
    /// on that day (a restriction expired, or facts dated after it), which are
    /// derived again; it does not scan every row. `store` is the log the
    /// projections were fed from: a row asked for a day before one of its
    /// facts is derived again from the person's stream (see
    /// [`Projections::status`]).
    pub async fn roster(
        &self,
        store: &dyn EventStore,
        filter: &RosterFilter,
    ) -> Result<Vec<PersonStatus>, ProjectionError> {
        let tree = self.tree();
        let day = filter.as_of;
        let wanted: Vec<Headline> = if filter.headlines.is_empty() {
            Headline::ALL.to_vec()
        } else {
            filter.headlines.clone()
        };
        let mut candidates: BTreeSet<PersonId> = BTreeSet::new();
        for headline in &wanted {
            for entry in tree.scan_prefix(keys::headline_prefix(*headline)) {
                let (key, _) = entry?;
                candidates.extend(keys::person_at_end(&key));
            }
        }
        // Rows whose headline is not the indexed one on `day`, whatever it is.
        let mut end = keys::HEADLINE_UNTIL.to_vec();
        match day.succ_opt() {
            Some(next_day) => end.extend_from_slice(&keys::day_bytes(next_day)),
            None => end.push(0xff),
        }
        for entry in tree.range(keys::HEADLINE_UNTIL.to_vec()..end) {
            let (key, _) = entry?;
            candidates.extend(keys::person_at_end(&key));
        }
        let start = keys::valid_from(day, PersonId::from_uuid(uuid::Uuid::max()));
        for entry in tree.range(start..) {
            let (key, _) = entry?;
            if !key.starts_with(keys::VALID_FROM) {
                break;
            }
            candidates.extend(keys::person_at_end(&key));
        }

        let mut listed = Vec::new();
        for person in candidates {
            let Some(stored) = load_row(Reads::of(&tree), person)? else {
                continue;
            };
            let row = row_on(store, &stored, day).await?;
            if wanted.contains(&row.headline) {
                listed.push(row);
            }
        }
        listed.sort_by_cached_key(|row| {
            (
                keys::headline_code(row.headline),
                fold(&row.display_name()),
                row.person,
            )
        });
        Ok(listed)
    }
}
