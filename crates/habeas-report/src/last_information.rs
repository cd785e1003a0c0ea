//! "Last information received": the newest recorded fact of a report and the
//! date of its newest source, printed beside the as-of day.
//!
//! A status is what the sources said when they were written. A report made
//! today from 2021 sources says "serving-sentence" as of today, which a reader
//! would take as confirmed today; printing how old the newest information is,
//! and warning when it is much older than the as-of day, keeps the report from
//! claiming more than its sources.

use chrono::NaiveDate;

use habeas_domain::date::PartialDate;
use habeas_domain::id::EventId;

use crate::person_view::{FactView, milestone_label};

/// From this many days between the newest information and the as-of day on,
/// the report warns that the status may be out of date (about six months).
const STALE_AFTER_DAYS: i64 = 183;

/// The newest recorded fact and how recent its sources are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LastInformation {
    /// The fact, as first recorded.
    pub(crate) event_id: EventId,
    /// When it happened.
    pub(crate) occurred: PartialDate,
    /// What it was, in a few words ("Released", "Sentenced, 2 years").
    pub(crate) title: String,
    /// The date of its newest dated source; `None` when no source of it
    /// carries a date.
    pub(crate) source_date: Option<PartialDate>,
}

impl LastInformation {
    /// The newest of `facts` (given in the order they happened; of facts on
    /// one date, the one recorded last), or `None` when there is none.
    pub(crate) fn newest(facts: &[FactView<'_>]) -> Option<Self> {
        let fact = facts.last()?;
        Some(Self {
            event_id: fact.id,
            occurred: fact.occurred,
            title: milestone_label(fact.event),
            source_date: fact.facts.sources.iter().filter_map(|s| s.date).max(),
        })
    }

    /// The last day the newest information may be from: the later of the
    /// fact and its newest source, at the generous end of a partial date.
    fn latest_day(&self) -> NaiveDate {
        let fact = self.occurred.latest();
        self.source_date
            .map_or(fact, |source| source.latest().max(fact))
    }
}

/// The sentence printed beside the as-of day, in plain words (no markup).
pub(crate) fn sentence(last: Option<&LastInformation>) -> String {
    let Some(last) = last else {
        return "Last information received: no dated fact is recorded.".to_owned();
    };
    let source = match &last.source_date {
        Some(date) => format!("its newest source is dated {date}"),
        None => "its sources carry no date".to_owned(),
    };
    format!(
        "Last information received: the newest recorded fact happened on {} ({}); {source}.",
        crate::describe::date(&last.occurred),
        last.title
    )
}

/// A warning when nothing was recorded for a long time before `as_of`:
/// "Nothing newer is recorded for over 5 years before 2026-12-08 …".
pub(crate) fn staleness(last: Option<&LastInformation>, as_of: NaiveDate) -> Option<String> {
    let last = last?;
    let gap = (as_of - last.latest_day()).num_days();
    if gap < STALE_AFTER_DAYS {
        return None;
    }
    Some(format!(
        "Nothing newer is recorded for {} before {as_of}: this status is what the sources said then, not a confirmation on {as_of}.",
        span(gap)
    ))
}

/// A long gap in words, rounded down: "over 7 months", "over 5 years".
fn span(days: i64) -> String {
    let months = (days as f64 / 30.44).floor() as i64;
    if months < 24 {
        format!("over {months} months")
    } else {
        format!("over {} years", months / 12)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn last(occurred: &str, source_date: Option<&str>) -> LastInformation {
        LastInformation {
            event_id: EventId::from_uuid(Uuid::from_u128(1)),
            occurred: occurred.parse().unwrap(),
            title: "Released".to_owned(),
            source_date: source_date.map(|d| d.parse().unwrap()),
        }
    }

    #[test]
    fn sentence_with_and_without_source_dates() {
        let cases = [
            (
                Some(last("2021-11-12", Some("2021-11"))),
                "Last information received: the newest recorded fact happened on 2021-11-12 (Released); its newest source is dated 2021-11.",
            ),
            (
                Some(last("2021", None)),
                "Last information received: the newest recorded fact happened on 2021 (Released); its sources carry no date.",
            ),
            (
                None,
                "Last information received: no dated fact is recorded.",
            ),
        ];
        for (last, expected) in cases {
            assert_eq!(sentence(last.as_ref()), expected);
        }
    }

    #[test]
    fn staleness_counts_from_the_newest_of_fact_and_source() {
        let day = |text: &str| text.parse::<NaiveDate>().unwrap();
        let cases = [
            // (fact, source date, as of, warning)
            ("2021-11-12", Some("2021-11"), "2021-11-20", None),
            ("2021-11-12", None, "2022-05-13", None),
            (
                "2021-11-12",
                None,
                "2022-05-14",
                Some("over 6 months before 2022-05-14"),
            ),
            // A newer source keeps an old fact current.
            ("2020-07", Some("2022-03-01"), "2022-05-14", None),
            // A month-precision fact counts from its last day.
            ("2021-11", None, "2022-05-31", None),
            (
                "2021-11-12",
                Some("2021-11"),
                "2026-12-08",
                Some("over 5 years before 2026-12-08"),
            ),
            // A fact after the as-of day is not stale.
            ("2021-11-12", None, "2021-10-01", None),
        ];
        for (fact, source, as_of, expected) in cases {
            let warning = staleness(Some(&last(fact, source)), day(as_of));
            match expected {
                None => assert_eq!(warning, None, "{fact} {source:?} as of {as_of}"),
                Some(part) => {
                    let warning = warning.unwrap_or_default();
                    assert!(warning.contains(part), "{warning:?} lacks {part:?}");
                }
            }
        }
        assert_eq!(staleness(None, day("2026-12-08")), None);
    }
}
