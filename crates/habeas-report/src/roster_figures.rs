//! The figures a campaign quotes from a roster: how many people are held now,
//! and for how long. Days in custody are ranges when dates are partial, so the
//! median is given as a range too: the median of the fewest days and the
//! median of the most days. The true median lies between them.

use std::fmt;

use serde::Serialize;

use habeas_domain::figures::DayRange;
use habeas_domain::id::PersonId;
use habeas_domain::status::Headline;

use crate::model::RosterRow;

/// How many people have one headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HeadlineCount {
    /// The headline.
    pub headline: Headline,
    /// How many people have it.
    pub count: usize,
}

/// A median of day ranges: the median of their minimums and of their maximums.
/// Halves occur when the number of people is even.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MedianDays {
    /// The median of the fewest days each person may have been held.
    pub of_minimums: f64,
    /// The median of the most days each person may have been held;
    /// `None` when it falls on a count open above (custody known without
    /// its start): the median is then "at least" the other one.
    pub of_maximums: Option<f64>,
}

impl fmt::Display for MedianDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = |value: f64| {
            if value.fract() == 0.0 {
                format!("{value:.0}")
            } else {
                format!("{value:.1}")
            }
        };
        match self.of_maximums {
            Some(most) if most == self.of_minimums => write!(f, "{} days", days(most)),
            Some(most) => write!(f, "{} to {} days", days(self.of_minimums), days(most)),
            None => write!(f, "at least {} days", days(self.of_minimums)),
        }
    }
}

/// The person held longest now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Longest {
    /// Who.
    pub person_id: PersonId,
    /// Their main name.
    pub name: String,
    /// Their days in custody now.
    pub days: DayRange,
}

/// The roster's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterFigures {
    /// Everyone in the roster.
    pub people: usize,
    /// People per headline, in [`Headline::ALL`] order, zeros included.
    pub counts: Vec<HeadlineCount>,
    /// People in custody now (detained, charged in custody, serving a
    /// sentence, disappeared): those with days in custody now.
    pub currently_detained: usize,
    /// People still recorded as held past the latest day their sentence
    /// could end, no release recorded: whose fate must be checked.
    pub release_overdue: usize,
    /// The median time in custody of the people held now.
    pub median_days_in_custody_now: Option<MedianDays>,
    /// The person whose time in custody now may be longest (the greatest
    /// maximum, then the greatest minimum; a count open above counts by
    /// what is known of it, its minimum).
    pub longest_in_custody_now: Option<Longest>,
}

/// The median of counts where `None` is unbounded (sorted after every
/// number): `None` inside when the median falls on one.
fn median_open(mut values: Vec<Option<i64>>) -> Option<Option<f64>> {
    values.sort_unstable_by_key(|value| (value.is_none(), *value));
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2].map(|v| v as f64)),
        _ => Some(
            values[n / 2 - 1]
                .zip(values[n / 2])
                .map(|(a, b)| (a + b) as f64 / 2.0),
        ),
    }
}

fn median(mut values: Vec<i64>) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] + values[n / 2]) as f64 / 2.0),
    }
}

/// Rows grouped by headline in [`Headline::ALL`] order, then by name.
pub(crate) fn roster_order(rows: &[RosterRow]) -> Vec<&RosterRow> {
    let rank = |headline: Headline| {
        Headline::ALL
            .iter()
            .position(|h| *h == headline)
            .unwrap_or(Headline::ALL.len())
    };
    let mut sorted: Vec<&RosterRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        (rank(a.headline), &a.name, a.person_id).cmp(&(rank(b.headline), &b.name, b.person_id))
    });
    sorted
}

