//! Figures computed honestly from partial dates: when a day is unknown, the
//! answer is a range, never a fake exact number.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::date::PartialDate;
use crate::term::Term;

/// A number of days known to lie between `min` and `max` (equal when exact);
/// `max` is `None` when nothing bounds it: custody known to have begun on
/// or before a day ("at least N days").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRange {
    /// The fewest days it can be.
    pub min: i64,
    /// The most days it can be; `None` when no source bounds it.
    pub max: Option<i64>,
}

/// The mean length of a month in days, for "about N months" only.
const DAYS_PER_MONTH: f64 = 365.2425 / 12.0;

impl DayRange {
    /// An exact count.
    pub fn exact(days: i64) -> Self {
        Self {
            min: days,
            max: Some(days),
        }
    }

    /// Between `min` and `max` days.
    pub fn range(min: i64, max: i64) -> Self {
        Self {
            min,
            max: Some(max),
        }
    }

    /// At least `min` days, with no known upper bound.
    pub fn at_least(min: i64) -> Self {
        Self { min, max: None }
    }

    /// The days from a partial start date to a partial end date, both possibly
    /// uncertain. Never negative. A start with no known first day
    /// (`start.0` is `None`) leaves the count open above.
    pub fn between(start: (Option<NaiveDate>, NaiveDate), end: (NaiveDate, NaiveDate)) -> Self {
        Self {
            min: (end.0 - start.1).num_days().max(0),
            max: start.0.map(|first| (end.1 - first).num_days().max(0)),
        }
    }

    /// Whether the count is known to the day.
    pub fn is_exact(&self) -> bool {
        self.max == Some(self.min)
    }

    /// Whether the count has no known upper bound.
    pub fn is_open(&self) -> bool {
        self.max.is_none()
    }

    /// Whole months, rounded down, at each end of the range.
    pub fn months(&self) -> (i64, Option<i64>) {
        let months = |days: i64| (days as f64 / DAYS_PER_MONTH).floor() as i64;
        (months(self.min), self.max.map(months))
    }

    /// The count in words, with the months it amounts to: "469 to 499 days
    /// (about 15 to 16 months)". Every output (command line, reports,
    /// rosters, JSON's `text`) says a figure this way, so one person's time
    /// in custody never reads as two different figures.
    ///
    /// Months are rounded to the nearest whole month of 30.44 days, since the
    /// phrase says "about"; [`DayRange::months`] rounds down, which would call
    /// a year "about 11 months".
    pub fn in_words(&self) -> String {
        let about = |days: i64| (days as f64 / DAYS_PER_MONTH).round() as i64;
        let Some(max) = self.max else {
            let fewest = about(self.min);
            let months = if fewest < 1 {
                String::new()
            } else {
                format!(
                    " (at least about {fewest} month{})",
                    if fewest == 1 { "" } else { "s" }
                )
            };
            return format!("{self}{months}");
        };
        let (fewest, most) = (about(self.min), about(max));
        let months = if most < 1 {
            String::new()
        } else if fewest == most {
            format!(
                " (about {fewest} month{})",
                if fewest == 1 { "" } else { "s" }
            )
        } else {
            format!(" (about {fewest} to {most} months)")
        };
        format!("{self}{months}")
    }
}

/// No days: the start of a sum.
impl Default for DayRange {
    fn default() -> Self {
        Self::exact(0)
    }
}

impl std::ops::Add for DayRange {
    type Output = DayRange;

    fn add(self, other: DayRange) -> DayRange {
        DayRange {
            min: self.min + other.min,
            max: self.max.zip(other.max).map(|(a, b)| a + b),
        }
    }
}

impl fmt::Display for DayRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) if max == self.min => write!(f, "{} days", self.min),
            Some(max) => write!(f, "{} to {} days", self.min, max),
            None => write!(f, "at least {} days", self.min),
        }
    }
}

/// A day known to lie between two days (equal when exact); `earliest` is
/// `None` when only the latest day is known (a term counted from a custody
/// whose start is known only as "on or before").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// The earliest it can be, if known.
    pub earliest: Option<NaiveDate>,
    /// The latest it can be.
    pub latest: NaiveDate,
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.earliest {
            Some(earliest) if earliest == self.latest => write!(f, "{earliest}"),
            Some(earliest) => write!(f, "between {earliest} and {}", self.latest),
            None => write!(f, "on or before {}", self.latest),
        }
    }
}

/// A fraction known to lie between two values (1.0 is the whole term; more
/// than 1.0 means held beyond it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FractionRange {
    /// The smallest it can be.
    pub min: f64,
    /// The largest it can be.
    pub max: f64,
}

impl fmt::Display for FractionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (min, max) = ((self.min * 100.0).round(), (self.max * 100.0).round());
        if min == max {
            write!(f, "{min}%")
        } else {
            write!(f, "{min}% to {max}%")
        }
    }
}

/// When a term started on `start` ends: a range when the start is partial,
/// only its latest day when the start is known only as "on or before".
/// `None` for life and death sentences.
pub fn expected_end(term: &Term, start: &PartialDate) -> Option<DateRange> {
    let latest = term.end_from(start.latest())?;
    Some(DateRange {
        earliest: match start.lower_bound() {
            Some(first) => Some(term.end_from(first)?),
            None => None,
        },
        latest,
    })
}

/// The share of a term served: days served over the term's length in days,
/// taking the widest range the partial start date allows; `None` when the
/// start is not known (nothing bounds the share from above).
pub fn served_fraction(
    term: &Term,
    start: &PartialDate,
    served: DayRange,
) -> Option<FractionRange> {
    let length = |day: NaiveDate| term.end_from(day).map(|end| (end - day).num_days());
    let served_max = served.max?;
    let (length_a, length_b) = (length(start.lower_bound()?)?, length(start.latest())?);
    let (shortest, longest) = (length_a.min(length_b), length_a.max(length_b));
    if shortest <= 0 {
        return None;
    }
    Some(FractionRange {
        min: served.min as f64 / longest as f64,
        max: served_max as f64 / shortest as f64,
    })
}
