//! The custody timeline as an inline SVG picture, written by hand, and the
//! legend of what it uses.
//!
//! From the top: milestone labels (detention, charges, hearings, sentence,
//! release …) stacked in lanes, earliest at the top, with leaders down to the
//! axis; the axis, spanning the person's facts ([`timeline_layout`]), broken
//! when the as-of day lies far beyond them; below it the custody periods as
//! bars and the restrictions in force as bars of their own, and the as-of day
//! as a dashed line. A date known only to the month or year is drawn as a
//! band over every day it may fall on, so the picture claims no more than the
//! sources. The picture carries a `<title>` and a `<desc>` that say in words
//! what it shows; the legend lists only the marks the picture uses.

use std::fmt::Write as _;

use chrono::NaiveDate;

use habeas_domain::date::PartialDate;

use crate::arithmetic;
use crate::describe;
use crate::escape::html;
use crate::person_view::{FactView, PersonView, milestone_label};
use crate::timeline_layout::{self, Domain, LABEL_OFFSET, Label, next_day};

const WIDTH: f64 = 900.0;
const LEFT: f64 = 92.0;
const RIGHT: f64 = 16.0;
/// The part of the width past the break, where a far as-of day is drawn.
const BEYOND: f64 = 64.0;
const CUSTODY: &str = "#9b1c1c";
const RESTRICTION: &str = "#b45309";
const INK: &str = "#1f2937";
const FAINT: &str = "#4b5563";
/// Every text in the picture: 12 px at its natural width, and the page never
/// draws it narrower (`.timeline svg { min-width }` in the HTML).
const FONT: f64 = 12.0;
/// A generous width of one character at [`FONT`], for packing labels: wide
/// fonts (DejaVu Sans, the Debian default) included.
const CHAR_WIDTH: f64 = 7.4;
const LANE_HEIGHT: f64 = 19.0;

/// A mark the picture uses, for its legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// A custody bar.
    Custody,
    /// A faded end of a custody bar: a start or end known to the month or year.
    UncertainCustody,
    /// A restriction bar.
    Restriction,
    /// A faded start of a restriction bar.
    UncertainRestriction,
    /// An arrow: still going on at the as-of day.
    Ongoing,
    /// An arrow back at the start: began on an unknown day on or before.
    UnknownStart,
    /// A tick on the axis: a milestone on a known day.
    Milestone,
    /// A grey band on the axis: a milestone known to the month or year.
    UncertainMilestone,
    /// A `~` after a date: approximate.
    Approximate,
    /// The dashed line of the as-of day.
    AsOf,
    /// The break in the axis before a far as-of day.
    Break,
}

impl Key {
    /// What the mark means, in words.
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            Key::Custody => "in custody",
            Key::UncertainCustody => {
                "faded: custody began or ended on a day the sources do not give (only the month or year); it falls somewhere in the faded part"
            }
            Key::Restriction => "restriction in force",
            Key::UncertainRestriction => {
                "faded: the restriction began on a day the sources do not give; it falls somewhere in the faded part"
            }
            Key::Ongoing => "arrow: still going on at the as-of day",
            Key::UnknownStart => {
                "arrow back at the start: began on a day nobody recorded, on or before that point (the sources say only that the person was held by then)"
            }
            Key::Milestone => "tick on the axis: a milestone on a known day",
            Key::UncertainMilestone => {
                "grey band on the axis: a milestone known only to the month or year; it happened on some day within the band"
            }
            Key::Approximate => "~ after a date: approximate",
            Key::AsOf => "dashed line: the as-of day",
            Key::Break => {
                "break in the axis: nothing is recorded between the last fact and the as-of day"
            }
        }
    }

    /// Its name, which HTML gives as the class of its swatch.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Key::Custody => "custody",
            Key::UncertainCustody => "uncertain",
            Key::Restriction => "restriction",
            Key::UncertainRestriction => "uncertain-restriction",
            Key::Ongoing => "ongoing",
            Key::UnknownStart => "unknown-start",
            Key::Milestone => "milestone",
            Key::UncertainMilestone => "uncertain-milestone",
            Key::Approximate => "approximate",
            Key::AsOf => "as-of",
            Key::Break => "break",
        }
    }
}

