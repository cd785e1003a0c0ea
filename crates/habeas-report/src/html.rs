//! Self-contained HTML renderings of person reports and rosters.
//!
//! One file each: inline CSS, no script, nothing fetched (links to sources are
//! plain `<a href>`), a viewport meta tag and a max-width layout for phones, a
//! print stylesheet, `lang="en"` and UTF-8. Every user-supplied string goes
//! through [`crate::escape::html`]; source URLs are linked only when
//! [`crate::escape::linkable_url`] allows them. Which sections a report has,
//! and what each says, is decided once for Markdown and HTML
//! (`person_sections`, `roster_sections`); this module only spells them.

use std::fmt::Write as _;

use habeas_domain::status::Headline;

use crate::escape::html as h;
use crate::model::{PersonReport, ReportMeta, Roster};
use crate::notice;
use crate::person_sections;
use crate::person_view::PersonView;
use crate::report_writer::{Cells, Figure, List, Mark, ReportWriter, Style, Table};
use crate::roster_sections;
use crate::svg;

/// Renders a person report as one self-contained HTML page.
pub fn person_html(report: &PersonReport) -> String {
    person_sections::person(HtmlWriter::default(), report)
}

/// Renders a roster as one self-contained HTML page.
pub fn roster_html(roster: &Roster) -> String {
    roster_sections::roster(HtmlWriter::default(), roster)
}

