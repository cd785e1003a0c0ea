//! The custody timeline as an inline SVG picture, written by hand.
//!
//! Custody periods are bars; a start or end known only to the month or year is
//! drawn as a faded band over every day it may fall on, so the picture claims
//! no more than the sources; a period still going on runs to the as-of day and
//! ends in an arrow. Restrictions in force get a bar of their own. Milestones
//! (detention, charges, hearings, sentence, release, transfers …) are ticks on
//! the axis (faded bands when partial) with labels stacked in lanes so they
//! never overlap. The picture carries a `<title>` and a `<desc>` that say in
//! words what it shows.

use std::fmt::Write as _;

use chrono::{Datelike, Days, NaiveDate};

use habeas_domain::date::PartialDate;

use crate::arithmetic;
use crate::describe;
use crate::escape::html;
use crate::person_view::{PersonView, milestone_label};

const WIDTH: f64 = 900.0;
const LEFT: f64 = 92.0;
const RIGHT: f64 = 16.0;
const CUSTODY: &str = "#9b1c1c";
const RESTRICTION: &str = "#b45309";
const INK: &str = "#1f2937";
const FAINT: &str = "#6b7280";
/// Average width of one character at the label size, for lane packing.
const CHAR_WIDTH: f64 = 6.4;

/// Maps days to x coordinates.
struct Scale {
    start: NaiveDate,
    days: f64,
}

impl Scale {
    fn x(&self, day: NaiveDate) -> f64 {
        let offset = (day - self.start).num_days() as f64;
        LEFT + offset / self.days * (WIDTH - LEFT - RIGHT)
    }

    /// The x just after the last day a date may stand for.
    fn x_after(&self, day: NaiveDate) -> f64 {
        self.x(day.checked_add_days(Days::new(1)).unwrap_or(day))
    }
}

fn fmt_x(value: f64) -> String {
    format!("{value:.1}")
}

fn is_exact(date: &PartialDate) -> bool {
    arithmetic::uncertainty(date).is_none()
}

/// A milestone's label: "2021-08 Sentenced, 2 years".
fn milestone_text(fact: &crate::person_view::FactView<'_>) -> String {
    format!("{} {}", fact.occurred, milestone_label(fact.event))
}

/// The estimated width of a label, for packing.
fn label_width(label: &str) -> f64 {
    label.chars().count() as f64 * CHAR_WIDTH
}

/// The one-paragraph text alternative of the picture.
fn description(view: &PersonView<'_>) -> String {
    let mut parts = Vec::new();
    for episode in &view.episodes {
        let end = match &episode.end {
            Some(end) => format!("to {end}"),
            None => format!("ongoing on {}", view.report.status.view.as_of),
        };
        parts.push(format!(
            "In custody ({}) from {} {end}: {}.",
            describe::detention_kind(episode.kind),
            episode.start,
            arithmetic::days(episode.days)
        ));
    }
    for restriction in &view.restrictions {
        parts.push(format!(
            "Restriction in force ({}) since {}.",
            describe::restriction_kind(restriction.kind),
            restriction.since
        ));
    }
    let milestones: Vec<String> = view
        .milestones()
        .map(|fact| format!("{} {}", fact.occurred, milestone_label(fact.event)))
        .collect();
    if !milestones.is_empty() {
        parts.push(format!("Milestones: {}.", milestones.join("; ")));
    }
    parts.push("Faded bands mark dates known only to the month or year.".to_owned());
    parts.join(" ")
}

/// A faded band for an uncertain date and the x where certainty starts/ends.
fn band(out: &mut String, scale: &Scale, date: &PartialDate, y: f64, height: f64, colour: &str) {
    let (from, to) = (scale.x(date.earliest()), scale.x_after(date.latest()));
    let _ = write!(
        out,
        r#"<rect x="{}" y="{y}" width="{}" height="{height}" fill="{colour}" fill-opacity="0.28"><title>{} (day not known)</title></rect>"#,
        fmt_x(from),
        fmt_x((to - from).max(1.0)),
        html(&date.to_string())
    );
}

