//! Partial dates: what sources actually know ("detained in July 2020").
//!
//! A [`PartialDate`] keeps its precision (year, month or day) and an
//! "approximate" flag. It never invents a day or a month: anything shown to a
//! user is printed at the precision it was given. Arithmetic uses the range of
//! days the date may stand for, [`PartialDate::earliest`] to
//! [`PartialDate::latest`].
//!
//! A date may also be known only by its bound: "on or before 2021-03-04",
//! written `..2021-03-04` (EDTF's open start). Lists say "held since an
//! unknown date" or "in custody on D" without the day custody began; such a
//! date has no first day ([`PartialDate::lower_bound`] is `None`), so every
//! figure counted from it is an open range ("at least N days"), never a
//! number that pretends the start is known.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How much of a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    /// Only the year: `2020`.
    Year,
    /// Year and month: `2020-07`.
    Month,
    /// The exact day: `2020-07-31`.
    Day,
}

/// A date known to the year, the month or the day, possibly approximate.
///
/// Written `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; a trailing `~` marks it
/// approximate (`2020-07~`, the EDTF convention). Ordering is by the earliest
/// possible day, then the latest, then exact before approximate, so that it is
/// total and agrees with equality; the timeline breaks remaining ties by the
/// order of recording.
///
/// An open-start date (`..2021-03-04`, "on or before") sorts by its bound,
/// as late as it can be: a list's "in custody on 2021-03-04" is placed after
/// the release a source dates 2019, not before everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
    approximate: bool,
    /// Known only as "on or before" this date.
    open_start: bool,
}

/// The text given is not a date Habeas understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{value:?} is not a valid date: {reason}; write YYYY, YYYY-MM or YYYY-MM-DD, with a trailing ~ if approximate, or ..DATE for a day on or before DATE when the day is not known (e.g. 2020-07, 2020-07-31 or ..2021-03-04)"
)]
pub struct DateParseError {
    value: String,
    reason: &'static str,
}

/// Years outside this range are almost certainly typing mistakes.
const YEARS: std::ops::RangeInclusive<i32> = 1800..=9999;

impl PartialDate {
    /// A date known to the year.
    pub fn year(year: i32) -> Result<Self, DateParseError> {
        Self::new(year, None, None, false)
    }

    /// A date known to the month.
    pub fn month(year: i32, month: u32) -> Result<Self, DateParseError> {
        Self::new(year, Some(month), None, false)
    }

    /// A date known to the day.
    pub fn day(year: i32, month: u32, day: u32) -> Result<Self, DateParseError> {
        Self::new(year, Some(month), Some(day), false)
    }

