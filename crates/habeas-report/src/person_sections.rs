//! The sections of a person report, walked once for every document format:
//! identity, status, sentence arithmetic, timeline, charges, restrictions,
//! facts, statements, sources and the audit appendix, each with its empty
//! state and its citations. A [`ReportWriter`] decides only how they are
//! spelled.

use habeas_domain::facts::{Confidence, Source};

use crate::audit::amendment_text;
use crate::describe;
use crate::escape;
use crate::last_information;
use crate::model::PersonReport;
use crate::notice;
use crate::person_view::{FactView, PersonView, StatementView};
use crate::report_writer::{Column, Detail, Item, List, Mark, ReportWriter, Row, Style, Table};

/// Writes `report` with `writer` and returns the document.
pub(crate) fn person<W: ReportWriter>(mut writer: W, report: &PersonReport) -> String {
    let view = PersonView::new(report);
    let status = &report.status;
    writer.open(&format!("{}: case report", view.name), &report.meta);
    let name = writer.text(&view.name);
    writer.title(&name);
    writer.view_line(Some(status.headline), &status.view);
    last_information(&mut writer, &view);
    possibly(&mut writer, status);
    identity(&mut writer, &view);
    status_now(&mut writer, &view);

    writer.section("Sentence and time in custody", None);
    let lines: Vec<(&str, String)> = view
        .arithmetic
        .iter()
        .map(|(label, value)| (*label, writer.plain(value)))
        .collect();
    writer.fields(&lines);
    writer.end_section();

    writer.section("Custody timeline", None);
    writer.timeline(&view);
    writer.end_section();

    charges(&mut writer, &view);
    restrictions(&mut writer, &view);
    facts(&mut writer, &view);
    statements(&mut writer, &view);
    sources(&mut writer, &view);
    audit(&mut writer, &view);
    writer.finish(&report.meta)
}

/// "Last information received", under the as-of line, with a warning when
/// it is much older than the as-of day.
fn last_information<W: ReportWriter>(writer: &mut W, view: &PersonView<'_>) {
    let last = view.last_information.as_ref();
    let mut inline = writer.plain(&last_information::sentence(last));
    if let Some(warning) = last_information::staleness(last, view.report.status.view.as_of) {
        inline.push(' ');
        inline.push_str(&writer.mark(Mark::Flag, &writer.plain(&format!("⚠ {warning}"))));
    }
    writer.paragraph(Some("view"), &inline);
}

/// What may have changed by the as-of day without the sources saying so for
/// certain: facts dated only to a month or a year that contains that day.
fn possibly<W: ReportWriter>(writer: &mut W, status: &habeas_domain::status::Status) {
    let Some(possibly) = &status.possibly else {
        return;
    };
    let facts: Vec<String> = possibly
        .facts
        .iter()
        .map(|fact| {
            format!(
                "the {} ({})",
                habeas_domain::event::noun_of(&fact.event_type),
                fact.occurred
            )
        })
        .collect();
    let text = format!(
        "Possibly {} by then: the sources date {} only to a month or a year that contains {}; the status above counts only what certainly happened by that day.",
        possibly.headline,
        facts.join(", "),
        status.view.as_of
    );
    let text = writer.plain(&text);
    writer.paragraph(Some("view"), &text);
}

fn identity<W: ReportWriter>(writer: &mut W, view: &PersonView<'_>) {
    let mut fields = vec![("Name", writer.text(&view.name))];
    if let Some(identity) = &view.report.status.identity {
        if !identity.aliases.is_empty() {
            let aliases: Vec<String> = identity.aliases.iter().map(|a| writer.text(a)).collect();
            fields.push(("Also known as", aliases.join("; ")));
        }
        if let Some(country) = &identity.country {
            fields.push(("Country", writer.text(country)));
        }
        if let Some(affiliation) = &identity.affiliation {
            fields.push(("Affiliation", writer.text(affiliation)));
        }
        if let Some(born) = &identity.born {
            fields.push(("Born", born.to_string()));
        }
        let details = &identity.details;
        if let Some(born_in) = &details.born_in {
            fields.push(("Place of birth", writer.text(born_in)));
        }
        if let Some(sex) = &details.sex {
            fields.push(("Sex or gender", writer.text(sex)));
        }
        if let Some(group) = &details.group {
            fields.push(("Ethnicity or group", writer.text(group)));
        }
        // A residence can lead to the person's family: internal reports only.
        if let Some(residence) = details
            .residence
            .as_ref()
            .filter(|_| !view.report.meta.public)
        {
            fields.push(("Residence", writer.text(residence)));
        }
    }
    fields.push((
        "Person id",
        writer.style(Style::Code, &view.report.person_id.to_string()),
    ));
    fields.push((
        "Sources",
        writer.citations(
            &view.identity_citations,
            !view.identity_citations.is_empty(),
        ),
    ));
    writer.section("Identity", None);
    writer.fields(&fields);
    writer.end_section();
}