/// A bar from `start` to `end` (or open to `as_of`), with faded ends for
/// uncertain dates and an arrow when open.
#[allow(clippy::too_many_arguments)]
fn bar(
    out: &mut String,
    scale: &Scale,
    start: &PartialDate,
    end: Option<&PartialDate>,
    as_of: NaiveDate,
    y: f64,
    height: f64,
    colour: &str,
    tooltip: &str,
    label: &str,
) {
    let solid_from = if is_exact(start) {
        scale.x(start.earliest())
    } else {
        band(out, scale, start, y, height, colour);
        scale.x_after(start.latest())
    };
    let solid_to = match end {
        Some(end) if is_exact(end) => scale.x_after(end.latest()),
        Some(end) => {
            band(out, scale, end, y, height, colour);
            scale.x(end.earliest())
        }
        None => scale.x_after(as_of),
    };
    let width = (solid_to - solid_from).max(0.0);
    let _ = write!(
        out,
        r#"<rect x="{}" y="{y}" width="{}" height="{height}" fill="{colour}"><title>{}</title></rect>"#,
        fmt_x(solid_from),
        fmt_x(width),
        html(tooltip)
    );
    if end.is_none() {
        let tip = solid_to;
        let _ = write!(
            out,
            r#"<polygon points="{},{} {},{} {},{}" fill="{colour}"/>"#,
            fmt_x(tip),
            y - 3.0,
            fmt_x(tip + 9.0),
            y + height / 2.0,
            fmt_x(tip),
            y + height + 3.0
        );
    }
    let label_width = label.chars().count() as f64 * CHAR_WIDTH + 8.0;
    if width >= label_width {
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" fill="#fff" font-size="12">{}</text>"##,
            fmt_x(solid_from + 4.0),
            y + height / 2.0 + 4.0,
            html(label)
        );
    }
}

