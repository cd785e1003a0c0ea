//! Deriving a row from a stream's history with the domain's `standing()`,
//! and the window of days on which the derived row holds unchanged.
//!
//! `status(history, as_of)` depends on `as_of` in exactly three ways (see
//! `habeas_domain::status`): facts that may not have happened by `as_of` are
//! left out; restrictions whose `until` has passed are dropped; and episode
//! lengths are counted up to `as_of`. From the day every fact is certain
//! ([`valid_from`]) on, the first no longer applies: the domain's
//! [`Standing`](habeas_domain::status::Standing) walked as of that day reads
//! exactly on any later day, so that is what a row stores. The derived row is
//! unchanged until the first day on which a restriction expires or a day count
//! can move ([`window`]); its headline until a restriction expires (the
//! roster index relies on that).

use chrono::{DateTime, NaiveDate, Utc};
use habeas_domain::event::Event;
use habeas_domain::history::{RecordedEvent, certain_from};
use habeas_domain::id::PersonId;
use habeas_domain::status::{Status, View, standing, status};

use crate::row::{PersonStatus, RowContext, StoredRow, Window};

/// The status on `as_of` of everything in `history` (the read model's
/// known-at is "everything applied").
pub(crate) fn status_on(history: &[RecordedEvent], as_of: NaiveDate) -> Status {
    status(history, view(as_of))
}

/// The view of the read model: as of a day, knowing everything applied.
fn view(as_of: NaiveDate) -> View {
    View {
        as_of,
        known_at: DateTime::<Utc>::MAX_UTC,
    }
}

/// The first day on which every fact of `history` has certainly happened
/// (the latest [`certain_from`] of any fact: a fact known to the month is
/// certain from the month's last day, or its recording day if earlier;
/// before that, status says it only possibly happened), corrections included (retracted facts too, which only
/// makes the window start later). A history without dated facts counts from
/// its first recording day.
pub(crate) fn valid_from(history: &[RecordedEvent]) -> NaiveDate {
    let dated = history.iter().filter_map(|recorded| {
        let occurred = match &recorded.event {
            Event::EventCorrected(correction) => correction.corrected.occurred(),
            event => event.occurred(),
        };
        occurred.map(|occurred| certain_from(occurred, recorded.recorded_at))
    });
    dated
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

/// The stored row of a person's history: its standing as of its
/// `valid_from`, and that row as it reads on that day (for the indexes).
pub(crate) fn build_row(
    person: PersonId,
    history: &[RecordedEvent],
    context: RowContext,
) -> (StoredRow, PersonStatus) {
    let from = valid_from(history);
    let standing = standing(history, view(from));
    let derived = standing.status(view(from));
    let window = window(&derived, from);
    let row = PersonStatus::from_status(person, &derived, context.clone(), window);
    let stored = StoredRow {
        person,
        slug: context.slug,
        statements: context.statements,
        last_position: context.last_position,
        last_event: context.last_event,
        window,
        standing,
    };
    (stored, row)
}

/// The row of `stored` as it reads on `day`, given the person's history as
/// applied (needed only for a day before the window's `valid_from`, when
/// facts the standing counts had not happened yet).
pub(crate) fn row_before(
    stored: &StoredRow,
    history: &[RecordedEvent],
    day: NaiveDate,
) -> PersonStatus {
    PersonStatus::from_status(
        stored.person,
        &status_on(history, day),
        stored.context(),
        stored.window,
    )
}