/// Computes the figures of a roster's rows.
pub fn roster_figures(rows: &[RosterRow]) -> RosterFigures {
    let counts = Headline::ALL
        .into_iter()
        .map(|headline| HeadlineCount {
            headline,
            count: rows.iter().filter(|row| row.headline == headline).count(),
        })
        .collect();
    let held: Vec<(&RosterRow, DayRange)> = rows
        .iter()
        .filter_map(|row| row.days_in_custody_now.map(|days| (row, days)))
        .collect();
    let median_days_in_custody_now = median(held.iter().map(|(_, days)| days.min).collect())
        .zip(median_open(held.iter().map(|(_, days)| days.max).collect()))
        .map(|(of_minimums, of_maximums)| MedianDays {
            of_minimums,
            of_maximums,
        });
    let longest_in_custody_now = held
        .iter()
        .max_by_key(|(_, days)| (days.max.unwrap_or(days.min), days.min))
        .map(|(row, days)| Longest {
            person_id: row.person_id,
            name: row.name.clone(),
            days: *days,
        });
    RosterFigures {
        people: rows.len(),
        counts,
        currently_detained: held.len(),
        release_overdue: rows.iter().filter(|row| row.release_overdue).count(),
        median_days_in_custody_now,
        longest_in_custody_now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn row(n: u128, headline: Headline, now: Option<(i64, i64)>) -> RosterRow {
        RosterRow {
            person_id: PersonId::from_uuid(Uuid::from_u128(n)),
            slug: format!("person-{n}"),
            name: format!("person {n}"),
            aliases: Vec::new(),
            country: None,
            born: None,
            headline,
            possibly: None,
            release_overdue: false,
            custody_since: None,
            facility: None,
            days_in_custody_now: now.map(|(min, max)| DayRange::range(min, max)),
            days_in_custody_total: None,
            legal: habeas_domain::status::Legal::NotCharged,
            last_fact: None,
        }
    }

    #[test]
    fn medians_of_minimums_and_maximums() {
        let rows = [
            row(1, Headline::Detained, Some((10, 40))),
            row(2, Headline::ServingSentence, Some((100, 100))),
            row(3, Headline::Released, None),
            row(4, Headline::Disappeared, Some((30, 31))),
            row(5, Headline::Charged, Some((50, 60))),
        ];
        let figures = roster_figures(&rows);
        assert_eq!(figures.people, 5);
        assert_eq!(figures.currently_detained, 4);
        let median = figures.median_days_in_custody_now.unwrap();
        // Minimums 10, 30, 50, 100; maximums 31, 40, 60, 100.
        assert_eq!((median.of_minimums, median.of_maximums), (40.0, Some(50.0)));
        assert_eq!(median.to_string(), "40 to 50 days");
        let longest = figures.longest_in_custody_now.unwrap();
        assert_eq!(longest.name, "person 2");
        let count = |headline| {
            figures
                .counts
                .iter()
                .find(|c| c.headline == headline)
                .unwrap()
                .count
        };
        assert_eq!(count(Headline::Released), 1);
        assert_eq!(count(Headline::AtLiberty), 0);
        assert_eq!(figures.counts.len(), Headline::ALL.len());
    }

    #[test]
    fn a_median_that_falls_on_an_open_count_is_at_least() {
        let open = |n, min| {
            let mut row = row(n, Headline::Detained, None);
            row.days_in_custody_now = Some(DayRange::at_least(min));
            row
        };
        // Maximums 40, open, open: the median is open; minimums 10, 20, 30.
        let rows = [
            row(1, Headline::Detained, Some((10, 40))),
            open(2, 20),
            open(3, 30),
        ];
        let median = roster_figures(&rows).median_days_in_custody_now.unwrap();
        assert_eq!(median.to_string(), "at least 20 days");
        // Maximums 40, 50, open: the median is bounded.
        let rows = [
            row(1, Headline::Detained, Some((10, 40))),
            row(2, Headline::Detained, Some((45, 50))),
            open(3, 30),
        ];
        let median = roster_figures(&rows).median_days_in_custody_now.unwrap();
        assert_eq!(median.to_string(), "30 to 50 days");
    }

    #[test]
    fn odd_count_and_halves() {
        let three = [
            row(1, Headline::Detained, Some((1, 2))),
            row(2, Headline::Detained, Some((5, 9))),
            row(3, Headline::Detained, Some((7, 7))),
        ];
        let median = roster_figures(&three).median_days_in_custody_now.unwrap();
        assert_eq!(median.to_string(), "5 to 7 days");
        let two = [
            row(1, Headline::Detained, Some((1, 1))),
            row(2, Headline::Detained, Some((2, 2))),
        ];
        let median = roster_figures(&two).median_days_in_custody_now.unwrap();
        assert_eq!(median.to_string(), "1.5 days");
    }

    #[test]
    fn nobody_held_means_no_median() {
        let figures = roster_figures(&[row(1, Headline::Released, None)]);
        assert_eq!(figures.currently_detained, 0);
        assert_eq!(figures.median_days_in_custody_now, None);
        assert_eq!(figures.longest_in_custody_now, None);
    }
}
