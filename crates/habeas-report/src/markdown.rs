//! Markdown renderings of person reports and rosters.
//!
//! Every user-supplied string goes through [`escape::markdown`], so a name like
//! `<script>` or `**bold** | pipe` stays text, including inside table cells.
//! The custody timeline appears as a text list: Markdown has no pictures of its
//! own and the file must not depend on one.

use std::fmt::Write as _;

use habeas_domain::facts::{Confidence, Source};

use crate::audit::amendment_text;
use crate::describe;
use crate::escape::{self, markdown as md};
use crate::model::{PersonReport, Roster};
use crate::notice;
use crate::person_view::{PersonView, milestone_label};
use crate::roster_figures::{roster_figures, roster_order};

/// The source numbers of a fact, `[1] [2]`, or a visible flag when it has none.
fn citations(numbers: &[usize], sourced: bool) -> String {
    if numbers.is_empty() || !sourced {
        let cited: Vec<String> = numbers.iter().map(|n| format!("[{n}]")).collect();
        return format!("{} **⚠ NO CHECKABLE SOURCE**", cited.join(" "))
            .trim_start()
            .to_owned();
    }
    numbers
        .iter()
        .map(|n| format!("[{n}]"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn banners(out: &mut String, meta: &crate::model::ReportMeta) {
    for (idx, banner) in notice::banners(meta).into_iter().enumerate() {
        if idx > 0 {
            out.push_str(">\n");
        }
        let (head, rest) = banner.split_once(':').unwrap_or((banner, ""));
        let _ = writeln!(out, "> **{head}:**{rest}");
    }
    out.push('\n');
}

fn or_dash(value: Option<&str>) -> String {
    value.map_or_else(|| "—".to_owned(), md)
}

fn source_line(source: &Source) -> String {
    let mut parts = Vec::new();
    if let Some(title) = &source.title {
        parts.push(format!("*{}*", md(title)));
    }
    let mut published = Vec::new();
    if let Some(publisher) = &source.publisher {
        published.push(md(publisher));
    }
    if let Some(date) = &source.date {
        published.push(date.to_string());
    }
    if !published.is_empty() {
        parts.push(published.join(", "));
    }
    if let Some(document) = source.document.as_deref().filter(|d| !d.trim().is_empty()) {
        parts.push(format!("Document: {}", md(document)));
    }
    if let Some(url) = source.url.as_deref().filter(|u| !u.trim().is_empty()) {
        match escape::linkable_url(url) {
            Some(url) => parts.push(format!("<{}>", escape::markdown_url(&url))),
            None => parts.push(format!("Address (not linked): {}", md(url))),
        }
    }
    if !source.is_citable() {
        parts.push("**⚠ no URL or document reference**".to_owned());
    }
    parts.join(". ")
}

/// Renders a person report as Markdown.
pub fn person_markdown(report: &PersonReport) -> String {
    let view = PersonView::new(report);
    let status = &report.status;
    let as_of = status.view.as_of;
    let mut out = String::new();
    banners(&mut out, &report.meta);
    let _ = writeln!(out, "# {}\n", md(&view.name));
    let _ = writeln!(
        out,
        "**Status: {}**, as of {as_of}, as known at {} (only events recorded by then count).\n",
        status.headline,
        notice::timestamp(&status.view.known_at)
    );

    out.push_str("## Identity\n\n");
    let _ = writeln!(out, "- **Name:** {}", md(&view.name));
    if let Some(identity) = &status.identity {
        if !identity.aliases.is_empty() {
            let aliases: Vec<String> = identity.aliases.iter().map(|a| md(a)).collect();
            let _ = writeln!(out, "- **Also known as:** {}", aliases.join("; "));
        }
        if let Some(country) = &identity.country {
            let _ = writeln!(out, "- **Country:** {}", md(country));
        }
        if let Some(affiliation) = &identity.affiliation {
            let _ = writeln!(out, "- **Affiliation:** {}", md(affiliation));
        }
        if let Some(born) = &identity.born {
            let _ = writeln!(out, "- **Born:** {born}");
        }
    }
    let _ = writeln!(out, "- **Person id:** `{}`", report.person_id);
    let _ = writeln!(
        out,
        "- **Sources:** {}\n",
        citations(
            &view.identity_citations,
            !view.identity_citations.is_empty()
        )
    );

    let _ = writeln!(out, "## Status on {as_of}\n");
    let _ = writeln!(
        out,
        "- **Custody:** {}",
        md(&describe::custody(&status.custody))
    );
    let _ = writeln!(
        out,
        "- **Proceedings:** {}",
        md(&describe::legal(&status.legal))
    );
    if view.restrictions.is_empty() {
        out.push_str("- **Restrictions in force:** none recorded\n");
    } else {
        let kinds: Vec<&str> = view
            .restrictions
            .iter()
            .map(|r| describe::restriction_kind(r.kind))
            .collect();
        let _ = writeln!(out, "- **Restrictions in force:** {}", kinds.join("; "));
    }
    if let Some(exile) = &status.exile {
        let _ = writeln!(out, "- **In exile since:** {exile}");
    }
    for (by, on) in &status.recognised_by {
        let _ = writeln!(
            out,
            "- **Recognised as a political prisoner by:** {} ({on})",
            md(by)
        );
    }
    out.push('\n');

    out.push_str("## Sentence and time in custody\n\n");
    for (label, value) in &view.arithmetic {
        let _ = writeln!(out, "- **{label}:** {value}");
    }
    out.push('\n');

    out.push_str("## Custody timeline\n\n");
    if view.episodes.is_empty() {
        out.push_str("No custody period recorded.\n\n");
    } else {
        out.push_str("Custody periods:\n\n");
        for (idx, episode) in view.episodes.iter().enumerate() {
            let end = episode
                .end
                .map_or_else(|| format!("ongoing on {as_of}"), |end| end.to_string());
            let facility = episode
                .facility
                .as_deref()
                .map_or_else(String::new, |f| format!(", {}", md(f)));
            let _ = writeln!(
                out,
                "{}. {} to {end}: {}{facility}; {}",
                idx + 1,
                episode.start,
                describe::detention_kind(episode.kind),
                crate::arithmetic::days(episode.days)
            );
        }
        out.push('\n');
    }
    let milestones: Vec<_> = view.milestones().collect();
    if !milestones.is_empty() {
        out.push_str("Milestones:\n\n");
        for fact in milestones {
            let _ = writeln!(
                out,
                "- {}: {}",
                fact.occurred,
                md(&milestone_label(fact.event))
            );
        }
        out.push('\n');
    }
    out.push_str("Dates written YYYY-MM or YYYY are known only to the month or year; a trailing ~ marks an approximate date.\n\n");

    out.push_str("## Charges\n\n");
    if view.charges.is_empty() {
        out.push_str("No charge recorded.\n\n");
    } else {
        out.push_str("| Offence | Legal article | Court | Case number | Charged | Sources |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for charge in &view.charges {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md(&charge.offence),
                or_dash(charge.article.as_deref()),
                or_dash(charge.court.as_deref()),
                or_dash(charge.case_number.as_deref()),
                charge.charged_on,
                citations(&charge.citations, true)
            );
        }
        out.push('\n');
    }

    out.push_str("## Restrictions in force\n\n");
    if view.restrictions.is_empty() {
        out.push_str("None recorded.\n\n");
    } else {
        for restriction in &view.restrictions {
            let _ = write!(
                out,
                "- **{}** since {}",
                describe::restriction_kind(restriction.kind),
                restriction.since
            );
            if let Some(until) = &restriction.until {
                let _ = write!(out, ", until {until}");
            }
            if let Some(description) = &restriction.description {
                let _ = write!(out, ": {}", md(description));
            }
            out.push('\n');
        }
        out.push('\n');
    }

    out.push_str(
        "## Facts\n\nEvery fact recorded, in the order it happened, with its sources.\n\n",
    );
    if view.facts.is_empty() {
        out.push_str("No fact recorded.\n\n");
    }
    for (idx, fact) in view.facts.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. **{}: {}** {}",
            idx + 1,
            fact.occurred,
            md(&fact.described.title),
            citations(&fact.citations, fact.is_sourced())
        );
        if fact.restricted {
            let _ = writeln!(out, "   - **{}**", notice::RESTRICTED_FACT);
        }
        for (label, value) in &fact.described.details {
            let _ = writeln!(out, "   - {label}: {}", md(value));
        }
        if fact.facts.confidence != Confidence::Confirmed {
            let _ = writeln!(
                out,
                "   - Confidence: {}",
                describe::confidence(fact.facts.confidence)
            );
        }
        if let Some(note) = fact.note {
            let _ = writeln!(out, "   - Note (internal): {}", md(note));
        }
        if !fact.corrected_at.is_empty() {
            let positions: Vec<String> =
                fact.corrected_at.iter().map(|p| format!("#{p}")).collect();
            let _ = writeln!(
                out,
                "   - Corrected after it was first recorded: see audit {}",
                positions.join(", ")
            );
        }
    }
    if !view.facts.is_empty() {
        out.push('\n');
    }

    let _ = writeln!(out, "## Statements about {}\n", md(&view.name));
    if view.statements.is_empty() {
        out.push_str("No statement recorded.\n\n");
    }
    for (idx, entry) in view.statements.iter().enumerate() {
        let statement = entry.statement;
        let by = match &statement.by_role {
            Some(role) => format!("{} ({})", md(&statement.by), md(role)),
            None => md(&statement.by),
        };
        let sourced = crate::sources::is_sourced(&statement.facts.sources);
        let _ = writeln!(
            out,
            "{}. **{}: {by}**, {} {}",
            idx + 1,
            statement.facts.occurred,
            describe::statement_kind(statement.kind),
            citations(&entry.citations, sourced)
        );
        if entry.restricted {
            let _ = writeln!(out, "   - **{}**", notice::RESTRICTED_FACT);
        }
        let _ = writeln!(out, "   - Summary: {}", md(&statement.summary));
        if let Some(link) = &entry.link {
            let _ = writeln!(out, "   - Link: <{}>", escape::markdown_url(link));
        }
        if statement.facts.confidence != Confidence::Confirmed {
            let _ = writeln!(
                out,
                "   - Confidence: {}",
                describe::confidence(statement.facts.confidence)
            );
        }
        if let Some(note) = entry.note {
            let _ = writeln!(out, "   - Note (internal): {}", md(note));
        }
    }
    if !view.statements.is_empty() {
        out.push('\n');
    }

    out.push_str("## Sources\n\n");
    if view.sources.is_empty() {
        out.push_str("No source recorded.\n\n");
    }
    for (idx, source) in view.sources.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", idx + 1, source_line(source));
    }
    if !view.sources.is_empty() {
        out.push('\n');
    }

    out.push_str("## Audit appendix\n\n");
    out.push_str("Every event recorded about this person, in the order it was recorded. Nothing is deleted: corrections and retractions are events of their own.\n\n");
    if view.public {
        out.push_str(
            "| # | Event | Occurred | Recorded (UTC) | Status after | Correction or retraction |\n",
        );
        out.push_str("|---|---|---|---|---|---|\n");
    } else {
        out.push_str("| # | Event | Occurred | Recorded (UTC) | Recorded by | Status after | Correction or retraction |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
    }
    for row in &view.audit {
        let occurred = row
            .occurred
            .map_or_else(|| "—".to_owned(), |d| d.to_string());
        let recorded = row.recorded_at.format("%Y-%m-%d %H:%M").to_string();
        let amendment = row
            .amendment
            .as_ref()
            .map_or_else(|| "—".to_owned(), |a| md(&amendment_text(a)));
        let by = match &row.recorded_by {
            Some(by) => format!(" {} |", md(by)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {occurred} | {recorded} |{by} {} | {amendment} |",
            row.position,
            md(&row.title),
            row.headline_after
        );
    }
    out.push('\n');
    let _ = writeln!(out, "---\n\n{}", md(&notice::footer(&report.meta)));
    out
}

/// Renders a roster as Markdown.
pub fn roster_markdown(roster: &Roster) -> String {
    let figures = roster_figures(&roster.rows);
    let mut out = String::new();
    banners(&mut out, &roster.meta);
    out.push_str("# Roster of documented people\n\n");
    let _ = writeln!(
        out,
        "As of {}, as known at {} (only events recorded by then count).\n",
        roster.view.as_of,
        notice::timestamp(&roster.view.known_at)
    );
    out.push_str("## Figures\n\n");
    let _ = writeln!(
        out,
        "- **{} {} currently detained** (of {} documented).",
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
                "- **Median time in custody now** (of the {} held): {median}.",
                figures.currently_detained
            );
        }
        None => {
            out.push_str("- **Median time in custody now:** nobody is held, so there is none.\n")
        }
    }
    if let Some(longest) = &figures.longest_in_custody_now {
        let _ = writeln!(
            out,
            "- **Longest time in custody now:** {}, {}.",
            md(&longest.name),
            crate::arithmetic::days(longest.days)
        );
    }
    if figures
        .median_days_in_custody_now
        .is_some_and(|median| median.of_minimums != median.of_maximums)
    {
        let _ = writeln!(out, "\n{}", notice::MEDIAN_RANGE);
    }
    out.push('\n');
    out.push_str("## By status\n\n| Status | People |\n|---|---|\n");
    for count in &figures.counts {
        let _ = writeln!(out, "| {} | {} |", count.headline, count.count);
    }
    out.push_str("\n## People\n\n");
    out.push_str("| Name | Also known as | Country | Status | In custody since | Facility | Days in custody now | Days in custody in total |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for row in roster_order(&roster.rows) {
        let aliases: Vec<String> = row.aliases.iter().map(|a| md(a)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&row.name),
            if aliases.is_empty() {
                "—".to_owned()
            } else {
                aliases.join("; ")
            },
            or_dash(row.country.as_deref()),
            row.headline,
            row.custody_since
                .map_or_else(|| "—".to_owned(), |d| d.to_string()),
            or_dash(row.facility.as_deref()),
            row.days_in_custody_now
                .map_or_else(|| "—".to_owned(), |d| d.to_string()),
            row.days_in_custody_total
        );
    }
    let _ = writeln!(out, "\n---\n\n{}", md(&notice::footer(&roster.meta)));
    out
}