    /// The exact day of a calendar date.
    pub fn from_naive(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: Some(date.month()),
            day: Some(date.day()),
            approximate: false,
            open_start: false,
        }
    }

    /// A day not known, on or before `bound`: what a list means by "in
    /// custody on 2021-03-04" about the start of custody, or by "sentenced"
    /// without a date about the sentence.
    pub fn on_or_before(bound: PartialDate) -> Self {
        Self {
            open_start: true,
            ..bound
        }
    }

    /// The date named: itself, or for `..DATE` the bound `DATE`.
    pub fn bound(&self) -> PartialDate {
        Self {
            open_start: false,
            ..*self
        }
    }

    /// Whether the date is known only by its bound (`..DATE`).
    pub fn is_open_start(&self) -> bool {
        self.open_start
    }

    /// The first day the date may stand for, or `None` when it has no known
    /// first day (`..DATE`). Arithmetic uses this, never
    /// [`PartialDate::earliest`], which gives such a date a placeholder day.
    pub fn lower_bound(&self) -> Option<NaiveDate> {
        (!self.open_start).then(|| self.earliest())
    }

    /// The date for a sentence: "2020-07", or "on or before 2021-03-04".
    pub fn in_words(&self) -> String {
        if self.open_start {
            format!(
                "on or before {}",
                render(self.year, self.month, self.day, self.approximate, false)
            )
        } else {
            self.to_string()
        }
    }

    /// The same date marked approximate (or not).
    pub fn with_approximate(self, approximate: bool) -> Self {
        Self {
            approximate,
            ..self
        }
    }

    fn new(
        year: i32,
        month: Option<u32>,
        day: Option<u32>,
        approximate: bool,
    ) -> Result<Self, DateParseError> {
        let err = |reason| DateParseError {
            value: render(year, month, day, approximate, false),
            reason,
        };
        if !YEARS.contains(&year) {
            return Err(err("the year must be between 1800 and 9999"));
        }
        if let Some(month) = month {
            if !(1..=12).contains(&month) {
                return Err(err("the month must be between 01 and 12"));
            }
            if let Some(day) = day
                && NaiveDate::from_ymd_opt(year, month, day).is_none()
            {
                return Err(err("that day does not exist in that month"));
            }
        } else if day.is_some() {
            return Err(err("a day needs a month"));
        }
        Ok(Self {
            year,
            month,
            day,
            approximate,
            open_start: false,
        })
    }

    /// How much of the date is known.
    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (None, _) => Precision::Year,
            (Some(_), None) => Precision::Month,
            (Some(_), Some(_)) => Precision::Day,
        }
    }

    /// Whether the source gave this date as approximate.
    pub fn is_approximate(&self) -> bool {
        self.approximate
    }

    /// Whether the date names one exact day and is not approximate.
    pub fn is_exact(&self) -> bool {
        self.precision() == Precision::Day && !self.approximate && !self.open_start
    }

    /// The first day this date may stand for; for an open start (`..DATE`),
    /// the first day Habeas admits at all (1800-01-01), which keeps
    /// [`PartialDate::certainly_before`] and
    /// [`PartialDate::may_be_on_or_before`] right but is no day to count
    /// from: use [`PartialDate::lower_bound`].
    pub fn earliest(&self) -> NaiveDate {
        if self.open_start {
            return NaiveDate::from_ymd_opt(*YEARS.start(), 1, 1).expect("valid year");
        }
        let month = self.month.unwrap_or(1);
        let day = self.day.unwrap_or(1);
        NaiveDate::from_ymd_opt(self.year, month, day).expect("validated at construction")
    }

    /// The last day this date may stand for.
    pub fn latest(&self) -> NaiveDate {
        match (self.month, self.day) {
            (Some(month), Some(day)) => {
                NaiveDate::from_ymd_opt(self.year, month, day).expect("validated at construction")
            }
            (Some(month), None) => last_day_of_month(self.year, month),
            (None, _) => NaiveDate::from_ymd_opt(self.year, 12, 31).expect("valid year"),
        }
    }

    /// Whether every day this date may stand for is before every day `other`
    /// may stand for. Two dates conflict only when one is certainly before the
    /// other: `2020-07` is not certainly before `2020-07-15`.
    pub fn certainly_before(&self, other: &PartialDate) -> bool {
        self.latest() < other.earliest()
    }

    /// Whether this date may fall on or before `day`.
    pub fn may_be_on_or_before(&self, day: NaiveDate) -> bool {
        self.earliest() <= day
    }
}

fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)
        .and_then(|first| first.pred_opt())
        .expect("month validated at construction")
}

fn render(
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
    approximate: bool,
    open_start: bool,
) -> String {
    let mut out = if open_start {
        format!("..{year:04}")
    } else {
        format!("{year:04}")
    };
    if let Some(month) = month {
        out.push_str(&format!("-{month:02}"));
    }
    if let Some(day) = day {
        out.push_str(&format!("-{day:02}"));
    }
    if approximate {
        out.push('~');
    }
    out
}

impl PartialDate {
    /// Where the date sorts: its first day, or its bound for an open start.
    fn sort_day(&self) -> NaiveDate {
        if self.open_start {
            self.latest()
        } else {
            self.earliest()
        }
    }
}

impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> Ordering {
        (
            self.sort_day(),
            self.latest(),
            self.open_start,
            self.approximate,
        )
            .cmp(&(
                other.sort_day(),
                other.latest(),
                other.open_start,
                other.approximate,
            ))
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render(
            self.year,
            self.month,
            self.day,
            self.approximate,
            self.open_start,
        ))
    }
}

