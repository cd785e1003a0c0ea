//! Where things go on the custody timeline, as pure functions of dates and
//! widths: which days the axis spans, which ticks it labels, and in which lane
//! each milestone label sits. [`crate::svg`] only draws what these decide.
//!
//! The axis spans the person's facts, not the as-of day: a report made today
//! about a case that ended five years ago would otherwise squeeze a 15-month
//! custody into a fifth of the width. When the as-of day lies far beyond the
//! last fact, the axis is broken and the as-of day drawn past the break.

use chrono::{Datelike, Days, Months, NaiveDate};

/// How far apart the as-of day and the last fact must be, at least, for the
/// axis to break rather than run on to the as-of day.
const MIN_BREAK_DAYS: i64 = 60;

/// The shortest stretch of days the axis shows, so that a single fact still
/// sits on a readable scale of months.
const MIN_DOMAIN_DAYS: i64 = 90;

/// The days the axis spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Domain {
    /// The first day on the axis.
    pub(crate) start: NaiveDate,
    /// The last day on the axis.
    pub(crate) end: NaiveDate,
    /// The as-of day lies far after `end`: the axis is broken and the as-of
    /// day is drawn past the break.
    pub(crate) as_of_beyond: bool,
}

/// The axis for facts from `first` to `last` (the caller counts the as-of day
/// in `last` when a custody period or restriction is still going on, since
/// its bar runs to that day) seen on `as_of`.
///
/// The as-of day joins the span unless it lies after the facts by more than a
/// quarter of their span (and at least [`MIN_BREAK_DAYS`]); then the axis
/// breaks. A margin of a twenty-fifth of the span (at least ten days) keeps
/// marks off the ends, and the span is at least [`MIN_DOMAIN_DAYS`] wide.
pub(crate) fn axis_domain(first: NaiveDate, last: NaiveDate, as_of: NaiveDate) -> Domain {
    let (first, last) = (first.min(last), first.max(last));
    let span = (last - first).num_days();
    let gap = (as_of - last).num_days();
    let as_of_beyond = gap > (span / 4).max(MIN_BREAK_DAYS);
    let (low, high) = if as_of_beyond {
        (first, last)
    } else {
        (first.min(as_of), last.max(as_of))
    };
    let margin = ((high - low).num_days() / 25).max(10);
    let mut start = low - chrono::Duration::days(margin);
    let mut end = high + chrono::Duration::days(margin);
    let short = MIN_DOMAIN_DAYS - (end - start).num_days();
    if short > 0 {
        start -= chrono::Duration::days(short / 2);
        end += chrono::Duration::days(short - short / 2);
    }
    Domain {
        start,
        end,
        as_of_beyond,
    }
}

/// One mark on the axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tick {
    /// The first day of the month or year it marks.
    pub(crate) day: NaiveDate,
    /// A year boundary (drawn taller, its label bold).
    pub(crate) major: bool,
    /// Its label, if it has one.
    pub(crate) label: Option<String>,
}

/// The ticks of an axis from `start` to `end` drawn `pixels` wide: months
/// while a month is at least 10 px wide, else years; labels no closer than
/// 48 px. Every labelled January shows its year; when no January is labelled,
/// the first label names its year too, so the axis always says which year it
/// shows.
pub(crate) fn ticks(start: NaiveDate, end: NaiveDate, pixels: f64) -> Vec<Tick> {
    let days = ((end - start).num_days() as f64).max(1.0);
    let per_month = pixels / days * 30.44;
    let mut ticks = Vec::new();
    if per_month >= 10.0 {
        let every = [1, 2, 3, 6, 12]
            .into_iter()
            .find(|n| per_month * f64::from(*n) >= 48.0)
            .unwrap_or(12);
        let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
        while month <= end {
            if month >= start {
                let major = month.month() == 1;
                let labelled = (month.month() - 1).is_multiple_of(every);
                let label = labelled.then(|| {
                    if major {
                        month.year().to_string()
                    } else {
                        month.format("%b").to_string()
                    }
                });
                ticks.push(Tick {
                    day: month,
                    major,
                    label,
                });
            }
            let Some(next) = month.checked_add_months(Months::new(1)) else {
                break;
            };
            month = next;
        }
        if !ticks.iter().any(|t| t.major && t.label.is_some())
            && let Some(first) = ticks.iter_mut().find(|t| t.label.is_some())
        {
            first.label = Some(first.day.format("%b %Y").to_string());
        }
    } else {
        let per_year = per_month * 12.0;
        let every = [1, 2, 5, 10, 20, 50]
            .into_iter()
            .find(|n| per_year * f64::from(*n) >= 48.0)
            .unwrap_or(100);
        let mut year = start.year();
        if NaiveDate::from_ymd_opt(year, 1, 1).is_some_and(|day| day < start) {
            year += 1;
        }
        while let Some(day) = NaiveDate::from_ymd_opt(year, 1, 1) {
            if day > end {
                break;
            }
            ticks.push(Tick {
                day,
                major: true,
                label: (year % every == 0).then(|| year.to_string()),
            });
            year += 1;
        }
    }
    ticks
}