/// Writes the custody timeline of a person report as an `<svg>` element, or
/// nothing when there is no dated fact to draw.
pub(crate) fn timeline(view: &PersonView<'_>) -> Option<String> {
    let as_of = view.report.status.view.as_of;
    let mut dates: Vec<PartialDate> = Vec::new();
    for episode in &view.episodes {
        dates.push(episode.start);
        dates.extend(episode.end);
    }
    dates.extend(
        view.restrictions
            .iter()
            .map(|restriction| restriction.since),
    );
    dates.extend(view.milestones().map(|fact| fact.occurred));
    let first = dates.iter().map(PartialDate::earliest).min()?;
    let last = dates
        .iter()
        .map(PartialDate::latest)
        .chain(std::iter::once(as_of))
        .max()
        .unwrap_or(as_of);
    let start = first.checked_sub_days(Days::new(20)).unwrap_or(first);
    let end = last.checked_add_days(Days::new(25)).unwrap_or(last);
    let plot = WIDTH - LEFT - RIGHT;
    // Labels run rightwards from their milestone; stretch the time span so
    // that the latest labels still fit inside the picture.
    let mut days = ((end - start).num_days() as f64).max(1.0);
    for fact in view.milestones() {
        let width = label_width(&milestone_text(fact)).min(plot / 2.0);
        let offset = (fact.occurred.latest() - start).num_days() as f64 + 1.0;
        days = days.max(offset * plot / (plot - 6.0 - width));
    }
    let end = start
        .checked_add_days(Days::new(days.ceil() as u64))
        .unwrap_or(end);
    let scale = Scale { start, days };

    let mut body = String::new();
    let custody_y = 26.0;
    let mut row_y = custody_y + 40.0;
    let _ = write!(
        body,
        r#"<text x="6" y="{}" fill="{INK}" font-size="12" font-weight="600">Custody</text>"#,
        custody_y + 15.0
    );
    for episode in &view.episodes {
        let days = arithmetic::days(episode.days);
        let end = episode
            .end
            .map_or_else(|| format!("ongoing on {as_of}"), |end| end.to_string());
        let tooltip = format!(
            "In custody ({}) {} to {end}: {days}",
            describe::detention_kind(episode.kind),
            episode.start
        );
        bar(
            &mut body,
            &scale,
            &episode.start,
            episode.end.as_ref(),
            as_of,
            custody_y,
            22.0,
            CUSTODY,
            &tooltip,
            &format!("In custody: {days}"),
        );
    }
    if view.episodes.is_empty() {
        let _ = write!(
            body,
            r#"<text x="{LEFT}" y="{}" fill="{FAINT}" font-size="12">no custody recorded</text>"#,
            custody_y + 15.0
        );
    }
    if !view.restrictions.is_empty() {
        let _ = write!(
            body,
            r#"<text x="6" y="{}" fill="{INK}" font-size="12" font-weight="600">Restricted</text>"#,
            row_y + 12.0
        );
        for restriction in &view.restrictions {
            let kind = describe::restriction_kind(restriction.kind);
            bar(
                &mut body,
                &scale,
                &restriction.since,
                None,
                as_of,
                row_y,
                16.0,
                RESTRICTION,
                &format!("{kind} since {}", restriction.since),
                kind,
            );
        }
        row_y += 34.0;
    }

    // The axis, with years labelled and months ticked.
    let axis_y = row_y + 8.0;
    let _ = write!(
        body,
        r#"<line x1="{LEFT}" y1="{axis_y}" x2="{}" y2="{axis_y}" stroke="{INK}" stroke-width="1"/>"#,
        WIDTH - RIGHT
    );
    let span_days = (end - start).num_days();
    let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
    while month <= end {
        if month >= start {
            let x = fmt_x(scale.x(month));
            if month.month() == 1 {
                let _ = write!(
                    body,
                    r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{INK}"/><text x="{x}" y="{}" fill="{INK}" font-size="12" text-anchor="middle" font-weight="600">{}</text>"#,
                    axis_y - 5.0,
                    axis_y + 5.0,
                    axis_y + 18.0,
                    month.year()
                );
            } else if span_days < 4 * 366 {
                let _ = write!(
                    body,
                    r#"<line x1="{x}" y1="{axis_y}" x2="{x}" y2="{}" stroke="{FAINT}"/>"#,
                    axis_y + 3.0
                );
                if span_days < 3 * 366 && month.month() % 3 == 1 {
                    let _ = write!(
                        body,
                        r#"<text x="{x}" y="{}" fill="{FAINT}" font-size="10" text-anchor="middle">{}</text>"#,
                        axis_y + 16.0,
                        month.format("%b")
                    );
                }
            }
        }
        let Some(next) = month.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        month = next;
    }

    // The as-of day.
    let as_of_x = scale.x_after(as_of);
    let _ = write!(
        body,
        r#"<line x1="{0}" y1="14" x2="{0}" y2="{1}" stroke="{INK}" stroke-dasharray="3 3"/><text x="{0}" y="11" fill="{INK}" font-size="11" text-anchor="end">as of {2}</text>"#,
        fmt_x(as_of_x),
        axis_y,
        as_of
    );

    // Milestones: ticks or bands on the axis, labels in lanes below. Placed
    // from the latest to the earliest, each label takes the first lane where
    // it overlaps no label and crosses no leader line of a later milestone
    // (leaders run from the axis down to their own lane).
    let lanes_top = axis_y + 42.0;
    let lane_height = 17.0;
    let mut milestones: Vec<_> = view
        .milestones()
        .enumerate()
        .map(|(order, fact)| {
            let from = scale.x(fact.occurred.earliest());
            let to = scale.x_after(fact.occurred.latest());
            let centre = if is_exact(&fact.occurred) {
                from
            } else {
                (from + to) / 2.0
            };
            (order, fact, from, to, centre)
        })
        .collect();
    milestones.sort_by(|a, b| a.4.total_cmp(&b.4).then(a.0.cmp(&b.0)));
    // (lane, label start, label end, leader x) of every label placed.
    let mut placed: Vec<(usize, f64, f64, f64)> = Vec::new();
    for (_, fact, from, to, centre) in milestones.into_iter().rev() {
        let label = milestone_text(fact);
        let (span_from, span_to) = (centre + 3.0, centre + 3.0 + label_width(&label));
        let mut lane = placed
            .iter()
            .filter(|(_, _, _, leader)| (span_from..=span_to).contains(leader))
            .map(|(lane, ..)| lane + 1)
            .max()
            .unwrap_or(0);
        while placed
            .iter()
            .any(|(other, a, b, _)| *other == lane && span_from < b + 10.0 && *a < span_to + 10.0)
        {
            lane += 1;
        }
        placed.push((lane, span_from, span_to, centre));
        let text_y = lanes_top + lane as f64 * lane_height;
        if is_exact(&fact.occurred) {
            let _ = write!(
                body,
                r#"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{INK}" stroke-width="2"/>"#,
                fmt_x(from),
                axis_y - 7.0,
                axis_y + 7.0
            );
        } else {
            let _ = write!(
                body,
                r#"<rect x="{}" y="{}" width="{}" height="14" fill="{INK}" fill-opacity="0.3"/>"#,
                fmt_x(from),
                axis_y - 7.0,
                fmt_x((to - from).max(2.0))
            );
        }
        let _ = write!(
            body,
            r#"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{FAINT}" stroke-width="0.8"/><text x="{3}" y="{4}" fill="{INK}" font-size="11">{5}</text>"#,
            fmt_x(centre),
            axis_y + 22.0,
            text_y + 3.0,
            fmt_x(span_from),
            text_y,
            html(&label)
        );
    }
    let n_lanes = placed.iter().map(|(lane, ..)| lane + 1).max().unwrap_or(1);
    let height = lanes_top + n_lanes as f64 * lane_height;

    let title = format!("Custody timeline of {}", view.name);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="timeline-title timeline-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"><title id="timeline-title">{}</title><desc id="timeline-desc">{}</desc>{body}</svg>"#,
        html(&title),
        html(&description(view)),
    );
    Some(svg)
}
