//! Self-contained HTML renderings of person reports and rosters.
//!
//! One file each: inline CSS, no script, nothing fetched (links to sources are
//! plain `<a href>`), a viewport meta tag and a max-width layout for phones, a
//! print stylesheet, `lang="en"` and UTF-8. Every user-supplied string goes
//! through [`escape::html`]; source URLs are linked only when
//! [`escape::linkable_url`] allows them.

use std::fmt::Write as _;

use habeas_domain::facts::{Confidence, Source};

use crate::audit::amendment_text;
use crate::describe;
use crate::escape::{self, html as h};
use crate::model::{PersonReport, ReportMeta, Roster};
use crate::notice;
use crate::person_view::PersonView;
use crate::roster_figures::{roster_figures, roster_order};
use crate::svg;

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
.timeline { overflow-x: auto; margin: 0.5rem 0; }
.timeline svg { display: block; width: 100%; min-width: 640px; height: auto; }
.legend { color: var(--muted); font-size: 0.9rem; }
.swatch { display: inline-block; width: 1.4em; height: 0.8em; vertical-align: middle; margin: 0 0.25em 0 0.6em; }
.swatch.custody { background: var(--custody); }
.swatch.uncertain { background: var(--custody); opacity: 0.28; }
.swatch.restriction { background: var(--restriction); }
ol.facts > li, ol.statements > li { margin-bottom: 0.75rem; }
.fact-details { margin: 0.2rem 0 0; padding-left: 1.2rem; color: var(--ink); }
.cite a { text-decoration: none; }
.flag { color: #b91c1c; font-weight: 700; }
.confidence { color: #92400e; }
.note { color: var(--muted); font-style: italic; }
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

fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        h(title)
    );
}

fn banners(out: &mut String, meta: &ReportMeta) {
    for banner in notice::banners(meta) {
        let class = if banner == notice::EXAMPLE_DATA {
            "example"
        } else if banner == notice::PUBLIC {
            "public"
        } else {
            "internal"
        };
        let (head, rest) = banner.split_once(':').unwrap_or((banner, ""));
        let _ = writeln!(
            out,
            "<p class=\"banner {class}\" role=\"note\"><strong>{}:</strong>{}</p>",
            h(head),
            h(rest)
        );
    }
}

fn tail(out: &mut String, meta: &ReportMeta) {
    let _ = write!(
        out,
        "<footer>{}</footer>\n</main>\n</body>\n</html>\n",
        h(&notice::footer(meta))
    );
}

/// Citation links `[1] [2]`, with a visible flag when nothing is checkable.
fn citations(numbers: &[usize], sourced: bool) -> String {
    let links: Vec<String> = numbers
        .iter()
        .map(|n| format!("<a href=\"#source-{n}\">[{n}]</a>"))
        .collect();
    let mut out = format!("<span class=\"cite\">{}</span>", links.join(" "));
    if numbers.is_empty() || !sourced {
        out.push_str(" <span class=\"flag\">⚠ no checkable source</span>");
    }
    out
}

fn field(out: &mut String, label: &str, value_html: &str) {
    let _ = writeln!(out, "<dt>{}</dt><dd>{value_html}</dd>", h(label));
}

fn source_item(source: &Source) -> String {
    let mut parts = Vec::new();
    if let Some(title) = &source.title {
        parts.push(format!("<cite>{}</cite>", h(title)));
    }
    let mut published = Vec::new();
    if let Some(publisher) = &source.publisher {
        published.push(h(publisher));
    }
    if let Some(date) = &source.date {
        published.push(date.to_string());
    }
    if !published.is_empty() {
        parts.push(published.join(", "));
    }
    if let Some(document) = source.document.as_deref().filter(|d| !d.trim().is_empty()) {
        parts.push(format!("Document: {}", h(document)));
    }
    if let Some(url) = source.url.as_deref().filter(|u| !u.trim().is_empty()) {
        match escape::linkable_url(url) {
            Some(url) => parts.push(format!("<a class=\"url\" href=\"{0}\">{0}</a>", h(&url))),
            None => parts.push(format!("Address (not linked): {}", h(url))),
        }
    }
    if !source.is_citable() {
        parts.push("<span class=\"flag\">⚠ no URL or document reference</span>".to_owned());
    }
    parts.join(". ")
}

fn dash(value: Option<&str>) -> String {
    value.map_or_else(|| "—".to_owned(), h)
}