impl FromStr for PartialDate {
    type Err = DateParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| DateParseError {
            value: input.to_owned(),
            reason,
        };
        let text = input.trim();
        let (text, open_start) = match text.strip_prefix("..") {
            Some(rest) => (rest.trim_start(), true),
            None => (text, false),
        };
        let (text, approximate) = match text.strip_suffix('~') {
            Some(rest) => (rest, true),
            None => (text, false),
        };
        let parts: Vec<&str> = text.split('-').collect();
        if parts.len() > 3 {
            return Err(err("it has more than three parts"));
        }
        let expected_widths = [4, 2, 2];
        let mut numbers = [0u32; 3];
        for (idx, part) in parts.iter().enumerate() {
            if part.len() != expected_widths[idx] || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(match idx {
                    0 => "the year must be four digits",
                    1 => "the month must be two digits",
                    _ => "the day must be two digits",
                }));
            }
            numbers[idx] = part.parse().map_err(|_| err("a part is not a number"))?;
        }
        let year = i32::try_from(numbers[0]).map_err(|_| err("the year is out of range"))?;
        let month = (parts.len() >= 2).then_some(numbers[1]);
        let day = (parts.len() == 3).then_some(numbers[2]);
        let date = Self::new(year, month, day, approximate).map_err(|e| DateParseError {
            value: input.to_owned(),
            reason: e.reason,
        })?;
        Ok(if open_start {
            Self::on_or_before(date)
        } else {
            date
        })
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> PartialDate {
        text.parse().unwrap()
    }

    #[test]
    fn parse_and_display_keep_precision() {
        for text in [
            "2020",
            "2020-07",
            "2020-07-31",
            "2020-07~",
            "1999-02-28~",
            "..2021-03-04",
            "..2021~",
        ] {
            assert_eq!(d(text).to_string(), text);
        }
        assert_eq!(d(" 2020-07 ").to_string(), "2020-07");
    }

    #[test]
    fn rejects_bad_dates_naming_the_value() {
        let cases = [
            ("2021-13-40", "the month must be between 01 and 12"),
            ("2021-02-29", "that day does not exist in that month"),
            ("2021-7", "the month must be two digits"),
            ("21", "the year must be four digits"),
            ("2021-01-01-01", "it has more than three parts"),
            ("", "the year must be four digits"),
            ("1066", "the year must be between 1800 and 9999"),
            ("2020/07", "the year must be four digits"),
        ];
        for (text, reason) in cases {
            let err = text.parse::<PartialDate>().unwrap_err();
            let message = err.to_string();
            assert!(message.contains(reason), "{text}: {message}");
            assert!(message.contains(&format!("{text:?}")), "{text}: {message}");
        }
    }

    #[test]
    fn ranges() {
        let cases = [
            ("2020", "2020-01-01", "2020-12-31"),
            ("2020-02", "2020-02-01", "2020-02-29"),
            ("2021-02", "2021-02-01", "2021-02-28"),
            ("2020-12", "2020-12-01", "2020-12-31"),
            ("2020-07-31", "2020-07-31", "2020-07-31"),
        ];
        for (text, earliest, latest) in cases {
            assert_eq!(d(text).earliest().to_string(), earliest, "{text}");
            assert_eq!(d(text).latest().to_string(), latest, "{text}");
        }
    }

    #[test]
    fn certainly_before_only_when_ranges_do_not_overlap() {
        let cases = [
            ("2020-07", "2020-07-15", false),
            ("2020-07-15", "2020-07", false),
            ("2020-06", "2020-07-01", true),
            ("2020", "2021-01-01", true),
            ("2020-07-14", "2020-07-15", true),
            ("2020-07-15", "2020-07-15", false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(d(a).certainly_before(&d(b)), expected, "{a} < {b}");
        }
    }

    #[test]
    fn ordering_by_earliest_day_then_precision() {
        let mut dates = [
            d("2020-07-15"),
            d("2020"),
            d("2020-07"),
            d("2020-01"),
            d("2019-12-31"),
        ];
        dates.sort();
        let shown: Vec<String> = dates.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["2019-12-31", "2020-01", "2020", "2020-07", "2020-07-15"]
        );
    }

    #[test]
    fn an_open_start_has_no_first_day_and_sorts_by_its_bound() {
        let open = d("..2021-03-04");
        assert!(open.is_open_start() && !open.is_exact());
        assert_eq!(open.lower_bound(), None);
        assert_eq!(open.latest().to_string(), "2021-03-04");
        assert_eq!(
            d("2021-03").lower_bound().unwrap().to_string(),
            "2021-03-01"
        );
        assert_eq!(open.in_words(), "on or before 2021-03-04");
        // It may be before anything that does not end before it ...
        assert!(!d("2019-05").certainly_before(&open));
        assert!(open.may_be_on_or_before(d("1990-01-01").latest()));
        // ... and is certainly before whatever starts after its bound.
        assert!(open.certainly_before(&d("2021-03-05")));
        let mut dates = [d("2021-03-05"), open, d("2019-05"), d("2021-03-04")];
        dates.sort();
        let shown: Vec<String> = dates.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["2019-05", "2021-03-04", "..2021-03-04", "2021-03-05"]
        );
        let err = "..2021-13".parse::<PartialDate>().unwrap_err().to_string();
        assert!(err.contains("\"..2021-13\""), "{err}");
    }

    #[test]
    fn serde_round_trip_as_string() {
        let json = serde_json::to_string(&d("2020-07~")).unwrap();
        assert_eq!(json, "\"2020-07~\"");
        let back: PartialDate = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d("2020-07~"));
        assert!(serde_json::from_str::<PartialDate>("\"2020-13\"").is_err());
    }
}
