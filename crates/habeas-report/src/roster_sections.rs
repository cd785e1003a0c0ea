//! The sections of a roster, walked once for every document format: the
//! figures a campaign quotes, the count of people per status, and one row per
//! person. A [`ReportWriter`] decides only how they are spelled.

use crate::model::{Roster, RosterRow};
use crate::notice;
use crate::report_writer::{Column, Figure, Item, List, Mark, ReportWriter, Row, Style, Table};
use crate::roster_figures::{RosterFigures, roster_figures};
use crate::roster_view;

/// The roster's title, on the page and in its head.
const TITLE: &str = "Roster of documented people";

/// Writes `roster` with `writer` and returns the document.
pub(crate) fn roster<W: ReportWriter>(mut writer: W, roster: &Roster) -> String {
    let figures = roster_figures(&roster.rows);
    writer.open(TITLE, &roster.meta);
    writer.title(TITLE);
    writer.view_line(None, &roster.view);
    figures_section(&mut writer, &figures);

    writer.section("By status", Some("counts"));
    let rows = figures
        .counts
        .iter()
        .map(|count| Row {
            anchor: None,
            cells: vec![count.headline.to_string(), count.count.to_string()],
        })
        .collect();
    writer.table(&Table {
        columns: vec![Column::text("Status"), Column::number("People")],
        rows,
    });
    let uncertain = roster
        .rows
        .iter()
        .filter(|row| {
            row.possibly
                .is_some_and(|possibly| possibly != row.headline)
        })
        .count();
    if uncertain > 0 {
        let note = format!(
            "Each person is counted under what certainly held on the as-of day. For {uncertain} {} a fact is dated only to a month or a year that contains that day, so they possibly had another status by then (marked in the table below).",
            if uncertain == 1 { "person" } else { "people" }
        );
        let note = writer.plain(&note);
        writer.paragraph(Some("legend"), &note);
    }
    writer.end_section();

    people(&mut writer, roster);
    writer.finish(&roster.meta)
}

fn figures_section<W: ReportWriter>(writer: &mut W, figures: &RosterFigures) {
    let detained = format!(
        "{} {} currently detained",
        figures.currently_detained,
        if figures.currently_detained == 1 {
            "person"
        } else {
            "people"
        }
    );
    let mut items = vec![format!(
        "{} (of {} documented).",
        writer.strong(&detained),
        figures.people
    )];
    let median = match &figures.median_days_in_custody_now {
        Some(median) => Figure {
            label: "Median time in custody now",
            qualifier: Some(format!("of the {} held", figures.currently_detained)),
            lead: String::new(),
            number: Some(median.to_string()),
        },
        None => Figure {
            label: "Median time in custody now",
            qualifier: None,
            lead: "nobody is held, so there is none".to_owned(),
            number: None,
        },
    };
    items.push(writer.figure(&median));
    if let Some(longest) = &figures.longest_in_custody_now {
        items.push(writer.figure(&Figure {
            label: "Longest time in custody now",
            qualifier: None,
            lead: format!("{}, ", writer.text(&longest.name)),
            number: Some(crate::arithmetic::days(longest.days)),
        }));
    }
    if figures.release_overdue > 0 {
        items.push(writer.figure(&Figure {
            label: "Release overdue",
            qualifier: None,
            lead: format!(
                "{} still recorded as held after the latest day their sentence could end, no release recorded: their fate must be checked (marked in the table below)",
                if figures.release_overdue == 1 {
                    "1 person".to_owned()
                } else {
                    format!("{} people", figures.release_overdue)
                }
            ),
            number: None,
        }));
    }
    writer.section("Figures", Some("figures"));
    writer.list(&List::bulleted(
        items.into_iter().map(Item::plain).collect(),
    ));
    if figures
        .median_days_in_custody_now
        .is_some_and(|median| median.of_maximums != Some(median.of_minimums))
    {
        let why = writer.plain(notice::MEDIAN_RANGE);
        writer.paragraph(Some("legend"), &why);
    }
    writer.end_section();
}

fn people<W: ReportWriter>(writer: &mut W, roster: &Roster) {
    let rows = roster_view::rows(roster)
        .into_iter()
        .map(|view| {
            let row = view.row;
            let name = writer.text(&row.name);
            let mut person = match &view.report {
                Some(href) => writer.file_link(href, &name),
                None => name,
            };
            if !row.aliases.is_empty() {
                let aliases: Vec<String> = row.aliases.iter().map(|a| writer.text(a)).collect();
                let aka = format!("also known as {}", aliases.join("; "));
                person.push(' ');
                person.push_str(&writer.mark(Mark::Aside, &aka));
            }
            if let Some(country) = &row.country {
                person.push(' ');
                person.push_str(&writer.mark(Mark::Aside, &writer.text(country)));
            }
            if let Some(namesake) = &view.namesake {
                person.push(' ');
                person.push_str(&writer.mark(Mark::Namesake, &writer.text(namesake)));
            }
            Row {
                anchor: None,
                cells: vec![
                    person,
                    status_cell(writer, row),
                    row.custody_since
                        .map_or_else(|| "—".to_owned(), |d| d.in_words()),
                    writer.text_or_dash(row.facility.as_deref()),
                    writer.text_or_dash(view.charges.as_deref()),
                    writer.text_or_dash(view.sentence.as_deref()),
                    days_in_custody(row),
                    row.last_fact
                        .map_or_else(|| "—".to_owned(), |d| d.to_string()),
                ],
            }
        })
        .collect();
    let columns = vec![
        Column::text("Person"),
        Column::text("Status"),
        Column::date("Held since"),
        Column::text("Facility"),
        Column::text("Charges"),
        Column::text("Sentence"),
        Column::text("Days in custody"),
        Column::date("Newest fact"),
    ];
    writer.section("People", Some("people"));
    writer.table(&Table { columns, rows });
    let (before, command, after) = notice::ROSTER_LINKS;
    let how = format!(
        "{}{}{}",
        writer.plain(before),
        writer.style(Style::Code, &writer.plain(command)),
        writer.plain(after)
    );
    writer.paragraph(Some("legend"), &how);
    writer.end_section();
}

/// A row's status: the headline, and what it possibly is by then when a
/// fact dated only to a month or a year contains the as-of day.
fn status_cell<W: ReportWriter>(writer: &W, row: &RosterRow) -> String {
    let mut cell = match row.possibly {
        Some(possibly) if possibly != row.headline => format!(
            "{} {}",
            row.headline,
            writer.mark(Mark::Aside, &format!("possibly {possibly} by then"))
        ),
        _ => row.headline.to_string(),
    };
    if row.release_overdue {
        cell.push(' ');
        cell.push_str(&writer.strong("release overdue: no release recorded"));
    }
    cell
}

/// The days in custody of a row in one cell: now, and in total when that
/// differs (an earlier custody period, or nobody holds them now);
/// "unknown" for someone with no custody recorded (never "0 days").
fn days_in_custody(row: &RosterRow) -> String {
    match (row.days_in_custody_now, row.days_in_custody_total) {
        (Some(now), Some(total)) if now == total => format!("{now} now"),
        (Some(now), Some(total)) => format!("{now} now; {total} in total"),
        (Some(now), None) => format!("{now} now"),
        (None, Some(total)) => format!("not held now; {total} in total"),
        (None, None) => "unknown".to_owned(),
    }
}