/// The day after `day`, where a bar covering `day` ends.
pub(crate) fn next_day(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).unwrap_or(day)
}

/// Space between the leader of a milestone and the start of its label.
pub(crate) const LABEL_OFFSET: f64 = 4.0;

/// The least space between two labels side by side in one lane.
pub(crate) const LABEL_GAP: f64 = 12.0;

/// A milestone label to place: the x of its milestone (where its leader
/// runs to the axis) and the width of its text, which starts
/// [`LABEL_OFFSET`] to the right of the leader.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Label {
    /// The x of the milestone.
    pub(crate) x: f64,
    /// The width of the text.
    pub(crate) width: f64,
}

impl Label {
    fn from(&self) -> f64 {
        self.x + LABEL_OFFSET
    }

    fn to(&self) -> f64 {
        self.from() + self.width
    }

    /// Whether the two texts would touch if they sat in one lane.
    fn crowds(&self, other: &Label) -> bool {
        self.from() < other.to() + LABEL_GAP && other.from() < self.to() + LABEL_GAP
    }
}

/// The lane of each label, `labels` given in date order; lane 0 is next to
/// the axis and higher lanes are farther from it. Labels stand above the axis
/// with leaders running down to it, so a label placed farther out is read
/// first: of two labels that would touch, the earlier one gets the higher
/// lane. Reading down a column is then reading in date order, no two labels
/// overlap, and no leader crosses a label (a leader runs down from its label
/// to the left of every later label, whose text starts right of its own
/// leader).
pub(crate) fn lanes(labels: &[Label]) -> Vec<usize> {
    let mut lanes = vec![0; labels.len()];
    for idx in (0..labels.len()).rev() {
        lanes[idx] = labels
            .iter()
            .zip(&lanes)
            .skip(idx + 1)
            .filter(|(later, _)| labels[idx].crowds(later))
            .map(|(_, lane)| lane + 1)
            .max()
            .unwrap_or(0);
    }
    lanes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_axis_spans_the_facts_and_breaks_before_a_far_as_of_day() {
        // (first fact, last fact, as of, axis start, axis end, broken)
        let cases = [
            // Rong Chhun on the day after the last recording: no break.
            (
                "2020-07-01",
                "2021-11-12",
                "2021-11-20",
                "2020-06-11",
                "2021-12-10",
                false,
            ),
            // The same case seen five years later: the axis keeps to the facts.
            (
                "2020-07-01",
                "2021-11-12",
                "2026-12-08",
                "2020-06-12",
                "2021-12-01",
                true,
            ),
            // A gap of a quarter of the span or less runs on to the as-of day.
            (
                "2020-01-01",
                "2020-12-31",
                "2021-03-31",
                "2019-12-14",
                "2021-04-18",
                false,
            ),
            // One fact: at least 90 days, centred.
            (
                "2024-03-05",
                "2024-03-05",
                "2024-03-20",
                "2024-01-28",
                "2024-04-27",
                false,
            ),
            // One fact seen much later: a short axis, then the break.
            (
                "2024-03-05",
                "2024-03-05",
                "2026-12-08",
                "2024-01-20",
                "2024-04-19",
                true,
            ),
            // An ongoing restriction since 2017 (its bar runs to the as-of day).
            (
                "2017-11-01",
                "2021-11-20",
                "2021-11-20",
                "2017-09-03",
                "2022-01-18",
                false,
            ),
            // An as-of day before the facts joins the span.
            (
                "2020-07-01",
                "2020-09-01",
                "2020-05-01",
                "2020-04-21",
                "2020-09-11",
                false,
            ),
        ];
        for (first, last, as_of, start, end, broken) in cases {
            let domain = axis_domain(day(first), day(last), day(as_of));
            assert_eq!(
                (domain.start, domain.end, domain.as_of_beyond),
                (day(start), day(end), broken),
                "facts {first}..{last} as of {as_of}"
            );
        }
    }

    #[test]
    fn a_fifteen_month_custody_fills_most_of_the_axis_whatever_the_as_of_day() {
        for as_of in ["2021-11-20", "2022-06-01", "2026-12-08", "2040-01-01"] {
            let domain = axis_domain(day("2020-07-01"), day("2021-11-12"), day(as_of));
            let custody = (day("2021-11-12") - day("2020-07-01")).num_days() as f64;
            let axis = (domain.end - domain.start).num_days() as f64;
            assert!(custody / axis > 0.75, "as of {as_of}: {custody} of {axis}");
        }
    }

    #[test]
    fn ticks_name_their_year() {
        let labels = |start: &str, end: &str, pixels: f64| -> Vec<String> {
            ticks(day(start), day(end), pixels)
                .into_iter()
                .filter_map(|tick| tick.label)
                .collect()
        };
        // (start, end, width, labels)
        let cases: [(&str, &str, f64, &[&str]); 4] = [
            (
                "2020-06-11",
                "2021-12-10",
                792.0,
                &[
                    "Jul", "Sep", "Nov", "2021", "Mar", "May", "Jul", "Sep", "Nov",
                ],
            ),
            (
                "2020-03-10",
                "2020-09-20",
                792.0,
                &["Apr 2020", "May", "Jun", "Jul", "Aug", "Sep"],
            ),
            (
                "2017-09-03",
                "2022-01-18",
                792.0,
                &[
                    "2018", "Jul", "2019", "Jul", "2020", "Jul", "2021", "Jul", "2022",
                ],
            ),
            // Thirty years: every second year (26 px a year).
            (
                "1990-01-01",
                "2020-06-01",
                792.0,
                &[
                    "1990", "1992", "1994", "1996", "1998", "2000", "2002", "2004", "2006", "2008",
                    "2010", "2012", "2014", "2016", "2018", "2020",
                ],
            ),
        ];
        for (start, end, pixels, expected) in cases {
            assert_eq!(labels(start, end, pixels), expected, "{start}..{end}");
        }
    }

    /// Whether `lanes` keeps the promises of [`lanes`] for `labels`.
    fn check(labels: &[Label], lanes: &[usize]) {
        for (i, a) in labels.iter().enumerate() {
            for (j, b) in labels.iter().enumerate().skip(i + 1) {
                if a.crowds(b) {
                    assert!(lanes[i] > lanes[j], "label {i} not above label {j}");
                }
                // A leader runs from its lane down to the axis, past every
                // lower lane; it must not pass through a label there.
                for (leader, lane, text, text_lane) in
                    [(a, lanes[i], b, lanes[j]), (b, lanes[j], a, lanes[i])]
                {
                    let inside = text.from() <= leader.x && leader.x <= text.to();
                    assert!(!(inside && text_lane < lane), "a leader crosses a label");
                }
            }
        }
    }

    #[test]
    fn labels_stack_in_date_order_without_overlap() {
        let label = |x: f64, width: f64| Label { x, width };
        // (labels in date order, lanes)
        let cases: [(Vec<Label>, Vec<usize>); 5] = [
            // Rong Chhun: detained, charged a month later, sentenced, and a
            // hearing and the release on one day.
            (
                vec![
                    label(100.0, 120.0),
                    label(150.0, 110.0),
                    label(520.0, 190.0),
                    label(760.0, 130.0),
                    label(760.0, 130.0),
                ],
                vec![1, 0, 0, 1, 0],
            ),
            // Far apart: one lane.
            (
                vec![
                    label(100.0, 100.0),
                    label(300.0, 100.0),
                    label(500.0, 100.0),
                ],
                vec![0, 0, 0],
            ),
            // All on one day: a staircase, earliest at the top.
            (
                vec![label(400.0, 80.0), label(400.0, 80.0), label(400.0, 80.0)],
                vec![2, 1, 0],
            ),
            // Just touching counts as crowding (the gap is kept).
            (vec![label(100.0, 100.0), label(210.0, 50.0)], vec![1, 0]),
            (Vec::new(), Vec::new()),
        ];
        for (labels, expected) in cases {
            let placed = lanes(&labels);
            assert_eq!(placed, expected);
            check(&labels, &placed);
        }
    }

    #[test]
    fn labels_keep_their_promises_for_many_layouts() {
        // A deterministic spread of layouts: clusters, ties and long labels.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        for _ in 0..500 {
            let n = next(12) as usize;
            let mut xs: Vec<f64> = (0..n).map(|_| 92.0 + next(700) as f64).collect();
            xs.sort_by(f64::total_cmp);
            let labels: Vec<Label> = xs
                .into_iter()
                .map(|x| Label {
                    x,
                    width: 40.0 + next(180) as f64,
                })
                .collect();
            check(&labels, &lanes(&labels));
        }
    }
}
