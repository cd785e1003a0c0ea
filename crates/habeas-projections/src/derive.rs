//! Deriving a row from a stream's history with the domain's `status()`, and
//! the window of days on which the derived row holds unchanged.
//!
//! `status(history, as_of)` depends on `as_of` in exactly three ways (see
//! `habeas_domain::status`): facts that may not have happened by `as_of` are
//! left out; restrictions whose `until` has passed are dropped; and episode
//! lengths are counted up to `as_of`. From the day every fact counts
//! ([`valid_from`]) on, the first no longer applies; the row is computed as of
//! that day and stays exact until the first day on which a restriction
//! expires or a day count can move ([`window`]).

use chrono::{DateTime, NaiveDate, Utc};
use habeas_domain::event::Event;
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::PersonId;
use habeas_domain::status::{Status, View, status};

use crate::row::{PersonStatus, RowContext, Window};

/// The status on `as_of` of everything in `history` (the read model's
/// known-at is "everything applied").
pub(crate) fn status_on(history: &[RecordedEvent], as_of: NaiveDate) -> Status {
    status(
        history,
        View {
            as_of,
            known_at: DateTime::<Utc>::MAX_UTC,
        },
    )
}

/// The first day on which every fact of `history` may have happened: the
/// latest earliest-possible day of any fact, corrections included (retracted
/// facts too, which only makes the window start later). A history without
/// dated facts counts from its first recording day.
pub(crate) fn valid_from(history: &[RecordedEvent]) -> NaiveDate {
    let dated = history.iter().filter_map(|recorded| match &recorded.event {
        Event::EventCorrected(correction) => correction.corrected.occurred(),
        event => event.occurred(),
    });
    dated
        .map(|date| date.earliest())
        .max()
        .or_else(|| {
            history
                .first()
                .map(|recorded| recorded.recorded_at.date_naive())
        })
        .unwrap_or_default()
}

/// The window of a status derived as of `from`, which must be `valid_from`.
pub(crate) fn window(status: &Status, from: NaiveDate) -> Window {
    let next_day = from.succ_opt().unwrap_or(from);
    let mut stable_until: Option<NaiveDate> = None;
    let mut headline_until: Option<NaiveDate> = None;
    let lower = |bound: &mut Option<NaiveDate>, day: NaiveDate| {
        *bound = Some(bound.map_or(day, |current| current.min(day)));
    };
    for episode in &status.episodes {
        // An open episode grows every day; a closed one whose end is a month
        // or a year still grows until the last day that end may stand for.
        if episode.end.is_none_or(|end| end.latest() > from) {
            lower(&mut stable_until, next_day);
        }
    }
    for restriction in &status.restrictions {
        if let Some(until) = restriction.until {
            let expires = until.latest().succ_opt().unwrap_or(from).max(next_day);
            lower(&mut stable_until, expires);
            lower(&mut headline_until, expires);
        }
    }
    Window {
        valid_from: from,
        stable_until,
        headline_until,
    }
}

/// The row of a person's history, computed as of its `valid_from`.
pub(crate) fn build_row(
    person: PersonId,
    history: &[RecordedEvent],
    context: RowContext,
) -> PersonStatus {
    let from = valid_from(history);
    let derived = status_on(history, from);
    let window = window(&derived, from);
    PersonStatus::from_status(person, &derived, context, window)
}

/// The row as it reads on `day`: the stored one restated when its window
/// holds, else derived again from the history (keeping the stored window,
/// which describes the stored row).
pub(crate) fn row_on(
    stored: PersonStatus,
    day: NaiveDate,
    history: impl FnOnce() -> Result<Vec<RecordedEvent>, crate::ProjectionError>,
) -> Result<PersonStatus, crate::ProjectionError> {
    if stored.window.holds_on(day) {
        return Ok(PersonStatus {
            as_of: day,
            ..stored
        });
    }
    let derived = status_on(&history()?, day);
    Ok(PersonStatus::from_status(
        stored.person,
        &derived,
        stored.context(),
        stored.window,
    ))
}
