//! The person page's account of the case, in the order and with the
//! headings of the person report (`habeas-report`'s person sections):
//! charges, sentences, restrictions, every fact in the order it happened
//! (which the timeline's legend points to), and the statements about the
//! person with their ids. It is built from the same
//! [`habeas_report::model::PersonReport`] the report downloads are, so the
//! page and the report say the same; that report is already the public
//! variant for an account not cleared for restricted facts.
//!
//! Sources are numbered across the page: [`cite`] gives a source the number
//! it already has, or the next one.

use habeas_domain::event::Event;
use habeas_domain::facts::{Confidence, Source, Visibility};
use habeas_report::model::PersonReport;
use maud::{Markup, html};

use crate::web::strings::UI;

/// What identifies a source in the page's numbered list.
fn source_key(source: &Source) -> String {
    source
        .url
        .clone()
        .or_else(|| source.document.clone())
        .unwrap_or_default()
}

/// The numbers of `cited` in `sources`, adding the ones not numbered yet.
pub fn cite(sources: &mut Vec<Source>, cited: &[Source]) -> Vec<usize> {
    cited
        .iter()
        .map(|source| {
            let key = source_key(source);
            match sources.iter().position(|s| source_key(s) == key) {
                Some(idx) => idx + 1,
                None => {
                    sources.push(source.clone());
                    sources.len()
                }
            }
        })
        .collect()
}

fn citations(numbers: &[usize]) -> Markup {
    html! {
        @for n in numbers { " " a href={ "#source-" (n) } { "[" (n) "]" } }
    }
}

fn words<T: serde::Serialize>(kind: &T) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(|t| t.replace('_', " ")))
        .unwrap_or_default()
}

/// A fact's own details, beyond its kind and date.
fn details(event: &Event) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut push = |label: &'static str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            out.push((label, value));
        }
    };
    match event {
        Event::Detained(d) => {
            push("kind", Some(words(&d.kind)));
            push("facility", d.facility.clone());
            push("place", d.place.clone());
            push("authority", d.authority.clone());
        }
        Event::Charged(c) => {
            let list: Vec<String> = c
                .charges
                .iter()
                .map(|charge| match &charge.article {
                    Some(article) => format!("{} ({article})", charge.offence),
                    None => charge.offence.clone(),
                })
                .collect();
            push("offence", Some(list.join("; ")));
            push("court", c.court.clone());
            push("case_number", c.case_number.clone());
        }
        Event::Sentenced(s) => {
            push("term_kind", s.term.as_ref().map(ToString::to_string));
            push("court", s.court.clone());
            let offences: Vec<String> = s
                .offences
                .iter()
                .map(|charge| match &charge.article {
                    Some(article) => format!("{} ({article})", charge.offence),
                    None => charge.offence.clone(),
                })
                .collect();
            push("convicted_of", Some(offences.join("; ")));
            push("expected_release", s.ends.map(|ends| ends.in_words()));
        }
        Event::Released(r) => {
            push("kind", Some(words(&r.kind)));
            push("ordered_by", r.ordered_by.clone());
            push("conditions", r.conditions.clone());
        }
        Event::Transferred(t) => {
            push("from_facility", t.from_facility.clone());
            push("to_facility", Some(t.to_facility.clone()));
        }
        Event::RestrictionImposed(r) => {
            push("kind", Some(words(&r.kind)));
            push("description", r.description.clone());
        }
        _ => {}
    }
    out
}