/// The picture and the marks it uses, in legend order.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    /// The `<svg>` element.
    pub(crate) svg: String,
    /// What the legend must explain, each once.
    pub(crate) legend: Vec<Key>,
}

/// Maps days to x coordinates: the domain's days over `LEFT..right`.
struct Scale {
    start: NaiveDate,
    days: f64,
    right: f64,
}

impl Scale {
    fn x(&self, day: NaiveDate) -> f64 {
        let offset = (day - self.start).num_days() as f64;
        LEFT + offset / self.days * (self.right - LEFT)
    }

    /// The x just after the last day a date may stand for.
    fn x_after(&self, day: NaiveDate) -> f64 {
        self.x(next_day(day))
    }

    /// Where a milestone's leader meets the axis: its day, or the middle of
    /// the days a partial date may stand for.
    fn centre(&self, date: &PartialDate) -> f64 {
        if is_exact(date) {
            self.x(first_day(date))
        } else {
            (self.x(first_day(date)) + self.x_after(date.latest())) / 2.0
        }
    }
}

fn fmt_x(value: f64) -> String {
    format!("{value:.1}")
}

/// The first day the picture draws for a date: for one known only as "on
/// or before" its bound (`..DATE`), the bound's first day; the bar then
/// starts with an arrow pointing back (see [`bar`]).
fn first_day(date: &PartialDate) -> NaiveDate {
    date.bound().earliest()
}

fn is_exact(date: &PartialDate) -> bool {
    arithmetic::uncertainty(date).is_none()
}

/// A milestone's label: "2021-08 Sentenced, 2 years".
fn milestone_text(fact: &FactView<'_>) -> String {
    format!(
        "{} {}",
        fact.occurred.in_words(),
        milestone_label(fact.event)
    )
}

/// The estimated width of a text at [`FONT`].
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH
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
            describe::date(&episode.start),
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

/// A faded band over the days an uncertain date may fall on.
fn band(out: &mut String, scale: &Scale, date: &PartialDate, y: f64, height: f64, colour: &str) {
    let (from, to) = (scale.x(first_day(date)), scale.x_after(date.latest()));
    let _ = write!(
        out,
        r#"<rect x="{}" y="{y}" width="{}" height="{height}" fill="{colour}" fill-opacity="0.28"><title>{} (day not known)</title></rect>"#,
        fmt_x(from),
        fmt_x((to - from).max(1.0)),
        html(&date.to_string())
    );
}

/// One bar of the picture: a custody period or a restriction.
struct Bar<'a> {
    start: &'a PartialDate,
    /// `None` while still going on: the bar runs to the as-of day.
    end: Option<&'a PartialDate>,
    y: f64,
    height: f64,
    colour: &'static str,
    tooltip: String,
    label: String,
}

