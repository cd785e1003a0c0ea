//! Sentence terms: a fixed length in years, months and days, or life, or death.

use std::fmt;
use std::str::FromStr;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The length of a sentence as the court pronounced it.
///
/// Kept in the units the court used ("two years", "ten days"): converting two
/// years to 730 days would be wrong across a leap year, so arithmetic is done
/// on calendar dates instead ([`Term::end_from`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Term {
    /// A fixed term.
    Fixed {
        /// Whole years.
        #[serde(default, skip_serializing_if = "is_zero")]
        years: u32,
        /// Whole months beyond the years.
        #[serde(default, skip_serializing_if = "is_zero")]
        months: u32,
        /// Days beyond the months.
        #[serde(default, skip_serializing_if = "is_zero")]
        days: u32,
    },
    /// Life imprisonment.
    Life,
    /// The death penalty.
    Death,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

/// The text given is not a sentence term Habeas understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{value:?} is not a valid sentence term: {reason}; write e.g. 2y, 1y6m, 10d, 2y3m15d, life or death"
)]
pub struct TermParseError {
    value: String,
    reason: &'static str,
}

impl Term {
    /// A fixed term; `None` when it is zero.
    pub fn fixed(years: u32, months: u32, days: u32) -> Option<Self> {
        (years + months + days > 0).then_some(Self::Fixed {
            years,
            months,
            days,
        })
    }

    /// The day a term starting on `start` ends, or `None` for life and death
    /// (and for a date too far in the future to represent).
    pub fn end_from(&self, start: NaiveDate) -> Option<NaiveDate> {
        match *self {
            Term::Fixed {
                years,
                months,
                days,
            } => start
                .checked_add_months(Months::new(years.checked_mul(12)?.checked_add(months)?))?
                .checked_add_days(Days::new(u64::from(days))),
            Term::Life | Term::Death => None,
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Term::Fixed {
                years,
                months,
                days,
            } => {
                let mut parts = Vec::new();
                for (n, singular, plural) in [
                    (years, "year", "years"),
                    (months, "month", "months"),
                    (days, "day", "days"),
                ] {
                    if n > 0 {
                        parts.push(format!("{n} {}", if n == 1 { singular } else { plural }));
                    }
                }
                f.write_str(&parts.join(" "))
            }
            Term::Life => f.write_str("life imprisonment"),
            Term::Death => f.write_str("death penalty"),
        }
    }
}

impl FromStr for Term {
    type Err = TermParseError;

    /// Parses the compact form used on the command line: `2y`, `1y6m`, `10d`,
    /// `life`, `death`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| TermParseError {
            value: input.to_owned(),
            reason,
        };
        let text = input.trim().to_ascii_lowercase();
        match text.as_str() {
            "life" => return Ok(Term::Life),
            "death" => return Ok(Term::Death),
            "" => return Err(err("it is empty")),
            _ => {}
        }
        let (mut years, mut months, mut days) = (None, None, None);
        let mut digits = String::new();
        for ch in text.chars() {
            if ch.is_ascii_digit() {
                digits.push(ch);
                continue;
            }
            let slot = match ch {
                'y' => &mut years,
                'm' => &mut months,
                'd' => &mut days,
                _ => return Err(err("only digits followed by y, m or d are allowed")),
            };
            if digits.is_empty() {
                return Err(err("a unit has no number before it"));
            }
            if slot.is_some() {
                return Err(err("a unit appears twice"));
            }
            *slot = Some(
                digits
                    .parse::<u32>()
                    .map_err(|_| err("a number is too large"))?,
            );
            digits.clear();
        }
        if !digits.is_empty() {
            return Err(err("the last number has no unit"));
        }
        Term::fixed(years.unwrap_or(0), months.unwrap_or(0), days.unwrap_or(0))
            .ok_or_else(|| err("a term must be longer than zero"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_display_and_end() {
        let start = NaiveDate::from_ymd_opt(2020, 7, 31).unwrap();
        let cases = [
            ("2y", "2 years", Some("2022-07-31")),
            ("1y6m", "1 year 6 months", Some("2022-01-31")),
            ("10d", "10 days", Some("2020-08-10")),
            ("1m", "1 month", Some("2020-08-31")),
            ("life", "life imprisonment", None),
            ("DEATH", "death penalty", None),
        ];
        for (text, shown, end) in cases {
            let term: Term = text.parse().unwrap();
            assert_eq!(term.to_string(), shown, "{text}");
            assert_eq!(
                term.end_from(start).map(|d| d.to_string()).as_deref(),
                end,
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_bad_terms() {
        for text in ["", "2", "y", "2x", "2y2y", "0y", "99999999999d"] {
            let err = text.parse::<Term>().unwrap_err();
            assert!(err.to_string().contains(&format!("{text:?}")), "{text}");
        }
    }
}
