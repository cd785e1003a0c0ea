//! The sections of a roster, walked once for every document format: the
//! figures a campaign quotes, the count of people per status, and one row per
//! person. A [`ReportWriter`] decides only how they are spelled.

use crate::model::Roster;
use crate::notice;
use crate::report_writer::{Column, Figure, Item, List, ReportWriter, Row, Table};
use crate::roster_figures::{RosterFigures, roster_figures, roster_order};

/// The roster's title, on the page and in its head.
const TITLE: &str = "Roster of documented people";

/// Writes `roster` with `writer` and returns the document.
pub(crate) fn roster<W: ReportWriter>(mut writer: W, roster: &Roster) -> String {
    let figures = roster_figures(&roster.rows);
    writer.open(TITLE, &roster.meta);
    writer.title(TITLE);
    writer.view_line(None, &roster.view);
    figures_section(&mut writer, &figures);

    writer.section("By status", None);
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
    writer.section("Figures", Some("figures"));
    writer.list(&List::bulleted(
        items.into_iter().map(Item::plain).collect(),
    ));
    if figures
        .median_days_in_custody_now
        .is_some_and(|median| median.of_minimums != median.of_maximums)
    {
        let why = writer.plain(notice::MEDIAN_RANGE);
        writer.paragraph(Some("legend"), &why);
    }
    writer.end_section();
}

fn people<W: ReportWriter>(writer: &mut W, roster: &Roster) {
    let rows = roster_order(&roster.rows)
        .into_iter()
        .map(|row| {
            let aliases: Vec<String> = row.aliases.iter().map(|a| writer.text(a)).collect();
            Row {
                anchor: None,
                cells: vec![
                    writer.text(&row.name),
                    if aliases.is_empty() {
                        "—".to_owned()
                    } else {
                        aliases.join("; ")
                    },
                    writer.text_or_dash(row.country.as_deref()),
                    row.headline.to_string(),
                    row.custody_since
                        .map_or_else(|| "—".to_owned(), |d| d.to_string()),
                    writer.text_or_dash(row.facility.as_deref()),
                    row.days_in_custody_now
                        .map_or_else(|| "—".to_owned(), |d| d.to_string()),
                    row.days_in_custody_total.to_string(),
                ],
            }
        })
        .collect();
    let columns = vec![
        Column::text("Name"),
        Column::text("Also known as"),
        Column::text("Country"),
        Column::text("Status"),
        Column::text("In custody since"),
        Column::text("Facility"),
        Column::number("Days in custody now"),
        Column::number("Days in custody in total"),
    ];
    writer.section("People", None);
    writer.table(&Table { columns, rows });
    writer.end_section();
}
