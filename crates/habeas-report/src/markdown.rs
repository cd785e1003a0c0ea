//! Markdown renderings of person reports and rosters.
//!
//! Every user-supplied string goes through [`escape::markdown`], so a name like
//! `<script>` or `**bold** | pipe` stays text, including inside table cells.
//! The custody timeline appears as a text list: Markdown has no pictures of its
//! own and the file must not depend on one. Which sections a report has, and
//! what each says, is decided once for Markdown and HTML (`person_sections`,
//! `roster_sections`); this module only spells them.

use std::fmt::Write as _;

use habeas_domain::status::Headline;

use crate::describe;
use crate::escape::{self, markdown as md};
use crate::model::{PersonReport, ReportMeta, Roster};
use crate::notice;
use crate::person_sections;
use crate::person_view::{PersonView, milestone_label};
use crate::report_writer::{Figure, Item, List, Mark, ReportWriter, Style, Table};
use crate::roster_sections;

/// Renders a person report as Markdown.
pub fn person_markdown(report: &PersonReport) -> String {
    person_sections::person(MarkdownWriter::default(), report)
}

/// Renders a roster as Markdown.
pub fn roster_markdown(roster: &Roster) -> String {
    roster_sections::roster(MarkdownWriter::default(), roster)
}

/// Writes a Markdown document: a block ends with a blank line, so the next
/// starts cleanly.
#[derive(Debug, Default)]
struct MarkdownWriter {
    out: String,
}

impl ReportWriter for MarkdownWriter {
    fn text(&self, text: &str) -> String {
        md(text)
    }

    fn plain(&self, text: &str) -> String {
        text.to_owned()
    }

    fn style(&self, style: Style, inline: &str) -> String {
        let delimiter = match style {
            Style::Strong => "**",
            Style::Code => "`",
            Style::WorkTitle => "*",
        };
        format!("{delimiter}{inline}{delimiter}")
    }

    fn mark(&self, mark: Mark, inline: &str) -> String {
        match mark {
            Mark::Flag | Mark::Namesake => self.strong(inline),
            Mark::Confidence | Mark::Note => inline.to_owned(),
            Mark::Aside => format!("({inline})"),
        }
    }

    fn link(&self, url: &str, _kind: Option<&'static str>) -> String {
        format!("<{}>", escape::markdown_url(url))
    }

    fn file_link(&self, href: &str, inline: &str) -> String {
        format!("[{inline}]({href})")
    }

    fn anchor_link(&self, _anchor: &str, inline: &str) -> String {
        inline.to_owned()
    }

    fn citations(&self, numbers: &[usize], sourced: bool) -> String {
        let cited: Vec<String> = numbers.iter().map(|n| format!("[{n}]")).collect();
        let cited = cited.join(" ");
        if numbers.is_empty() || !sourced {
            let flag = self.mark(Mark::Flag, "⚠ NO CHECKABLE SOURCE");
            return format!("{cited} {flag}").trim_start().to_owned();
        }
        cited
    }

    fn datum(&self, inline: &str) -> String {
        inline.to_owned()
    }

    fn figure(&self, figure: &Figure) -> String {
        let label = match &figure.qualifier {
            Some(qualifier) => format!("{} ({qualifier}):", self.strong(figure.label)),
            None => self.strong(&format!("{}:", figure.label)),
        };
        let number = figure.number.as_deref().unwrap_or_default();
        format!("{label} {}{number}.", figure.lead)
    }

    fn open(&mut self, _title: &str, meta: &ReportMeta) {
        for (idx, banner) in notice::banners(meta).into_iter().enumerate() {
            if idx > 0 {
                self.out.push_str(">\n");
            }
            let (head, rest) = banner.split_once(':').unwrap_or((banner, ""));
            let _ = writeln!(self.out, "> **{head}:**{rest}");
        }
        self.out.push('\n');
    }

    fn title(&mut self, inline: &str) {
        let _ = writeln!(self.out, "# {inline}\n");
    }

    fn stated_view(&mut self, headline: Option<Headline>, as_of: &str) {
        match headline {
            Some(headline) => {
                let _ = writeln!(self.out, "**Status: {headline}**, as of {as_of}\n");
            }
            None => self.paragraph(None, &format!("As of {as_of}")),
        }
    }

    fn section(&mut self, heading: &str, _kind: Option<&'static str>) {
        let _ = writeln!(self.out, "## {heading}\n");
    }

    fn end_section(&mut self) {}

    fn fields(&mut self, fields: &[(&str, String)]) {
        for (label, value) in fields {
            let _ = writeln!(self.out, "- **{label}:** {value}");
        }
        self.out.push('\n');
    }

    fn paragraph(&mut self, _kind: Option<&'static str>, inline: &str) {
        let _ = writeln!(self.out, "{inline}\n");
    }

    fn list(&mut self, list: &List) {
        for (idx, item) in list.items.iter().enumerate() {
            if list.numbered {
                let _ = write!(self.out, "{}. ", idx + 1);
            } else {
                self.out.push_str("- ");
            }
            let _ = writeln!(self.out, "{}", item.body);
            for detail in &item.details {
                let line = match detail.mark {
                    Some(mark) => self.mark(mark, &detail.inline),
                    None => detail.inline.clone(),
                };
                let _ = writeln!(self.out, "   - {line}");
            }
        }
        self.out.push('\n');
    }

    fn table(&mut self, table: &Table) {
        let titles: Vec<&str> = table.columns.iter().map(|column| column.title).collect();
        let _ = writeln!(self.out, "| {} |", titles.join(" | "));
        let _ = writeln!(self.out, "|{}", "---|".repeat(titles.len()));
        for row in &table.rows {
            let _ = writeln!(self.out, "| {} |", row.cells.join(" | "));
        }
        self.out.push('\n');
    }

    fn timeline(&mut self, view: &PersonView<'_>) {
        let as_of = view.report.status.view.as_of;
        if view.episodes.is_empty() {
            self.paragraph(None, "No custody period recorded.");
        } else {
            let periods: Vec<Item> = view
                .episodes
                .iter()
                .map(|episode| {
                    let end = episode
                        .end
                        .map_or_else(|| format!("ongoing on {as_of}"), |end| end.to_string());
                    let facility = episode
                        .facility
                        .as_deref()
                        .map_or_else(String::new, |f| format!(", {}", self.text(f)));
                    Item::plain(format!(
                        "{} to {end}: {}{facility}; {}",
                        describe::date(&episode.start),
                        describe::detention_kind(episode.kind),
                        crate::arithmetic::days(episode.days)
                    ))
                })
                .collect();
            self.paragraph(None, "Custody periods:");
            self.list(&List::numbered(None, periods));
        }
        let milestones: Vec<Item> = view
            .milestones()
            .map(|fact| {
                Item::plain(format!(
                    "{}: {}",
                    fact.occurred,
                    self.text(&milestone_label(fact.event))
                ))
            })
            .collect();
        if !milestones.is_empty() {
            self.paragraph(None, "Milestones:");
            self.list(&List::bulleted(milestones));
        }
        self.paragraph(
            None,
            "Dates written YYYY-MM or YYYY are known only to the month or year; a trailing ~ marks an approximate date.",
        );
    }

    fn finish(mut self, meta: &ReportMeta) -> String {
        let _ = writeln!(self.out, "---\n\n{}", md(&notice::footer(meta)));
        self.out
    }
}
