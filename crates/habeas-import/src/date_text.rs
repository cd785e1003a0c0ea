//! Dates as spreadsheets write them (`2014.12.17`, `2014/12/17`, `2014.12`,
//! `2014`), read through the formats a mapping names, keeping their precision:
//! `2014.12` is a month, never the first of December.

use std::fmt;
use std::str::FromStr;

use chrono::Datelike;

use habeas_domain::date::PartialDate;

/// One part of a date format.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// `%Y`: four digits.
    Year,
    /// `%m`: one or two digits.
    Month,
    /// `%d`: one or two digits.
    Day,
    /// Anything else, matched as written (`.`, `-`, `/`, or `00` for an
    /// unknown day).
    Literal(String),
}

/// A date format of a mapping, such as `%Y.%m.%d` or `%Y.%m`.
///
/// `%Y` is a four-digit year, `%m` a month and `%d` a day (one or two digits
/// each), `%%` a percent sign; every other character must appear as written.
/// The precision of the date read is that of the format: with `%d` a day, with
/// `%m` but no `%d` a month, else a year. A format such as `%Y.%m.00` reads
/// the "day 00" some data sets use for an unknown day as a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat {
    text: String,
    pieces: Vec<Piece>,
}

/// A date format in a mapping that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "date format {format:?} {problem}; write it with %Y, %m and %d, e.g. \"%Y.%m.%d\" or \"%Y-%m\""
)]
pub struct DateFormatError {
    format: String,
    problem: &'static str,
}

/// A cell that is not a date in any of the formats given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateTextError {
    /// The text matches none of the formats.
    #[error(
        "{value:?} matches none of the date formats {formats}: correct the cell, or add its format to the mapping"
    )]
    NoFormat {
        /// The cell.
        value: String,
        /// The formats tried, comma-separated.
        formats: String,
    },
    /// The text has the shape of a format but is not a real date.
    #[error("{value:?} (read as {format:?}) is not a real date: {problem}; correct the cell")]
    Impossible {
        /// The cell.
        value: String,
        /// The format whose shape it has.
        format: String,
        /// What is wrong, in the domain's words.
        problem: String,
    },
}

impl FromStr for DateFormat {
    type Err = DateFormatError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |problem| DateFormatError {
            format: text.to_owned(),
            problem,
        };
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars();
        while let Some(ch) = chars.next() {
            if ch != '%' {
                literal.push(ch);
                continue;
            }
            let piece = match chars.next() {
                Some('Y') => Piece::Year,
                Some('m') => Piece::Month,
                Some('d') => Piece::Day,
                Some('%') => {
                    literal.push('%');
                    continue;
                }
                _ => return Err(err("has a % that is not %Y, %m, %d or %%")),
            };
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            }
            if pieces.contains(&piece) {
                return Err(err("names a part twice"));
            }
            pieces.push(piece);
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        let has = |piece: Piece| pieces.contains(&piece);
        if !has(Piece::Year) {
            return Err(err("has no %Y"));
        }
        if has(Piece::Day) && !has(Piece::Month) {
            return Err(err("has a day (%d) without a month (%m)"));
        }
        Ok(Self {
            text: text.to_owned(),
            pieces,
        })
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The numbers a format found in a text, before they are checked as a date.
struct Parts {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
}

impl DateFormat {
    /// The formats Habeas reads when a mapping names none: ISO dates, and the
    /// dotted and slashed forms spreadsheets use, at each precision.
    pub fn defaults() -> Vec<DateFormat> {
        [
            "%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y-%m", "%Y.%m", "%Y/%m", "%Y",
        ]
        .iter()
        .map(|text| text.parse().expect("the default formats are valid"))
        .collect()
    }

