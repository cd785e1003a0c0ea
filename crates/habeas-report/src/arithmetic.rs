//! Sentence arithmetic and time in custody, in words, from the domain's
//! figures. Where a date is partial the figures are ranges and are printed as
//! ranges ("469 to 499 days"), never as an invented exact count.

use habeas_domain::date::{PartialDate, Precision};
use habeas_domain::figures::DayRange;
use habeas_domain::status::{Episode, Legal, Status};

use crate::describe;

/// A count of days in words, with the months it amounts to:
/// "469 to 499 days (about 15 to 16 months)" ([`DayRange::in_words`], the
/// one wording every output uses).
pub(crate) fn days(range: DayRange) -> String {
    range.in_words()
}

/// Why a date makes a figure a range, or `None` when the date is exact.
pub(crate) fn uncertainty(date: &PartialDate) -> Option<&'static str> {
    if date.is_open_start() {
        return Some("not known, only that it was on or before that day");
    }
    match (date.precision(), date.is_approximate()) {
        (Precision::Year, _) => Some("known only to the year"),
        (Precision::Month, _) => Some("known only to the month"),
        (Precision::Day, true) => Some("approximate"),
        (Precision::Day, false) => None,
    }
}

/// The dates of custody episodes that make the figures ranges, in words:
/// "the start of custody (2020-07) is known only to the month".
pub(crate) fn uncertain_dates(episodes: &[&Episode]) -> Vec<String> {
    let mut notes = Vec::new();
    for episode in episodes {
        if let Some(why) = uncertainty(&episode.start) {
            notes.push(format!(
                "the start of custody ({}) is {why}",
                episode.start.bound()
            ));
        }
        if let Some(end) = &episode.end
            && let Some(why) = uncertainty(end)
        {
            notes.push(format!("the end of custody ({}) is {why}", end.bound()));
        }
    }
    notes
}

/// The sentence and time-in-custody lines of a person report, labelled.
/// Every value is program text (no user input), so renderers need not escape it.
pub(crate) fn lines(status: &Status, episodes: &[&Episode]) -> Vec<(&'static str, String)> {
    let figures = &status.figures;
    let mut lines = Vec::new();
    if let Legal::Convicted {
        on,
        term,
        suspended,
        in_absentia,
        ..
    } = &status.legal
    {
        let mut sentence = match term {
            Some(term) => format!("{term}, pronounced on {}", describe::date(on)),
            None => format!(
                "term not given by the sources (convicted {})",
                describe::date(on)
            ),
        };
        if *suspended {
            sentence.push_str(", suspended");
        }
        if *in_absentia {
            sentence.push_str(", in absentia");
        }
        lines.push(("Sentence", sentence));
    }
    if episodes.is_empty() {
        lines.push(("Time in custody", "no custody recorded".to_owned()));
        return lines;
    }
    let since = status.episodes.last().map(|episode| episode.start);
    match (figures.days_in_custody_now, since) {
        (Some(now), Some(since)) => lines.push((
            "Time in custody now",
            format!(
                "{} ({}, counted to {})",
                days(now),
                describe::since(&since),
                status.view.as_of
            ),
        )),
        _ => lines.push((
            "Time in custody now",
            format!("not in custody on {}", status.view.as_of),
        )),
    }
    let periods = episodes.len();
    lines.push((
        "Time in custody in total",
        match figures.days_in_custody_total {
            Some(total) => format!(
                "{} over {periods} custody period{}",
                days(total),
                if periods == 1 { "" } else { "s" }
            ),
            // Not zero: nobody has recorded any custody either way.
            None => "unknown: no custody recorded".to_owned(),
        },
    ));
    if let Some(expected) = figures.expected_release {
        let how = if figures.term.is_some() {
            "start of custody + term"
        } else {
            "as a source states it"
        };
        lines.push(("End of term", format!("{expected} ({how})")));
        if figures.release_overdue {
            lines.push((
                "Release overdue",
                format!(
                    "the release was due by {}, and no release is recorded: this person's fate must be checked",
                    expected.latest
                ),
            ));
        }
    }
    if let Some(served) = figures.served {
        lines.push(("Share of term served", format!("{served}")));
    }
    let notes = uncertain_dates(episodes);
    if !notes.is_empty() {
        lines.push((
            "Why ranges",
            format!(
                "{}; figures give every value the dates allow",
                notes.join("; ")
            ),
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_in_words() {
        let cases = [
            (
                DayRange::range(469, 499),
                "469 to 499 days (about 15 to 16 months)",
            ),
            (DayRange::exact(10), "10 days"),
            (DayRange::exact(14), "14 days"),
            (DayRange::exact(31), "31 days (about 1 month)"),
            (DayRange::exact(365), "365 days (about 12 months)"),
            (
                DayRange::range(400, 410),
                "400 to 410 days (about 13 months)",
            ),
        ];
        for (range, expected) in cases {
            assert_eq!(days(range), expected);
        }
    }
}
