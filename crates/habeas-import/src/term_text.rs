//! Sentence terms as spreadsheets write them: `十天10 days`, `五天5 days`,
//! `一年半/ 1.5 years`, `3年3 years`, `2 years 6 months`, `life`.
//!
//! Bilingual cells are read by their English part, the text after the last
//! character that is not ASCII or after the last `/`. Anything that is not a
//! plain English term is refused, never guessed.

use habeas_domain::term::Term;

/// A cell that is not a sentence term this reader understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{value:?} is not a sentence term: {problem}; write the length in English, e.g. \"10 days\", \"2 years 6 months\", \"1.5 years\", \"life\" or \"death\""
)]
pub struct TermTextError {
    value: String,
    problem: String,
}

/// The English part of a bilingual cell: what follows the last non-ASCII
/// character or slash.
fn english_part(text: &str) -> &str {
    let start = text
        .char_indices()
        .rfind(|(_, ch)| !ch.is_ascii() || *ch == '/')
        .map_or(0, |(idx, ch)| idx + ch.len_utf8());
    text[start..].trim()
}

/// Whether a text has the shape of a date (`2019-12-07`, `2019.12`,
/// `7/12/2019`): digits in two or three groups split by one of `-./`, one of
/// them four digits long, so that a date in a term column is named as a date
/// rather than "not a number".
fn looks_like_a_date(text: &str) -> bool {
    let groups: Vec<&str> = text.split(['-', '.', '/']).collect();
    (2..=3).contains(&groups.len())
        && groups
            .iter()
            .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()))
        && groups.iter().any(|group| group.len() == 4)
}

/// Reads a sentence term from a cell.
pub fn parse_term(value: &str) -> Result<Term, TermTextError> {
    let err = |problem: &str| TermTextError {
        value: value.to_owned(),
        problem: problem.to_owned(),
    };
    let english = english_part(value).to_ascii_lowercase();
    let english = english.trim_end_matches('.').trim();
    if looks_like_a_date(value.trim()) || looks_like_a_date(english) {
        return Err(err(
            "it is a date, not the length of a sentence (a column of dates maps to a date key, such as [sentenced] date or [released] date)",
        ));
    }
    match english {
        "" => return Err(err("it has no English part")),
        "life" | "life imprisonment" | "life sentence" => return Ok(Term::Life),
        "death" | "death penalty" | "death sentence" => return Ok(Term::Death),
        _ => {}
    }
    let words: Vec<&str> = english
        .split(|ch: char| ch.is_whitespace() || ch == ',')
        .filter(|word| !word.is_empty() && *word != "and")
        .collect();
    let (mut years, mut months, mut days) = (0u32, 0u32, 0u32);
    let mut seen: Vec<&str> = Vec::new();
    for pair in words.chunks(2) {
        let (number, unit) = match pair {
            [number, unit] => (*number, *unit),
            [word] if word.parse::<f64>().is_ok() => {
                return Err(err(
                    "every number needs a unit (years, months, weeks or days)",
                ));
            }
            _ => return Err(err(&format!("{:?} is not a number", pair[0]))),
        };
        if number.parse::<f64>().is_err() {
            return Err(err(&format!("{number:?} is not a number")));
        }
        let unit = match unit {
            "year" | "years" | "yr" | "yrs" => "year",
            "month" | "months" => "month",
            "week" | "weeks" => "week",
            "day" | "days" => "day",
            _ => {
                return Err(err(&format!(
                    "{unit:?} is not a unit (years, months, weeks or days)"
                )));
            }
        };
        if seen.contains(&unit) {
            return Err(err(&format!("it gives the {unit}s twice")));
        }
        seen.push(unit);
        let whole = |number: &str| {
            number
                .parse::<u32>()
                .map_err(|_| err(&format!("{number:?} is not a whole number")))
        };
        match unit {
            // Half years are common ("一年半", a year and a half) and exact in months.
            "year" => match number.split_once('.') {
                Some((whole_years, "5")) => {
                    years = whole(if whole_years.is_empty() {
                        "0"
                    } else {
                        whole_years
                    })?;
                    months += 6;
                }
                Some(_) => {
                    return Err(err(&format!(
                        "{number} years is not a whole number of months; write it as years and months"
                    )));
                }
                None => years = whole(number)?,
            },
            "month" => months += whole(number)?,
            "week" => days += whole(number)?.saturating_mul(7),
            _ => days += whole(number)?,
        }
    }
    Term::fixed(years, months, days).ok_or_else(|| err("it is zero"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chrd_style_terms() {
        let cases = [
            ("十天10 days", "10 days"),
            ("五天5 days", "5 days"),
            ("十五天/ 15 days", "15 days"),
            ("三i^一天/31 days", "31 days"),
            ("一个月/ 1 month", "1 month"),
            ("十八个月/ 18 months", "18 months"),
            ("一年半/ 1.5 years", "1 year 6 months"),
            ("四年 / 4 years", "4 years"),
            ("3年3 years", "3 years"),
            ("1 year", "1 year"),
            ("2 years 6 months", "2 years 6 months"),
            ("2 years, 6 months and 10 days", "2 years 6 months 10 days"),
            ("2 weeks", "14 days"),
            ("0.5 years", "6 months"),
            ("Life", "life imprisonment"),
            ("无期徒刑/ life imprisonment", "life imprisonment"),
            ("death penalty", "death penalty"),
        ];
        for (text, shown) in cases {
            let term = parse_term(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(term.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn refuses_what_it_would_have_to_guess() {
        let cases = [
            ("十天", "it has no English part"),
            ("", "it has no English part"),
            ("ten days", "\"ten\" is not a number"),
            ("2019-12-07", "it is a date, not the length of a sentence"),
            ("2019/12/07", "it is a date, not the length of a sentence"),
            ("10", "every number needs a unit"),
            ("10 fortnights", "\"fortnights\" is not a unit"),
            ("1.25 years", "is not a whole number of months"),
            ("1.5 months", "\"1.5\" is not a whole number"),
            ("2 years 3 years", "it gives the years twice"),
            ("0 days", "it is zero"),
            ("死缓/ death with reprieve", "\"death\" is not a number"),
        ];
        for (text, problem) in cases {
            let message = parse_term(text).unwrap_err().to_string();
            assert!(message.contains(problem), "{text}: {message}");
            assert!(message.contains(&format!("{text:?}")), "{text}: {message}");
        }
    }
}