    /// Matches the shape of the format: digits where it has parts, its other
    /// characters as written, nothing left over.
    fn shape(&self, text: &str) -> Option<Parts> {
        let mut rest = text;
        let (mut year, mut month, mut day) = (None, None, None);
        for piece in &self.pieces {
            let (min, max, slot) = match piece {
                Piece::Literal(literal) => {
                    rest = rest.strip_prefix(literal.as_str())?;
                    continue;
                }
                Piece::Year => (4, 4, &mut year),
                Piece::Month => (1, 2, &mut month),
                Piece::Day => (1, 2, &mut day),
            };
            let n_digits = rest
                .bytes()
                .take(max)
                .take_while(u8::is_ascii_digit)
                .count();
            if n_digits < min {
                return None;
            }
            *slot = Some(rest[..n_digits].parse::<u32>().ok()?);
            rest = &rest[n_digits..];
        }
        if !rest.is_empty() {
            return None;
        }
        Some(Parts {
            year: i32::try_from(year?).ok()?,
            month,
            day,
        })
    }
}

/// Reads a cell with the first format whose shape it has, at that format's
/// precision, marked approximate when asked.
pub fn parse_date(
    value: &str,
    formats: &[DateFormat],
    approximate: bool,
) -> Result<PartialDate, DateTextError> {
    let text = value.trim();
    for format in formats {
        let Some(parts) = format.shape(text) else {
            continue;
        };
        let date = match (parts.month, parts.day) {
            (Some(month), Some(day)) => PartialDate::day(parts.year, month, day),
            (Some(month), None) => PartialDate::month(parts.year, month),
            (None, _) => PartialDate::year(parts.year),
        };
        // A text can have the shape of a day format and not be a day
        // ("2014.03.00"); a later format may still read it ("%Y.%m.00").
        match date {
            Ok(date) => return Ok(date.with_approximate(approximate)),
            Err(err) if !formats_after(formats, format).any(|f| f.shape(text).is_some()) => {
                return Err(DateTextError::Impossible {
                    value: value.to_owned(),
                    format: format.text.clone(),
                    problem: missing_day(&parts).unwrap_or_else(|| domain_reason(&err.to_string())),
                });
            }
            Err(_) => continue,
        }
    }
    Err(DateTextError::NoFormat {
        value: value.to_owned(),
        formats: formats
            .iter()
            .map(|f| f.text.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

fn formats_after<'a>(
    formats: &'a [DateFormat],
    format: &DateFormat,
) -> impl Iterator<Item = &'a DateFormat> {
    formats.iter().skip_while(move |f| *f != format).skip(1)
}

/// Why a day that has the shape of a date is not in the calendar, named as
/// such: "1954-02-29 does not exist: 1954 is not a leap year", "2014-04-31
/// does not exist: April has 30 days". `None` when the day or month is out of
/// any range (the domain's reason says which).
fn missing_day(parts: &Parts) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (year, month, day) = (parts.year, parts.month?, parts.day?);
    if !(1..=12).contains(&month) || !(29..=31).contains(&day) {
        return None;
    }
    let first_of_next = if month == 12 {
        chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    let n_days = first_of_next.pred_opt()?.day();
    if day <= n_days {
        return None;
    }
    let shown = format!("{year:04}-{month:02}-{day:02}");
    Some(if month == 2 && day == 29 {
        format!("{shown} does not exist: {year} is not a leap year")
    } else {
        format!(
            "{shown} does not exist: {} has {n_days} days",
            MONTHS[month as usize - 1]
        )
    })
}

/// The domain's reason, without its advice on writing ISO dates, which does
/// not apply to a spreadsheet cell read through a format.
fn domain_reason(message: &str) -> String {
    let after_value = message.split_once(": ").map_or(message, |(_, rest)| rest);
    after_value
        .split_once("; write")
        .map_or(after_value, |(reason, _)| reason)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formats(texts: &[&str]) -> Vec<DateFormat> {
        texts.iter().map(|t| t.parse().unwrap()).collect()
    }

    #[test]
    fn reads_each_format_at_its_precision() {
        let all = formats(&[
            "%Y.%m.%d", "%Y.%m.00", "%Y-%m-%d", "%Y/%m/%d", "%Y.%m", "%Y-%m", "%Y",
        ]);
        let cases = [
            ("2014.12.17", "2014-12-17"),
            ("2014-12-17", "2014-12-17"),
            ("2014/12/17", "2014-12-17"),
            (" 2014.3.5 ", "2014-03-05"),
            ("2014.12", "2014-12"),
            ("2014-12", "2014-12"),
            ("2014", "2014"),
            ("2014.03.00", "2014-03"),
        ];
        for (text, shown) in cases {
            let date = parse_date(text, &all, false).unwrap();
            assert_eq!(date.to_string(), shown, "{text}");
        }
        let approximate = parse_date("2014.12", &all, true).unwrap();
        assert_eq!(approximate.to_string(), "2014-12~");
    }

    #[test]
    fn refuses_what_it_cannot_read_naming_the_value() {
        let chrd = formats(&["%Y.%m.%d", "%Y.%m", "%Y"]);
        let cases = [
            (
                "2014.13.01",
                "is not a real date: the month must be between 01 and 12",
            ),
            (
                "2014.02.30",
                "2014-02-30 does not exist: February has 28 days",
            ),
            (
                "1954.02.29",
                "1954-02-29 does not exist: 1954 is not a leap year",
            ),
            ("2014.04.31", "2014-04-31 does not exist: April has 30 days"),
            ("2014.03.00", "that day does not exist in that month"),
            (
                "17/12/2014",
                "matches none of the date formats %Y.%m.%d, %Y.%m, %Y",
            ),
            ("2014.12.17.", "matches none"),
            ("Dec 2014", "matches none"),
            ("1066", "the year must be between 1800 and 9999"),
        ];
        for (text, reason) in cases {
            let message = parse_date(text, &chrd, false).unwrap_err().to_string();
            assert!(message.contains(reason), "{text}: {message}");
            assert!(message.contains(&format!("{text:?}")), "{text}: {message}");
        }
    }

    #[test]
    fn refuses_unusable_formats() {
        let cases = [
            ("%d.%m", "has no %Y"),
            ("%Y.%d", "a day (%d) without a month"),
            ("%Y.%q", "not %Y, %m, %d or %%"),
            ("%Y-%Y", "names a part twice"),
        ];
        for (text, problem) in cases {
            let message = text.parse::<DateFormat>().unwrap_err().to_string();
            assert!(message.contains(problem), "{text}: {message}");
        }
        assert_eq!(DateFormat::defaults().len(), 7);
    }
}