/// The sections, citing into `sources`.
pub fn sections(report: &PersonReport, name: &str, sources: &mut Vec<Source>) -> Markup {
    let mut facts: Vec<_> = report.facts.iter().collect();
    facts.sort_by_key(|entry| entry.occurred());
    let charges: Vec<_> = facts
        .iter()
        .filter_map(|entry| match &entry.effective {
            Event::Charged(charging) => Some((entry, charging)),
            _ => None,
        })
        .collect();
    let sentences: Vec<_> = facts
        .iter()
        .filter_map(|entry| match &entry.effective {
            Event::Sentenced(sentencing) => Some((entry, sentencing)),
            _ => None,
        })
        .collect();
    let restrictions = &report.status.restrictions;
    let fact_citations: Vec<Vec<usize>> = facts
        .iter()
        .map(|entry| {
            let cited = entry
                .effective
                .facts()
                .map(|f| f.sources.clone())
                .unwrap_or_default();
            cite(sources, &cited)
        })
        .collect();
    let statement_citations: Vec<Vec<usize>> = report
        .statements
        .iter()
        .map(|entry| cite(sources, &entry.statement.facts.sources))
        .collect();
    html! {
        section aria-labelledby="charges" {
            h2 #charges { (UI.charges) }
            @if charges.is_empty() {
                p { (UI.no_charge) }
            } @else {
                div.table-wrap {
                    table #charges-table {
                        thead { tr { th { (UI.label("offence")) } th { (UI.label("article")) } th { (UI.label("court")) } th { (UI.label("case_number")) } th { (UI.charged_on) } } }
                        tbody {
                            @for (entry, charging) in &charges {
                                @for charge in &charging.charges {
                                    tr {
                                        td { (charge.offence) }
                                        td { (charge.article.clone().unwrap_or_else(|| "—".to_owned())) }
                                        td { (charging.court.clone().unwrap_or_else(|| "—".to_owned())) }
                                        td { (charging.case_number.clone().unwrap_or_else(|| "—".to_owned())) }
                                        td.date { (entry.occurred()) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="sentences" {
            h2 #sentences { (UI.sentences) }
            @if sentences.is_empty() {
                p { (UI.no_sentence) }
            } @else {
                ul #sentences-list {
                    @for (entry, sentencing) in &sentences {
                        li {
                            strong { (entry.occurred()) ": " (sentencing.term.as_ref().map(ToString::to_string).unwrap_or_else(|| UI.term_unknown.to_owned())) }
                            @if let Some(court) = &sentencing.court { ", " (court) }
                            @if sentencing.in_absentia { " · " (UI.in_absentia) }
                            @if sentencing.suspended { " · " (UI.suspended) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="restrictions-heading" {
            h2 #restrictions-heading { (UI.restrictions_in_force) }
            @if restrictions.is_empty() {
                p { (UI.none_recorded) }
            } @else {
                ul {
                    @for restriction in restrictions {
                        li {
                            strong { (words(&restriction.kind)) } " " (UI.since) " " (restriction.since)
                            @if let Some(until) = &restriction.until { ", " (UI.until) " " (until) }
                            @if let Some(description) = &restriction.description { ": " (description) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="facts" {
            h2 #facts { (UI.facts) }
            p.hint { (UI.facts_hint) }
            @if facts.is_empty() {
                p { (UI.no_fact) }
            } @else {
                ol #facts-list {
                    @for (entry, numbers) in facts.iter().zip(&fact_citations) {
                        li id={ "fact-" (entry.id) } {
                            strong { (entry.occurred()) ": " (entry.effective.noun()) }
                            (citations(numbers))
                            @if let Some(f) = entry.effective.facts() {
                                @if f.visibility == Visibility::Restricted { " " span.tag { (UI.restricted_mark) } }
                                @if f.confidence != Confidence::Confirmed { " · " (UI.confidence) ": " (words(&f.confidence)) }
                            }
                            " · " a href={ "#event-" (entry.id) } { (UI.in_history) }
                            @let details = details(&entry.effective);
                            @if !details.is_empty() {
                                ul {
                                    @for (label, value) in &details {
                                        li { (UI.label(label)) ": " (value) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="statements" {
            h2 #statements { (UI.statements_about) " " (name) }
            @if report.statements.is_empty() {
                p { (UI.no_statement) }
            } @else {
                ol #statements-list {
                    @for (entry, numbers) in report.statements.iter().zip(&statement_citations) {
                        @let statement = &entry.statement;
                        li id={ "statement-" (entry.event_id) } {
                            strong { (statement.facts.occurred) ": " (statement.by) }
                            @if let Some(role) = &statement.by_role { " (" (role) ")" }
                            ", " (words(&statement.kind))
                            (citations(numbers))
                            @if statement.facts.visibility == Visibility::Restricted { " " span.tag { (UI.restricted_mark) } }
                            br;
                            (statement.summary)
                            br;
                            span.hint { (UI.statement_id) " " code { (entry.event_id) } }
                        }
                    }
                }
            }
        }
    }
}