/// The custody timeline of a person report alone (the `<figure>` with its
/// SVG, and the legend), for a page that shows it among other things: the
/// web pages of `habeas serve` draw the same picture as the report.
pub fn person_timeline(report: &PersonReport) -> Option<String> {
    let view = PersonView::new(report);
    svg::timeline(&view).map(|picture| {
        format!(
            "<figure class=\"timeline\">\n{}\n</figure>\n{}",
            picture.svg,
            timeline_legend(&picture.legend)
        )
    })
}

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1f2937; --muted: #4b5563; --line: #d1d5db; --custody: #9b1c1c; --restriction: #b45309; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 1rem 0 0.25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; padding-bottom: 0.2rem; border-bottom: 2px solid var(--line); }
a { color: #1d4ed8; overflow-wrap: anywhere; }
.banner { border: 3px solid; padding: 0.6rem 0.9rem; margin: 0.5rem 0; font-weight: 600; }
.banner.example { border-color: #b91c1c; background: #fef2f2; color: #7f1d1d; font-size: 1.1rem; }
.banner.public { border-color: #15803d; background: #f0fdf4; color: #14532d; }
.banner.internal { border-color: #b45309; background: #fffbeb; color: #78350f; }
.status { font-size: 1.1rem; margin: 0.25rem 0 0; }
.headline { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 0.25rem; background: var(--ink); color: #fff; font-weight: 700; }
.view { color: var(--muted); margin-top: 0.25rem; }
dl.fields { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: 0.25rem 1rem; margin: 0; }
dl.fields dt { font-weight: 600; }
dl.fields dd { margin: 0; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f3f4f6; }
td.num { text-align: right; white-space: nowrap; }
td.date { white-space: nowrap; }
section.counts table { width: auto; min-width: 16rem; }
.timeline { overflow-x: auto; margin: 0.5rem 0; }
.timeline svg { display: block; width: 100%; min-width: 900px; height: auto; }
.legend { color: var(--muted); font-size: 0.9rem; }
ul.legend { list-style: none; padding: 0; margin: 0.25rem 0 0; }
ul.legend li { margin: 0.15rem 0; padding-left: 2.1em; text-indent: -2.1em; }
.swatch { display: inline-block; width: 1.6em; height: 0.9em; vertical-align: middle; margin-right: 0.5em; text-indent: 0; text-align: center; line-height: 0.9em; font-weight: 700; color: var(--ink); }
.swatch.custody { background: var(--custody); }
.swatch.uncertain { background: rgba(155, 28, 28, 0.28); }
.swatch.restriction { background: var(--restriction); }
.swatch.uncertain-restriction { background: rgba(180, 83, 9, 0.28); }
.swatch.ongoing, .swatch.unknown-start { color: var(--ink); }
.swatch.milestone { background: linear-gradient(90deg, transparent 45%, var(--ink) 45%, var(--ink) 60%, transparent 60%); }
.swatch.uncertain-milestone { background: rgba(31, 41, 55, 0.3); }
.swatch.as-of { background: linear-gradient(90deg, transparent 48%, var(--ink) 48%, var(--ink) 56%, transparent 56%); -webkit-mask: repeating-linear-gradient(180deg, #000 0 3px, transparent 3px 6px); mask: repeating-linear-gradient(180deg, #000 0 3px, transparent 3px 6px); }
ol.facts > li, ol.statements > li { margin-bottom: 0.75rem; }
.fact-details { margin: 0.2rem 0 0; padding-left: 1.2rem; color: var(--ink); }
.cite a { text-decoration: none; }
.flag { color: #b91c1c; font-weight: 700; }
.confidence { color: #92400e; }
.note { color: var(--muted); font-style: italic; }
.aside { display: block; color: var(--muted); font-size: 0.85rem; }
.namesake { display: block; color: #92400e; font-weight: 600; font-size: 0.85rem; }
section.people table { font-size: 0.875rem; }
section.people td:first-child { min-width: 9rem; }
a.report { font-weight: 600; white-space: nowrap; }
ol.sources li { margin-bottom: 0.35rem; overflow-wrap: anywhere; }
.figures { font-size: 1.05rem; }
.figures strong { font-size: 1.2rem; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: 0.9rem; border-top: 1px solid var(--line); padding-top: 0.5rem; }
@media (max-width: 36rem) {
  body { font-size: 15px; }
  h1 { font-size: 1.5rem; }
  dl.fields { grid-template-columns: 1fr; }
  dl.fields dd { margin-bottom: 0.4rem; }
}
@media print {
  @page { margin: 1.5cm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  .timeline { overflow: visible; }
  .timeline svg { min-width: 0; }
  h2 { break-after: avoid; }
  tr, li, figure, .banner { break-inside: avoid; }
  .table-wrap { overflow: visible; }
}
"#;

/// The legend under the timeline: a swatch and the meaning of every mark
/// the picture uses, and nothing else.
fn timeline_legend(keys: &[svg::Key]) -> String {
    let mut out = String::from("<ul class=\"legend\">");
    for key in keys {
        let swatch = match key {
            svg::Key::Ongoing => "▶",
            svg::Key::UnknownStart => "◀",
            svg::Key::Approximate => "~",
            svg::Key::Break => "//",
            _ => "",
        };
        let _ = write!(
            out,
            "<li><span class=\"swatch {}\" aria-hidden=\"true\">{swatch}</span>{}</li>",
            key.name(),
            h(key.meaning())
        );
    }
    out.push_str("<li>Every milestone is listed with its sources under Facts.</li></ul>");
    out
}

/// Writes an HTML page: the head and stylesheet when opened, sections as
/// `<section>` elements, the footer and closing tags when finished.
#[derive(Debug, Default)]
struct HtmlWriter {
    out: String,
}

/// The element that sets a span in `style`.
fn element(style: Style) -> &'static str {
    match style {
        Style::Strong => "strong",
        Style::Code => "code",
        Style::WorkTitle => "cite",
    }
}

/// ` class="kind"`, or nothing.
fn class(kind: Option<&str>) -> String {
    kind.map_or_else(String::new, |kind| format!(" class=\"{kind}\""))
}

/// ` id="anchor"`, or nothing.
fn id(anchor: Option<&str>) -> String {
    anchor.map_or_else(String::new, |anchor| format!(" id=\"{anchor}\""))
}

impl ReportWriter for HtmlWriter {
    fn text(&self, text: &str) -> String {
        h(text)
    }

    fn plain(&self, text: &str) -> String {
        h(text)
    }

    fn style(&self, style: Style, inline: &str) -> String {
        format!("<{0}>{inline}</{0}>", element(style))
    }

    fn mark(&self, mark: Mark, inline: &str) -> String {
        format!("<span class=\"{}\">{inline}</span>", mark.name())
    }

    fn link(&self, url: &str, kind: Option<&'static str>) -> String {
        format!("<a{} href=\"{url}\">{url}</a>", class(kind), url = h(url))
    }

    fn file_link(&self, href: &str, inline: &str) -> String {
        format!("<a class=\"report\" href=\"{}\">{inline}</a>", h(href))
    }

    fn anchor_link(&self, anchor: &str, inline: &str) -> String {
        format!("<a href=\"#{anchor}\">{inline}</a>")
    }

    fn citations(&self, numbers: &[usize], sourced: bool) -> String {
        let links: Vec<String> = numbers
            .iter()
            .map(|n| self.anchor_link(&format!("source-{n}"), &format!("[{n}]")))
            .collect();
        let mut cited = format!("<span class=\"cite\">{}</span>", links.join(" "));
        if numbers.is_empty() || !sourced {
            cited.push(' ');
            cited.push_str(&self.mark(Mark::Flag, "⚠ no checkable source"));
        }
        cited
    }

    fn datum(&self, inline: &str) -> String {
        self.strong(inline)
    }

    fn figure(&self, figure: &Figure) -> String {
        let qualifier = figure
            .qualifier
            .as_ref()
            .map_or_else(String::new, |qualifier| format!(" ({qualifier})"));
        let number = figure
            .number
            .as_ref()
            .map_or_else(String::new, |number| self.datum(number));
        format!("{}{qualifier}: {}{number}.", figure.label, figure.lead)
    }

    fn open(&mut self, title: &str, meta: &ReportMeta) {
        let _ = write!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
            h(title)
        );
        for banner in notice::banners(meta) {
            let kind = if banner == notice::EXAMPLE_DATA {
                "example"
            } else if banner == notice::PUBLIC {
                "public"
            } else {
                "internal"
            };
            let (head, rest) = banner.split_once(':').unwrap_or((banner, ""));
            let _ = writeln!(
                self.out,
                "<p class=\"banner {kind}\" role=\"note\"><strong>{}:</strong>{}</p>",
                h(head),
                h(rest)
            );
        }
    }

    fn title(&mut self, inline: &str) {
        let _ = writeln!(self.out, "<h1>{inline}</h1>");
    }

    fn stated_view(&mut self, headline: Option<Headline>, as_of: &str) {
        if let Some(headline) = headline {
            let _ = writeln!(
                self.out,
                "<p class=\"status\">Status: <span class=\"headline\">{headline}</span></p>"
            );
        }
        self.paragraph(Some("view"), &format!("As of {as_of}"));
    }

    fn section(&mut self, heading: &str, kind: Option<&'static str>) {
        let _ = writeln!(self.out, "<section{}>\n<h2>{heading}</h2>", class(kind));
    }

    fn end_section(&mut self) {
        self.out.push_str("</section>\n");
    }

    fn fields(&mut self, fields: &[(&str, String)]) {
        self.out.push_str("<dl class=\"fields\">\n");
        for (label, value) in fields {
            let _ = writeln!(self.out, "<dt>{}</dt><dd>{value}</dd>", h(label));
        }
        self.out.push_str("</dl>\n");
    }

    fn paragraph(&mut self, kind: Option<&'static str>, inline: &str) {
        let _ = writeln!(self.out, "<p{}>{inline}</p>", class(kind));
    }

    fn list(&mut self, list: &List) {
        let tag = if list.numbered { "ol" } else { "ul" };
        let _ = writeln!(self.out, "<{tag}{}>", class(list.kind));
        for item in &list.items {
            let _ = write!(self.out, "<li{}>{}", id(item.anchor.as_deref()), item.body);
            if !item.details.is_empty() {
                self.out.push_str("<ul class=\"fact-details\">");
                for detail in &item.details {
                    let kind = detail.mark.map(Mark::name);
                    let _ = write!(self.out, "<li{}>{}</li>", class(kind), detail.inline);
                }
                self.out.push_str("</ul>");
            }
            self.out.push_str("</li>\n");
        }
        let _ = writeln!(self.out, "</{tag}>");
    }

    fn table(&mut self, table: &Table) {
        self.out
            .push_str("<div class=\"table-wrap\"><table>\n<thead><tr>");
        for column in &table.columns {
            let _ = write!(self.out, "<th>{}</th>", h(column.title));
        }
        self.out.push_str("</tr></thead>\n<tbody>\n");
        for row in &table.rows {
            let _ = write!(self.out, "<tr{}>", id(row.anchor.as_deref()));
            for (idx, cell) in row.cells.iter().enumerate() {
                let kind = match table.columns.get(idx).map(|column| column.cells) {
                    Some(Cells::Number) => Some("num"),
                    Some(Cells::Date) => Some("date"),
                    Some(Cells::Text) | None => None,
                };
                let _ = write!(self.out, "<td{}>{cell}</td>", class(kind));
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table></div>\n");
    }

    fn timeline(&mut self, view: &PersonView<'_>) {
        match svg::timeline(view) {
            Some(picture) => {
                let _ = writeln!(
                    self.out,
                    "<figure class=\"timeline\">\n{}\n</figure>\n{}",
                    picture.svg,
                    timeline_legend(&picture.legend)
                );
            }
            None => self.paragraph(None, "No dated fact to draw."),
        }
    }

    fn finish(mut self, meta: &ReportMeta) -> String {
        let _ = write!(
            self.out,
            "<footer>{}</footer>\n</main>\n</body>\n</html>\n",
            h(&notice::footer(meta))
        );
        self.out
    }
}