/// Draws `bar`, with faded ends for uncertain dates and an arrow when open.
fn bar(out: &mut String, scale: &Scale, as_of: NaiveDate, bar: &Bar<'_>) {
    let (y, height, colour) = (bar.y, bar.height, bar.colour);
    let solid_from = if is_exact(bar.start) {
        scale.x(first_day(bar.start))
    } else {
        band(out, scale, bar.start, y, height, colour);
        scale.x_after(bar.start.latest())
    };
    let solid_to = match bar.end {
        Some(end) if is_exact(end) => scale.x_after(end.latest()),
        Some(end) => {
            band(out, scale, end, y, height, colour);
            scale.x(first_day(end))
        }
        None => scale.x_after(as_of),
    };
    let width = (solid_to - solid_from).max(0.0);
    let _ = write!(
        out,
        r#"<rect x="{}" y="{y}" width="{}" height="{height}" fill="{colour}"><title>{}</title></rect>"#,
        fmt_x(solid_from),
        fmt_x(width),
        html(&bar.tooltip)
    );
    if bar.start.is_open_start() {
        // Began on a day nobody recorded, on or before the bar's start.
        let from = scale.x(first_day(bar.start));
        let _ = write!(
            out,
            r#"<polygon points="{},{} {},{} {},{}" fill="{colour}"><title>began on an unknown day {}</title></polygon>"#,
            fmt_x(from),
            y - 3.0,
            fmt_x(from - 9.0),
            y + height / 2.0,
            fmt_x(from),
            y + height + 3.0,
            html(&bar.start.in_words())
        );
    }
    if bar.end.is_none() {
        let _ = write!(
            out,
            r#"<polygon points="{},{} {},{} {},{}" fill="{colour}"/>"#,
            fmt_x(solid_to),
            y - 3.0,
            fmt_x(solid_to + 9.0),
            y + height / 2.0,
            fmt_x(solid_to),
            y + height + 3.0
        );
    }
    if width >= text_width(&bar.label) + 8.0 {
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" fill="#fff" font-size="{FONT}">{}</text>"##,
            fmt_x(solid_from + 4.0),
            y + height / 2.0 + 4.0,
            html(&bar.label)
        );
    }
}

/// Every date the picture places, and the last day it must show: the as-of
/// day when a bar is still going on.
fn span(view: &PersonView<'_>) -> Option<(NaiveDate, NaiveDate)> {
    let as_of = view.report.status.view.as_of;
    let mut dates: Vec<PartialDate> = Vec::new();
    for episode in &view.episodes {
        dates.push(episode.start);
        dates.extend(episode.end);
    }
    dates.extend(view.restrictions.iter().map(|r| r.since));
    dates.extend(view.milestones().map(|fact| fact.occurred));
    let first = dates.iter().map(first_day).min()?;
    let open = view.episodes.iter().any(|e| e.end.is_none()) || !view.restrictions.is_empty();
    let last = dates
        .iter()
        .map(PartialDate::latest)
        .chain(open.then_some(as_of))
        .max()
        .unwrap_or(first);
    Some((first, last))
}

/// The scale of `domain`, its last day moved out as far as needed for every
/// label, which runs rightwards from its milestone, to end inside the picture.
fn scale(domain: &Domain, view: &PersonView<'_>) -> Scale {
    let right = if domain.as_of_beyond {
        WIDTH - RIGHT - BEYOND
    } else {
        WIDTH - RIGHT
    };
    let axis = right - LEFT;
    let room = WIDTH - RIGHT - LEFT - LABEL_OFFSET;
    let mut days = ((domain.end - domain.start).num_days() as f64).max(1.0);
    for fact in view.milestones() {
        let width = text_width(&milestone_text(fact)).min(room / 2.0);
        let date = &fact.occurred;
        let centre = ((first_day(date) - domain.start).num_days() as f64
            + (next_day(date.latest()) - domain.start).num_days() as f64)
            / 2.0;
        let offset = if is_exact(date) {
            (first_day(date) - domain.start).num_days() as f64
        } else {
            centre
        };
        days = days.max(offset * axis / (room - width));
    }
    Scale {
        start: domain.start,
        days,
        right,
    }
}