fn status_now<W: ReportWriter>(writer: &mut W, view: &PersonView<'_>) {
    let status = &view.report.status;
    let restrictions = if view.restrictions.is_empty() {
        "none recorded".to_owned()
    } else {
        view.restrictions
            .iter()
            .map(|r| describe::restriction_kind(r.kind))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut fields = vec![
        ("Custody", writer.text(&describe::custody(&status.custody))),
        ("Proceedings", writer.text(&describe::legal(&status.legal))),
        ("Restrictions in force", restrictions),
    ];
    if let Some(exile) = &status.exile {
        fields.push(("In exile since", exile.to_string()));
    }
    for (by, on) in &status.recognised_by {
        fields.push((
            "Recognised as a political prisoner by",
            format!("{} ({on})", writer.text(by)),
        ));
    }
    writer.section(&format!("Status on {}", status.view.as_of), None);
    writer.fields(&fields);
    writer.end_section();
}

fn charges<W: ReportWriter>(writer: &mut W, view: &PersonView<'_>) {
    let rows: Vec<Row> = view
        .charges
        .iter()
        .map(|charge| Row {
            anchor: None,
            cells: vec![
                writer.text(&charge.offence),
                writer.text_or_dash(charge.article.as_deref()),
                writer.text_or_dash(charge.court.as_deref()),
                writer.text_or_dash(charge.case_number.as_deref()),
                charge.charged_on.to_string(),
                writer.citations(&charge.citations, true),
            ],
        })
        .collect();
    let columns = [
        "Offence",
        "Legal article",
        "Court",
        "Case number",
        "Charged",
        "Sources",
    ];
    writer.section("Charges", None);
    if rows.is_empty() {
        writer.paragraph(None, "No charge recorded.");
    } else {
        writer.table(&Table {
            columns: columns.into_iter().map(Column::text).collect(),
            rows,
        });
    }
    writer.end_section();
}

/// Writes `list`, or the paragraph `empty` in its place when it has no item.
fn list_or<W: ReportWriter>(writer: &mut W, list: &List, empty: &str) {
    if list.items.is_empty() {
        writer.paragraph(None, empty);
    } else {
        writer.list(list);
    }
}

fn restrictions<W: ReportWriter>(writer: &mut W, view: &PersonView<'_>) {
    let items = view
        .restrictions
        .iter()
        .map(|restriction| {
            let mut body = format!(
                "{} since {}",
                writer.strong(describe::restriction_kind(restriction.kind)),
                restriction.since
            );
            if let Some(until) = &restriction.until {
                body.push_str(&format!(", until {until}"));
            }
            if let Some(description) = &restriction.description {
                body.push_str(&format!(": {}", writer.text(description)));
            }
            Item::plain(body)
        })
        .collect();
    let list = List::bulleted(items);
    writer.section("Restrictions in force", None);
    list_or(writer, &list, "None recorded.");
    writer.end_section();
}

fn facts<W: ReportWriter>(writer: &mut W, view: &PersonView<'_>) {
    let items = view.facts.iter().map(|fact| fact_item(writer, fact));
    let list = List::numbered(Some("facts"), items.collect());
    writer.section("Facts", None);
    writer.paragraph(
        None,
        "Every fact recorded, in the order it happened, with its sources.",
    );
    list_or(writer, &list, "No fact recorded.");
    writer.end_section();
}

fn fact_item<W: ReportWriter>(writer: &W, fact: &FactView<'_>) -> Item {
    let headline = format!("{}: {}", fact.occurred, writer.text(&fact.described.title));
    let body = format!(
        "{} {}",
        writer.strong(&headline),
        writer.citations(&fact.citations, fact.is_sourced())
    );
    let mut details = Vec::new();
    if fact.restricted {
        details.push(Detail::plain(
            writer.mark(Mark::Flag, notice::RESTRICTED_FACT),
        ));
    }
    for (label, value) in &fact.described.details {
        details.push(Detail::plain(format!(
            "{}: {}",
            writer.plain(label),
            writer.text(value)
        )));
    }
    if fact.facts.confidence != Confidence::Confirmed {
        let confidence = describe::confidence(fact.facts.confidence);
        details.push(Detail::plain(
            writer.mark(Mark::Confidence, &format!("Confidence: {confidence}")),
        ));
    }
    if let Some(note) = fact.note {
        let note = format!("Note (internal): {}", writer.text(note));
        details.push(Detail::plain(writer.mark(Mark::Note, &note)));
    }
    if !fact.corrected_at.is_empty() {
        let positions: Vec<String> = fact
            .corrected_at
            .iter()
            .map(|p| writer.anchor_link(&format!("audit-{p}"), &format!("#{p}")))
            .collect();
        details.push(Detail::plain(format!(
            "Corrected after it was first recorded: see audit {}",
            positions.join(", ")
        )));
    }
    Item {
        anchor: Some(format!("event-{}", fact.id)),
        body,
        details,
    }
}

fn statements<W: ReportWriter>(writer: &mut W, view: &PersonView<'_>) {
    let items = view
        .statements
        .iter()
        .map(|entry| statement_item(writer, entry));
    let list = List::numbered(Some("statements"), items.collect());
    let about = format!("Statements about {}", writer.text(&view.name));
    writer.section(&about, None);
    list_or(writer, &list, "No statement recorded.");
    writer.end_section();
}

fn statement_item<W: ReportWriter>(writer: &W, entry: &StatementView<'_>) -> Item {
    let statement = entry.statement;
    let by = match &statement.by_role {
        Some(role) => format!("{} ({})", writer.text(&statement.by), writer.text(role)),
        None => writer.text(&statement.by),
    };
    let sourced = crate::sources::is_sourced(&statement.facts.sources);
    let body = format!(
        "{}, {} {}",
        writer.strong(&format!("{}: {by}", statement.facts.occurred)),
        describe::statement_kind(statement.kind),
        writer.citations(&entry.citations, sourced)
    );
    let mut details = Vec::new();
    if entry.restricted {
        details.push(Detail::marked(
            Mark::Flag,
            notice::RESTRICTED_FACT.to_owned(),
        ));
    }
    details.push(Detail::plain(format!(
        "Summary: {}",
        writer.text(&statement.summary)
    )));
    if let Some(link) = &entry.link {
        details.push(Detail::plain(format!("Link: {}", writer.link(link, None))));
    }
    if statement.facts.confidence != Confidence::Confirmed {
        let confidence = describe::confidence(statement.facts.confidence);
        details.push(Detail::marked(
            Mark::Confidence,
            format!("Confidence: {confidence}"),
        ));
    }
    if let Some(note) = entry.note {
        let note = format!("Note (internal): {}", writer.text(note));
        details.push(Detail::marked(Mark::Note, note));
    }
    Item {
        anchor: None,
        body,
        details,
    }
}

fn sources<W: ReportWriter>(writer: &mut W, view: &PersonView<'_>) {
    writer.section("Sources", None);
    if view.sources.is_empty() {
        writer.paragraph(Some(Mark::Flag.name()), "No source recorded.");
    } else {
        let items = view
            .sources
            .iter()
            .enumerate()
            .map(|(idx, source)| Item {
                anchor: Some(format!("source-{}", idx + 1)),
                body: source_line(writer, source),
                details: Vec::new(),
            })
            .collect();
        writer.list(&List::numbered(Some("sources"), items));
    }
    writer.end_section();
}

/// A source as cited: title, publisher and date, document, address, and a
/// flag when a reader could not trace it.
fn source_line<W: ReportWriter>(writer: &W, source: &Source) -> String {
    let mut parts = Vec::new();
    if let Some(title) = &source.title {
        parts.push(writer.style(Style::WorkTitle, &writer.text(title)));
    }
    let mut published = Vec::new();
    if let Some(publisher) = &source.publisher {
        published.push(writer.text(publisher));
    }
    if let Some(date) = &source.date {
        published.push(date.to_string());
    }
    if !published.is_empty() {
        parts.push(published.join(", "));
    }
    if let Some(document) = source.document.as_deref().filter(|d| !d.trim().is_empty()) {
        parts.push(format!("Document: {}", writer.text(document)));
    }
    if let Some(url) = source.url.as_deref().filter(|u| !u.trim().is_empty()) {
        match escape::linkable_url(url) {
            Some(url) => parts.push(writer.link(&url, Some("url"))),
            None => parts.push(format!("Address (not linked): {}", writer.text(url))),
        }
    }
    if !source.is_citable() {
        parts.push(writer.mark(Mark::Flag, "⚠ no URL or document reference"));
    }
    parts.join(". ")
}

fn audit<W: ReportWriter>(writer: &mut W, view: &PersonView<'_>) {
    writer.section("Audit appendix", None);
    writer.paragraph(
        None,
        "Every event recorded about this person, in the order it was recorded. Nothing is deleted: corrections and retractions are events of their own.",
    );
    let mut columns = vec![
        Column::number("#"),
        Column::text("Event"),
        Column::date("Occurred"),
        Column::date("Recorded (UTC)"),
    ];
    if !view.public {
        columns.push(Column::text("Recorded by"));
    }
    columns.push(Column::text("Status after"));
    columns.push(Column::text("Correction or retraction"));
    let rows = view
        .audit
        .iter()
        .map(|row| {
            let mut cells = vec![
                row.position.to_string(),
                writer.text(&row.title),
                row.occurred
                    .map_or_else(|| "—".to_owned(), |d| d.to_string()),
                row.recorded_at.format("%Y-%m-%d %H:%M").to_string(),
            ];
            if let Some(by) = &row.recorded_by {
                cells.push(writer.text(by));
            }
            cells.push(row.headline_after.to_string());
            cells.push(
                row.amendment
                    .as_ref()
                    .map_or_else(|| "—".to_owned(), |a| writer.text(&amendment_text(a))),
            );
            Row {
                anchor: Some(format!("audit-{}", row.position)),
                cells,
            }
        })
        .collect();
    writer.table(&Table { columns, rows });
    writer.end_section();
}