/// Renders a person report as one self-contained HTML page.
pub fn person_html(report: &PersonReport) -> String {
    let view = PersonView::new(report);
    let status = &report.status;
    let as_of = status.view.as_of;
    let mut out = String::new();
    head(&mut out, &format!("{}: case report", view.name));
    banners(&mut out, &report.meta);
    let _ = writeln!(out, "<h1>{}</h1>", h(&view.name));
    let _ = writeln!(
        out,
        "<p class=\"status\">Status: <span class=\"headline\">{}</span></p>\n<p class=\"view\">As of <strong>{as_of}</strong>, as known at <strong>{}</strong> (only events recorded by then count).</p>",
        status.headline,
        notice::timestamp(&status.view.known_at)
    );

    out.push_str("<section>\n<h2>Identity</h2>\n<dl class=\"fields\">\n");
    field(&mut out, "Name", &h(&view.name));
    if let Some(identity) = &status.identity {
        if !identity.aliases.is_empty() {
            let aliases: Vec<String> = identity.aliases.iter().map(|a| h(a)).collect();
            field(&mut out, "Also known as", &aliases.join("; "));
        }
        if let Some(country) = &identity.country {
            field(&mut out, "Country", &h(country));
        }
        if let Some(affiliation) = &identity.affiliation {
            field(&mut out, "Affiliation", &h(affiliation));
        }
        if let Some(born) = &identity.born {
            field(&mut out, "Born", &born.to_string());
        }
    }
    field(
        &mut out,
        "Person id",
        &format!("<code>{}</code>", report.person_id),
    );
    field(
        &mut out,
        "Sources",
        &citations(
            &view.identity_citations,
            !view.identity_citations.is_empty(),
        ),
    );
    out.push_str("</dl>\n</section>\n");

    let _ = writeln!(
        out,
        "<section>\n<h2>Status on {as_of}</h2>\n<dl class=\"fields\">"
    );
    field(&mut out, "Custody", &h(&describe::custody(&status.custody)));
    field(&mut out, "Proceedings", &h(&describe::legal(&status.legal)));
    let restrictions = if view.restrictions.is_empty() {
        "none recorded".to_owned()
    } else {
        view.restrictions
            .iter()
            .map(|r| describe::restriction_kind(r.kind))
            .collect::<Vec<_>>()
            .join("; ")
    };
    field(&mut out, "Restrictions in force", &restrictions);
    if let Some(exile) = &status.exile {
        field(&mut out, "In exile since", &exile.to_string());
    }
    for (by, on) in &status.recognised_by {
        field(
            &mut out,
            "Recognised as a political prisoner by",
            &format!("{} ({on})", h(by)),
        );
    }
    out.push_str("</dl>\n</section>\n");

    out.push_str("<section>\n<h2>Sentence and time in custody</h2>\n<dl class=\"fields\">\n");
    for (label, value) in &view.arithmetic {
        field(&mut out, label, &h(value));
    }
    out.push_str("</dl>\n</section>\n");

    out.push_str("<section>\n<h2>Custody timeline</h2>\n");
    match svg::timeline(&view) {
        Some(picture) => {
            let _ = writeln!(
                out,
                "<figure class=\"timeline\">\n{picture}\n</figure>\n<p class=\"legend\"><span class=\"swatch custody\"></span>in custody<span class=\"swatch uncertain\"></span>date known only to the month or year: it falls somewhere in the faded band<span class=\"swatch restriction\"></span>restriction in force. An arrow means still going on at the as-of day (dashed line). Labels below the axis are milestones; every one is listed with its sources under Facts.</p>"
            );
        }
        None => out.push_str("<p>No dated fact to draw.</p>\n"),
    }
    out.push_str("</section>\n");

    out.push_str("<section>\n<h2>Charges</h2>\n");
    if view.charges.is_empty() {
        out.push_str("<p>No charge recorded.</p>\n");
    } else {
        out.push_str("<div class=\"table-wrap\"><table>\n<thead><tr><th>Offence</th><th>Legal article</th><th>Court</th><th>Case number</th><th>Charged</th><th>Sources</th></tr></thead>\n<tbody>\n");
        for charge in &view.charges {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                h(&charge.offence),
                dash(charge.article.as_deref()),
                dash(charge.court.as_deref()),
                dash(charge.case_number.as_deref()),
                charge.charged_on,
                citations(&charge.citations, true)
            );
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    out.push_str("</section>\n");

    out.push_str("<section>\n<h2>Restrictions in force</h2>\n");
    if view.restrictions.is_empty() {
        out.push_str("<p>None recorded.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for restriction in &view.restrictions {
            let _ = write!(
                out,
                "<li><strong>{}</strong> since {}",
                describe::restriction_kind(restriction.kind),
                restriction.since
            );
            if let Some(until) = &restriction.until {
                let _ = write!(out, ", until {until}");
            }
            if let Some(description) = &restriction.description {
                let _ = write!(out, ": {}", h(description));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");

    out.push_str("<section>\n<h2>Facts</h2>\n<p>Every fact recorded, in the order it happened, with its sources.</p>\n");
    if view.facts.is_empty() {
        out.push_str("<p>No fact recorded.</p>\n");
    } else {
        out.push_str("<ol class=\"facts\">\n");
        for fact in &view.facts {
            let _ = write!(
                out,
                "<li id=\"event-{}\"><strong>{}: {}</strong> {}",
                fact.id,
                fact.occurred,
                h(&fact.described.title),
                citations(&fact.citations, fact.is_sourced())
            );
            let mut details: Vec<String> = Vec::new();
            if fact.restricted {
                details.push(format!(
                    "<span class=\"flag\">{}</span>",
                    notice::RESTRICTED_FACT
                ));
            }
            details.extend(
                fact.described
                    .details
                    .iter()
                    .map(|(label, value)| format!("{}: {}", h(label), h(value))),
            );
            if fact.facts.confidence != Confidence::Confirmed {
                details.push(format!(
                    "<span class=\"confidence\">Confidence: {}</span>",
                    describe::confidence(fact.facts.confidence)
                ));
            }
            if let Some(note) = fact.note {
                details.push(format!(
                    "<span class=\"note\">Note (internal): {}</span>",
                    h(note)
                ));
            }
            if !fact.corrected_at.is_empty() {
                let positions: Vec<String> = fact
                    .corrected_at
                    .iter()
                    .map(|p| format!("<a href=\"#audit-{p}\">#{p}</a>"))
                    .collect();
                details.push(format!(
                    "Corrected after it was first recorded: see audit {}",
                    positions.join(", ")
                ));
            }
            if !details.is_empty() {
                let _ = write!(
                    out,
                    "<ul class=\"fact-details\"><li>{}</li></ul>",
                    details.join("</li><li>")
                );
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");

    let _ = writeln!(
        out,
        "<section>\n<h2>Statements about {}</h2>",
        h(&view.name)
    );
    if view.statements.is_empty() {
        out.push_str("<p>No statement recorded.</p>\n");
    } else {
        out.push_str("<ol class=\"statements\">\n");
        for entry in &view.statements {
            let statement = entry.statement;
            let by = match &statement.by_role {
                Some(role) => format!("{} ({})", h(&statement.by), h(role)),
                None => h(&statement.by),
            };
            let sourced = crate::sources::is_sourced(&statement.facts.sources);
            let _ = write!(
                out,
                "<li><strong>{}: {by}</strong>, {} {}<ul class=\"fact-details\">{}<li>Summary: {}</li>",
                statement.facts.occurred,
                describe::statement_kind(statement.kind),
                citations(&entry.citations, sourced),
                if entry.restricted {
                    format!("<li class=\"flag\">{}</li>", notice::RESTRICTED_FACT)
                } else {
                    String::new()
                },
                h(&statement.summary)
            );
            if let Some(link) = &entry.link {
                let _ = write!(out, "<li>Link: <a href=\"{0}\">{0}</a></li>", h(link));
            }
            if statement.facts.confidence != Confidence::Confirmed {
                let _ = write!(
                    out,
                    "<li class=\"confidence\">Confidence: {}</li>",
                    describe::confidence(statement.facts.confidence)
                );
            }
            if let Some(note) = entry.note {
                let _ = write!(out, "<li class=\"note\">Note (internal): {}</li>", h(note));
            }
            out.push_str("</ul></li>\n");
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");

    out.push_str("<section>\n<h2>Sources</h2>\n");
    if view.sources.is_empty() {
        out.push_str("<p class=\"flag\">No source recorded.</p>\n");
    } else {
        out.push_str("<ol class=\"sources\">\n");
        for (idx, source) in view.sources.iter().enumerate() {
            let _ = writeln!(
                out,
                "<li id=\"source-{}\">{}</li>",
                idx + 1,
                source_item(source)
            );
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");

    out.push_str("<section>\n<h2>Audit appendix</h2>\n<p>Every event recorded about this person, in the order it was recorded. Nothing is deleted: corrections and retractions are events of their own.</p>\n<div class=\"table-wrap\"><table>\n<thead><tr><th>#</th><th>Event</th><th>Occurred</th><th>Recorded (UTC)</th>");
    if !view.public {
        out.push_str("<th>Recorded by</th>");
    }
    out.push_str("<th>Status after</th><th>Correction or retraction</th></tr></thead>\n<tbody>\n");
    for row in &view.audit {
        let _ = write!(
            out,
            "<tr id=\"audit-{}\"><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td>",
            row.position,
            row.position,
            h(&row.title),
            row.occurred
                .map_or_else(|| "—".to_owned(), |d| d.to_string()),
            row.recorded_at.format("%Y-%m-%d %H:%M")
        );
        if let Some(by) = &row.recorded_by {
            let _ = write!(out, "<td>{}</td>", h(by));
        }
        let _ = writeln!(
            out,
            "<td>{}</td><td>{}</td></tr>",
            row.headline_after,
            row.amendment
                .as_ref()
                .map_or_else(|| "—".to_owned(), |a| h(&amendment_text(a)))
        );
    }
    out.push_str("</tbody>\n</table></div>\n</section>\n");
    tail(&mut out, &report.meta);
    out
}

/// Renders a roster as one self-contained HTML page.
pub fn roster_html(roster: &Roster) -> String {
    let figures = roster_figures(&roster.rows);
    let mut out = String::new();
    head(&mut out, "Roster of documented people");
    banners(&mut out, &roster.meta);
    out.push_str("<h1>Roster of documented people</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"view\">As of <strong>{}</strong>, as known at <strong>{}</strong> (only events recorded by then count).</p>",
        roster.view.as_of,
        notice::timestamp(&roster.view.known_at)
    );
    out.push_str("<section class=\"figures\">\n<h2>Figures</h2>\n<ul>\n");
    let _ = writeln!(
        out,
        "<li><strong>{} {} currently detained</strong> (of {} documented).</li>",
        figures.currently_detained,
        if figures.currently_detained == 1 {
            "person"
        } else {
            "people"
        },
        figures.people
    );
    match &figures.median_days_in_custody_now {
        Some(median) => {
            let _ = writeln!(
                out,
                "<li>Median time in custody now (of the {} held): <strong>{median}</strong>.</li>",
                figures.currently_detained
            );
        }
        None => {
            out.push_str("<li>Median time in custody now: nobody is held, so there is none.</li>\n")
        }
    }
    if let Some(longest) = &figures.longest_in_custody_now {
        let _ = writeln!(
            out,
            "<li>Longest time in custody now: {}, <strong>{}</strong>.</li>",
            h(&longest.name),
            crate::arithmetic::days(longest.days)
        );
    }
    out.push_str("</ul>\n");
    if figures
        .median_days_in_custody_now
        .is_some_and(|median| median.of_minimums != median.of_maximums)
    {
        let _ = writeln!(out, "<p class=\"legend\">{}</p>", h(notice::MEDIAN_RANGE));
    }
    out.push_str("</section>\n");

    out.push_str("<section>\n<h2>By status</h2>\n<div class=\"table-wrap\"><table>\n<thead><tr><th>Status</th><th>People</th></tr></thead>\n<tbody>\n");
    for count in &figures.counts {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
            count.headline, count.count
        );
    }
    out.push_str("</tbody>\n</table></div>\n</section>\n");

    out.push_str("<section>\n<h2>People</h2>\n<div class=\"table-wrap\"><table>\n<thead><tr><th>Name</th><th>Also known as</th><th>Country</th><th>Status</th><th>In custody since</th><th>Facility</th><th>Days in custody now</th><th>Days in custody in total</th></tr></thead>\n<tbody>\n");
    for row in roster_order(&roster.rows) {
        let aliases: Vec<String> = row.aliases.iter().map(|a| h(a)).collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            h(&row.name),
            if aliases.is_empty() {
                "—".to_owned()
            } else {
                aliases.join("; ")
            },
            dash(row.country.as_deref()),
            row.headline,
            row.custody_since
                .map_or_else(|| "—".to_owned(), |d| d.to_string()),
            dash(row.facility.as_deref()),
            row.days_in_custody_now
                .map_or_else(|| "—".to_owned(), |d| d.to_string()),
            row.days_in_custody_total
        );
    }
    out.push_str("</tbody>\n</table></div>\n</section>\n");
    tail(&mut out, &roster.meta);
    out
}