/// Draws the custody timeline of a person report, or `None` when there is no
/// dated fact to draw.
pub(crate) fn timeline(view: &PersonView<'_>) -> Option<Timeline> {
    let as_of = view.report.status.view.as_of;
    let (first, last) = span(view)?;
    let domain = timeline_layout::axis_domain(first, last, as_of);
    let scale = scale(&domain, view);
    let end = scale.start + chrono::Duration::days(scale.days.ceil() as i64);
    let mut legend: Vec<Key> = Vec::new();
    let mut uses = |key: Key| {
        if !legend.contains(&key) {
            legend.push(key);
        }
    };

    // Milestone labels in lanes, earliest at the top.
    let milestones: Vec<&FactView<'_>> = view.milestones().collect();
    let labels: Vec<Label> = milestones
        .iter()
        .map(|fact| Label {
            x: scale.centre(&fact.occurred),
            width: text_width(&milestone_text(fact)),
        })
        .collect();
    let lanes = timeline_layout::lanes(&labels);
    let n_lanes = lanes.iter().map(|lane| lane + 1).max().unwrap_or(0);
    let lanes_top = 8.0;
    let axis_y = lanes_top + n_lanes as f64 * LANE_HEIGHT + 14.0;
    let mut body = String::new();
    for ((fact, label), lane) in milestones.iter().zip(&labels).zip(&lanes) {
        let text_y = lanes_top + (n_lanes - 1 - lane) as f64 * LANE_HEIGHT + FONT;
        let date = &fact.occurred;
        if is_exact(date) {
            uses(Key::Milestone);
            let _ = write!(
                body,
                r#"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{INK}" stroke-width="2"/>"#,
                fmt_x(label.x),
                axis_y - 7.0,
                axis_y + 7.0
            );
        } else {
            uses(Key::UncertainMilestone);
            let from = scale.x(first_day(date));
            let to = scale.x_after(date.latest());
            let _ = write!(
                body,
                r#"<rect x="{}" y="{}" width="{}" height="14" fill="{INK}" fill-opacity="0.3"><title>{} (day not known)</title></rect>"#,
                fmt_x(from),
                axis_y - 7.0,
                fmt_x((to - from).max(2.0)),
                html(&date.to_string())
            );
        }
        if date.is_approximate() {
            uses(Key::Approximate);
        }
        let _ = write!(
            body,
            r#"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{FAINT}" stroke-width="1"/><text x="{3}" y="{4}" fill="{INK}" font-size="{FONT}">{5}</text>"#,
            fmt_x(label.x),
            text_y - FONT + 2.0,
            axis_y - 7.0,
            fmt_x(label.x + LABEL_OFFSET),
            text_y,
            html(&milestone_text(fact))
        );
    }

    // The axis: broken before a far as-of day.
    let _ = write!(
        body,
        r#"<line x1="{LEFT}" y1="{axis_y}" x2="{}" y2="{axis_y}" stroke="{INK}" stroke-width="1"/>"#,
        fmt_x(scale.right)
    );
    for tick in timeline_layout::ticks(scale.start, end, scale.right - LEFT) {
        let x = fmt_x(scale.x(tick.day));
        let (colour, reach) = if tick.major { (INK, 5.0) } else { (FAINT, 3.0) };
        let _ = write!(
            body,
            r#"<line x1="{x}" y1="{axis_y}" x2="{x}" y2="{}" stroke="{colour}"/>"#,
            axis_y + reach
        );
        if let Some(label) = tick.label {
            let weight = if tick.major {
                r#" font-weight="600""#
            } else {
                ""
            };
            let _ = write!(
                body,
                r#"<text x="{x}" y="{}" fill="{colour}" font-size="{FONT}" text-anchor="middle"{weight}>{label}</text>"#,
                axis_y + 19.0,
            );
        }
    }
    let as_of_x = if domain.as_of_beyond {
        uses(Key::Break);
        let gap = scale.right + 14.0;
        for dx in [0.0, 7.0] {
            let _ = write!(
                body,
                r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{INK}" stroke-width="1.5"/>"#,
                fmt_x(gap + dx - 4.0),
                axis_y + 6.0,
                fmt_x(gap + dx + 4.0),
                axis_y - 6.0
            );
        }
        let _ = write!(
            body,
            r#"<line x1="{}" y1="{axis_y}" x2="{}" y2="{axis_y}" stroke="{INK}" stroke-width="1"/>"#,
            fmt_x(gap + 12.0),
            fmt_x(WIDTH - RIGHT)
        );
        WIDTH - RIGHT - 14.0
    } else {
        scale.x_after(as_of)
    };

    // Bars below the axis.
    let custody_y = axis_y + 32.0;
    let mut row_y = custody_y + 36.0;
    let _ = write!(
        body,
        r#"<text x="6" y="{}" fill="{INK}" font-size="{FONT}" font-weight="600">Custody</text>"#,
        custody_y + 15.0
    );
    for episode in &view.episodes {
        uses(Key::Custody);
        if !is_exact(&episode.start) || episode.end.as_ref().is_some_and(|e| !is_exact(e)) {
            uses(Key::UncertainCustody);
        }
        if episode.end.is_none() {
            uses(Key::Ongoing);
        }
        if episode.start.is_open_start() {
            uses(Key::UnknownStart);
        }
        let days = arithmetic::days(episode.days);
        let until = episode
            .end
            .map_or_else(|| format!("ongoing on {as_of}"), |end| end.to_string());
        bar(
            &mut body,
            &scale,
            as_of,
            &Bar {
                start: &episode.start,
                end: episode.end.as_ref(),
                y: custody_y,
                height: 22.0,
                colour: CUSTODY,
                tooltip: format!(
                    "In custody ({}) {} to {until}: {days}",
                    describe::detention_kind(episode.kind),
                    episode.start
                ),
                label: format!("In custody: {days}"),
            },
        );
    }
    if view.episodes.is_empty() {
        let _ = write!(
            body,
            r#"<text x="{LEFT}" y="{}" fill="{FAINT}" font-size="{FONT}">no custody recorded</text>"#,
            custody_y + 15.0
        );
    }
    if !view.restrictions.is_empty() {
        let _ = write!(
            body,
            r#"<text x="6" y="{}" fill="{INK}" font-size="{FONT}" font-weight="600">Restricted</text>"#,
            row_y + 13.0
        );
        for restriction in &view.restrictions {
            uses(Key::Restriction);
            uses(Key::Ongoing);
            if !is_exact(&restriction.since) {
                uses(Key::UncertainRestriction);
            }
            if restriction.since.is_approximate() {
                uses(Key::Approximate);
            }
            let kind = describe::restriction_kind(restriction.kind);
            bar(
                &mut body,
                &scale,
                as_of,
                &Bar {
                    start: &restriction.since,
                    end: None,
                    y: row_y,
                    height: 18.0,
                    colour: RESTRICTION,
                    tooltip: format!("{kind} since {}", restriction.since),
                    label: kind.to_owned(),
                },
            );
        }
        row_y += 36.0;
    }

    // The as-of day: a dashed line from the axis past the bars, labelled
    // below them.
    uses(Key::AsOf);
    let as_of_label = format!("as of {as_of}");
    let anchor = if as_of_x - text_width(&as_of_label) < 4.0 {
        "start"
    } else {
        "end"
    };
    let _ = write!(
        body,
        r#"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{INK}" stroke-dasharray="3 3"/><text x="{0}" y="{3}" fill="{INK}" font-size="{FONT}" text-anchor="{anchor}">{4}</text>"#,
        fmt_x(as_of_x),
        axis_y - 10.0,
        row_y - 6.0,
        row_y + 8.0,
        as_of_label
    );
    let height = row_y + 14.0;

    let title = format!("Custody timeline of {}", view.name);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" role="img" aria-labelledby="timeline-title timeline-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"><title id="timeline-title">{}</title><desc id="timeline-desc">{}</desc>{body}</svg>"#,
        html(&title),
        html(&description(view)),
    );
    let order = [
        Key::Custody,
        Key::UncertainCustody,
        Key::Restriction,
        Key::UncertainRestriction,
        Key::Ongoing,
        Key::UnknownStart,
        Key::Milestone,
        Key::UncertainMilestone,
        Key::Approximate,
        Key::AsOf,
        Key::Break,
    ];
    let legend = order
        .into_iter()
        .filter(|key| legend.contains(key))
        .collect();
    Some(Timeline { svg, legend })
}
