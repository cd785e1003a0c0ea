//! The people list (search by name or alias, filter by headline, counts by
//! headline) and a person's page (headline as of a day and as known at a
//! moment, figures as ranges, the timeline, sources, the history with its
//! correct and retract forms, report downloads).
//!
//! Every case fact shown comes through the caller's
//! [`crate::filter::Filter`], as in the API's status and history.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Html;
use chrono::Utc;
use habeas::people::fold;
use habeas::reports::ReportOptions;
use habeas::tracker::Subject;
use habeas_domain::event::Event;
use habeas_domain::facts::{Source, Visibility};
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{CommandId, EventId};
use habeas_domain::status::{Custody, Headline, Legal, Status, View, status};
use maud::{PreEscaped, html};
use serde::Deserialize;

use crate::accounts::role::Role;
use crate::auth::AnyRole;
use crate::error::AppError;
use crate::filter::{Clearance, Filter};
use crate::input::{PathParam, view};
use crate::routes::cases::note_restricted_read;
use crate::state::AppState;
use crate::web::case_sections::{self, cite};
use crate::web::forms::{DEVELOPMENTS, date_inputs};
use crate::web::layout::{Page, WebError, page, person_path};
use crate::web::strings::UI;

/// The query of the people list.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    /// Part of a name or alias.
    pub q: Option<String>,
    /// One headline, or empty for any.
    pub headline: Option<String>,
    /// Only this country (case ignored), or empty for any.
    pub country: Option<String>,
    /// Only people held in a facility whose name contains this (case
    /// ignored), or empty for any.
    pub facility: Option<String>,
}

/// The rows shown at most.
const MAX_ROWS: usize = 500;
/// Developments recorded in this many days are "recent" on the dashboard.
const RECENT_DAYS: i64 = 7;
/// The recent developments shown at most.
const MAX_RECENT: usize = 20;

/// `GET /`: the people list.
pub async fn list(
    State(state): State<AppState>,
    Page(auth): Page<AnyRole>,
    Query(params): Query<ListParams>,
) -> Result<Html<String>, WebError> {
    let q = params.q.unwrap_or_default();
    if q.len() > 512 {
        return Err(AppError::bad_input("q", "is longer than 512 bytes").into());
    }
    let wanted_headline = match params.headline.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            text.parse::<Headline>()
                .map_err(|err| AppError::bad_input("headline", err.to_string()))?,
        ),
    };
    let wanted = fold(&q);
    let country = params.country.unwrap_or_default().trim().to_owned();
    let facility = params.facility.unwrap_or_default().trim().to_owned();
    let held_in = |custody: &Custody| match custody {
        Custody::InCustody {
            facility: Some(name),
            ..
        } => fold(name).contains(&fold(&facility)),
        _ => false,
    };
    let filter = auth.filter();
    let now = View {
        as_of: Utc::now().date_naive(),
        known_at: Utc::now(),
    };
    let index = state.tracker().people().await?;
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    let mut rows = Vec::new();
    let mut held = Vec::new();
    let mut recent = Vec::new();
    let mut overdue = Vec::new();
    for entry in index.people() {
        let history = state
            .tracker()
            .history_of(Subject::Person(entry.id))
            .await?;
        let visible = filter.history(history);
        let current = status(&visible, now);
        let headline = current.headline;
        if let Some(days) = &current.figures.days_in_custody_now {
            held.push((entry.clone(), days.to_string()));
        }
        // The domain's flag: still held past the release, in the custody
        // the sentence applies to.
        if let Some(expected) = &current.figures.expected_release
            && current.figures.release_overdue
        {
            overdue.push((entry.clone(), expected.to_string()));
        }
        for recorded in &visible {
            if now.known_at - recorded.recorded_at <= chrono::Duration::days(RECENT_DAYS) {
                recent.push((
                    entry.clone(),
                    recorded.recorded_at,
                    describe(&recorded.event, None),
                ));
            }
        }
        let rank = Headline::ALL
            .iter()
            .position(|h| *h == headline)
            .unwrap_or_default();
        *counts.entry(rank).or_default() += 1;
        let named = wanted.is_empty()
            || std::iter::once(&entry.identity.name)
                .chain(&entry.identity.aliases)
                .any(|name| fold(name).contains(&wanted));
        let in_country = country.is_empty()
            || entry
                .identity
                .country
                .as_deref()
                .is_some_and(|c| fold(c) == fold(&country));
        let in_facility = facility.is_empty() || held_in(&current.custody);
        if named
            && in_country
            && in_facility
            && wanted_headline.is_none_or(|h| h == headline)
            && rows.len() < MAX_ROWS
        {
            rows.push((entry.clone(), headline));
        }
    }
    recent.sort_by_key(|line| std::cmp::Reverse(line.1));
    recent.truncate(MAX_RECENT);
    let account = &auth.account;
    Ok(Html(page(
        UI.people,
        Some(account),
        html! {
            h1 { (UI.people) }
            section.counts aria-labelledby="counts" {
                h2 #counts { (UI.counts) }
                ul.counts {
                    @for (rank, n) in &counts {
                        li { a href={ "/?headline=" (Headline::ALL[*rank].as_str()) } { span.headline { (Headline::ALL[*rank].as_str()) } " " (n) } }
                    }
                }
            }
            @if !held.is_empty() {
                section aria-labelledby="held" {
                    h2 #held { (UI.held_now) }
                    ul #held-list {
                        @for (entry, days) in &held {
                            li { a href=(person_path(&entry.slug)) { (entry.identity.name) } " — " (days) }
                        }
                    }
                }
            }
            @if !overdue.is_empty() {
                section aria-labelledby="overdue" {
                    h2 #overdue { (UI.overdue) }
                    ul #overdue-list {
                        @for (entry, expected) in &overdue {
                            li { a href=(person_path(&entry.slug)) { (entry.identity.name) } " — " (UI.expected_release) ": " (expected) }
                        }
                    }
                }
            }
            @if !recent.is_empty() {
                section aria-labelledby="recent" {
                    h2 #recent { (UI.recent) }
                    ul #recent-list {
                        @for (entry, at, what) in &recent {
                            li { (at.format("%Y-%m-%d %H:%M")) " · " a href=(person_path(&entry.slug)) { (entry.identity.name) } ": " (what) }
                        }
                    }
                }
            }
            section aria-labelledby="roster-downloads" {
                h2 #roster-downloads { (UI.roster_downloads) }
                ul.downloads {
                    @for format in ["html", "md", "json", "csv"] {
                        li {
                            a href={ "/api/v1/roster/report?format=" (format) } #{ "roster-" (format) } { (format) }
                            " · "
                            a href={ "/api/v1/roster/report?format=" (format) "&public=true" } { (format) " (" (UI.public_variant) ")" }
                        }
                    }
                }
            }
            h2 { (UI.find) }
            form.search method="get" action="/" role="search" {
                div {
                    label for="q" { (UI.search) }
                    input #q type="search" name="q" value=(q);
                }
                div {
                    label for="headline" { (UI.headline) }
                    select #headline name="headline" {
                        option value="" { (UI.any) }
                        @for h in Headline::ALL {
                            option value=(h.as_str()) selected[wanted_headline == Some(h)] { (h.as_str()) }
                        }
                    }
                }
                div {
                    label for="country" { (UI.country) }
                    input #country type="text" name="country" value=(country);
                }
                div {
                    label for="facility" { (UI.facility) }
                    input #facility type="text" name="facility" value=(facility);
                }
                button type="submit" { (UI.find) }
            }
            @if rows.is_empty() {
                p { (UI.nobody) }
            } @else {
                div.table-wrap {
                    table #people {
                        thead { tr { th { (UI.people) } th { (UI.aliases) } th { (UI.country) } th { (UI.headline) } } }
                        tbody {
                            @for (entry, headline) in &rows {
                                tr {
                                    td { a href=(person_path(&entry.slug)) { (entry.identity.name) } }
                                    td { (entry.identity.aliases.join(", ")) }
                                    td { (entry.identity.country.clone().unwrap_or_default()) }
                                    td { span.headline { (headline.as_str()) } }
                                }
                            }
                        }
                    }
                }
            }
        },
    ).into_string()))
}

/// The query of a person's page.
#[derive(Debug, Deserialize)]
pub struct PersonParams {
    /// The valid time.
    pub as_of: Option<String>,
    /// The transaction time.
    pub known_at: Option<String>,
    /// Set after a successful recording, to say so.
    pub done: Option<String>,
}

/// A kind as the stored form spells it, in words (`travel_ban`: "travel ban").
fn words<T: serde::Serialize>(kind: &T) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|value| value.as_str().map(|text| text.replace('_', " ")))
        .unwrap_or_default()
}

fn charges(charges: &[habeas_domain::event::Charge]) -> String {
    charges
        .iter()
        .map(|charge| match &charge.article {
            Some(article) => format!("{} ({article})", charge.offence),
            None => charge.offence.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn legal(legal: &Legal) -> Option<String> {
    let court = |court: &Option<String>| {
        court
            .as_deref()
            .map(|c| format!(", {c}"))
            .unwrap_or_default()
    };
    Some(match legal {
        Legal::NotCharged => return None,
        Legal::Charged {
            since,
            charges: list,
            court: at,
        } => format!("charged since {since}{}: {}", court(at), charges(list)),
        Legal::Convicted {
            on,
            term,
            court: at,
            in_absentia,
            suspended,
            charges: list,
        } => {
            let mut text = format!("sentenced on {on}{}", court(at));
            if let Some(term) = term {
                text.push_str(&format!(" to {term}"));
            }
            if *in_absentia {
                text.push_str(", in absentia");
            }
            if *suspended {
                text.push_str(", suspended");
            }
            if !list.is_empty() {
                text.push_str(&format!(": {}", charges(list)));
            }
            text
        }
        Legal::Acquitted { on } => format!("acquitted on {on}"),
        Legal::ChargesDropped { on } => format!("charges dropped on {on}"),
    })
}

/// `text` percent-encoded for a query string.
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b':') {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// What a line of the history says: the event's noun and date, and for an
/// amendment the fact it amends.
fn describe(event: &Event, amended: Option<&Event>) -> String {
    let dated = |event: &Event| match event.facts() {
        Some(facts) => format!("{} ({})", event.noun(), facts.occurred),
        None => event.noun().to_owned(),
    };
    let detail = match event {
        Event::Detained(detention) => detention
            .facility
            .as_deref()
            .or(detention.place.as_deref())
            .map(|where_| format!(", {where_}")),
        Event::Transferred(transfer) => Some(format!(" to {}", transfer.to_facility)),
        Event::StatementIssued(statement) => {
            Some(format!(" by {}: {}", statement.by, statement.summary))
        }
        _ => None,
    }
    .unwrap_or_default();
    match (event, amended) {
        (Event::EventCorrected(correction), Some(before)) => format!(
            "{} {} → {}: {}",
            UI.corrects,
            dated(before),
            dated(&correction.corrected),
            correction.reason
        ),
        (Event::EventRetracted(retraction), Some(before)) => {
            format!("{} {}: {}", UI.retracts, dated(before), retraction.reason)
        }
        (Event::PersonRegistered(registration), _) => {
            format!("{}: {}", event.noun(), registration.name)
        }
        _ => format!("{}{detail}", dated(event)),
    }
}

/// `GET /people/{person}?as_of=&known_at=`
pub async fn person(
    State(state): State<AppState>,
    Page(auth): Page<AnyRole>,
    PathParam(reference): PathParam,
    Query(params): Query<PersonParams>,
) -> Result<Html<String>, WebError> {
    let as_of = params.as_of.as_deref().filter(|t| !t.trim().is_empty());
    let known_at = params.known_at.as_deref().filter(|t| !t.trim().is_empty());
    let view = view(as_of.map(str::trim), known_at.map(str::trim))?;
    let entry = crate::routes::person(state.tracker(), &reference).await?;
    let filter = auth.filter();
    let entries = state.tracker().history(entry.id).await?;
    let recorded: Vec<RecordedEvent> = entries
        .iter()
        .map(|e| RecordedEvent {
            id: EventId::from_uuid(e.envelope.event_id),
            recorded_at: e.envelope.recorded_at,
            command_id: e.envelope.command_id.map(CommandId::from_uuid),
            event: e.event.clone(),
        })
        .collect();
    note_restricted_read(
        &state,
        filter,
        !Filter::new(Clearance::PublicOnly)
            .hidden(&recorded)
            .is_empty(),
        &auth.account.name,
        auth.address.clone(),
        format!("page of {}", entry.id),
    )
    .await;
    let person_history = filter.history(
        state
            .tracker()
            .history_of(Subject::Person(entry.id))
            .await?,
    );
    let current: Status = status(&person_history, view);
    let visible = filter.history(recorded);
    // The history as the caller may see it, each line with the headline
    // right after it computed from the visible events only (the facade's
    // `headline_after` counts restricted facts too).
    let shown: Vec<_> = entries
        .iter()
        .filter_map(|e| {
            let idx = visible
                .iter()
                .position(|r| *r.id.as_uuid() == e.envelope.event_id)?;
            let then = View {
                as_of: visible[idx].recorded_at.date_naive(),
                known_at: visible[idx].recorded_at,
            };
            Some((e, status(&visible[..=idx], then).headline))
        })
        .collect();
    let report = state
        .tracker()
        .person_report(
            entry.id,
            ReportOptions {
                view,
                public: filter.public_reports(false),
            },
        )
        .await;
    // As known before the person was registered there is no report, and
    // no timeline to draw.
    let report = match report {
        Ok(report) => Some(report),
        Err(habeas::error::TrackerError::UnknownPerson { .. }) => None,
        Err(other) => return Err(other.into()),
    };
    let timeline = report
        .as_ref()
        .and_then(habeas_report::html::person_timeline);
    // Sources, numbered in the order the history first cites them.
    let mut sources: Vec<Source> = Vec::new();
    let mut cited: Vec<Vec<usize>> = Vec::new();
    for (line, _) in &shown {
        let mut numbers = Vec::new();
        let facts = match &line.event {
            Event::EventCorrected(correction) => correction.corrected.facts().cloned(),
            other => other.facts().cloned(),
        };
        numbers.extend(cite(
            &mut sources,
            &facts.map(|f| f.sources).unwrap_or_default(),
        ));
        cited.push(numbers);
    }
    let role = auth.account.role;
    let may_record = role >= Role::Documenter;
    let name = current
        .identity
        .as_ref()
        .map(|i| i.name.clone())
        .unwrap_or_else(|| entry.identity.name.clone());
    // The case's sections, citing into the same numbered sources.
    let case = report
        .as_ref()
        .map(|report| case_sections::sections(report, &name, &mut sources));
    let path = person_path(&entry.slug);
    // The downloads replay the page's view: its as-of day and known-at moment.
    let mut view_query = String::new();
    for (name, value) in [("as_of", as_of), ("known_at", known_at)] {
        if let Some(value) = value {
            view_query.push_str(&format!("&{name}={}", query_value(value.trim())));
        }
    }
    let report_link = |format: &str, public: bool| {
        format!(
            "/api/v1{path}/report?format={format}{}{view_query}",
            if public { "&public=true" } else { "" }
        )
    };
    Ok(Html(page(
        &name,
        Some(&auth.account),
        html! {
            h1 { (name) }
            @if params.done.is_some() {
                p.notice role="status" #done { (UI.recorded) " " span.headline { (current.headline.as_str()) } }
            }
            p.status { span.headline #headline { (current.headline.as_str()) } " " (habeas_report::describe::custody(&current.custody)) }
            p.view { (UI.as_of) ": " strong { (current.view.as_of) } " · " (UI.known_at) ": " strong { (current.view.known_at.format("%Y-%m-%d %H:%M UTC")) } }
            @if let Some(possibly) = &current.possibly {
                p.possibly #possibly {
                    (UI.possibly) " " span.headline { (possibly.headline.as_str()) } " — "
                    @for (idx, fact) in possibly.facts.iter().enumerate() {
                        @if idx > 0 { ", " }
                        (habeas_domain::event::noun_of(&fact.event_type)) " (" (fact.occurred) ")"
                    }
                }
            }
            form.pickers method="get" action=(path) {
                div {
                    label for="as_of" { (UI.as_of) }
                    input #as_of type="text" name="as_of" value=(as_of.unwrap_or_default()) pattern="[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?";
                }
                div {
                    label for="known_at" { (UI.known_at) }
                    input #known_at type="text" name="known_at" value=(known_at.unwrap_or_default());
                }
                button type="submit" { (UI.show) }
            }
            @if let Some(text) = legal(&current.legal) {
                p #legal { (text) }
            }
            @if !current.restrictions.is_empty() {
                ul #restrictions {
                    @for restriction in &current.restrictions {
                        li {
                            (UI.restriction) " " (words(&restriction.kind)) " " (UI.since) " " (restriction.since)
                            @if let Some(until) = &restriction.until { " " (UI.until) " " (until) }
                            @if let Some(description) = &restriction.description { ": " (description) }
                        }
                    }
                }
            }
            section aria-labelledby="figures" {
                h2 #figures { (UI.figures) }
                dl.fields {
                    @if let Some(now) = &current.figures.days_in_custody_now {
                        dt { (UI.days_now) } dd { (now.in_words()) }
                    }
                    dt { (UI.days_total) } dd {
                        @match &current.figures.days_in_custody_total {
                            Some(total) => (total.in_words()),
                            None => (UI.unknown_no_custody),
                        }
                    }
                    @if let Some(term) = &current.figures.term {
                        dt { (UI.term) } dd { (term) }
                    }
                    @if let Some(expected) = &current.figures.expected_release {
                        dt { (UI.expected_release) } dd { (expected) }
                        @if current.figures.release_overdue {
                            dt { (UI.release_overdue) } dd.warning { (UI.release_overdue_text) }
                        }
                    }
                    @if let Some(served) = &current.figures.served {
                        dt { (UI.served) } dd { (served) }
                    }
                }
            }
            section aria-labelledby="timeline" {
                h2 #timeline { (UI.timeline) }
                @match timeline {
                    // The picture scrolls sideways on a narrow screen: the
                    // scroller is focusable, so a keyboard can scroll it.
                    Some(svg) => div.timeline-scroll tabindex="0" role="region" aria-label=(UI.timeline) { (PreEscaped(svg)) },
                    None => p { (UI.no_timeline) },
                }
            }
            @if may_record {
                section aria-labelledby="record" {
                    h2 #record { (UI.record) }
                    form.inline method="get" action={ (path) "/record" } {
                        label for="action" { (UI.development) }
                        select #action name="action" {
                            @for key in DEVELOPMENTS {
                                option value=(key) { (UI.label(key)) }
                            }
                        }
                        button type="submit" { (UI.open_form) }
                    }
                }
            }
            @if let Some(case) = case { (case) }
            section aria-labelledby="history" {
                h2 #history { (UI.history) }
                div.table-wrap {
                    table #history-table {
                        thead { tr { th { (UI.recorded_at) } th { (UI.recorded_by) } th { (UI.what) } th { (UI.sources) } th { (UI.headline_after) } } }
                        tbody {
                            @for ((line, headline_after), numbers) in shown.iter().zip(&cited) {
                                @let id = EventId::from_uuid(line.envelope.event_id);
                                @let restricted = line.event.facts().is_some_and(|f| f.visibility == Visibility::Restricted);
                                @let amendable = may_record && line.event.facts().is_some() && (role >= Role::Editor || line.envelope.recorded_by == auth.account.name);
                                tr id={ "event-" (id) } {
                                    td.date { (line.envelope.recorded_at.format("%Y-%m-%d %H:%M")) }
                                    td { (line.envelope.recorded_by) }
                                    td {
                                        (describe(&line.event, line.amended.as_ref()))
                                        @if restricted { " " span.tag { (UI.restricted_mark) } }
                                        @if amendable {
                                            details.amend {
                                                summary { (UI.correct) " / " (UI.retract) }
                                                form method="post" action={ "/events/" (id) "/correct" } {
                                                    (date_inputs(&format!("c-{id}"), &BTreeMap::new()))
                                                    label for={ "c-" (id) "-reason" } { (UI.reason) }
                                                    input id={ "c-" (id) "-reason" } type="text" name="reason" required;
                                                    button type="submit" { (UI.correct) }
                                                }
                                                form method="post" action={ "/events/" (id) "/retract" } {
                                                    label for={ "r-" (id) "-reason" } { (UI.reason) }
                                                    input id={ "r-" (id) "-reason" } type="text" name="reason" required;
                                                    button.danger type="submit" { (UI.retract) }
                                                }
                                            }
                                        }
                                    }
                                    td { @for n in numbers { a href={ "#source-" (n) } { "[" (n) "]" } " " } }
                                    td { span.headline { (headline_after.as_str()) } }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="sources" {
                h2 #sources { (UI.sources) }
                ol.sources {
                    @for (idx, source) in sources.iter().enumerate() {
                        li id={ "source-" (idx + 1) } {
                            @if let Some(url) = source.url.as_deref().and_then(habeas_report::escape::linkable_url) {
                                a href=(url) rel="noopener noreferrer" { (source.title.clone().unwrap_or_else(|| url.clone())) }
                            } @else {
                                (source.title.clone().or_else(|| source.document.clone()).or_else(|| source.url.clone()).unwrap_or_default())
                            }
                            @if let Some(publisher) = &source.publisher { " — " (publisher) }
                        }
                    }
                }
            }
            section aria-labelledby="downloads" {
                h2 #downloads { (UI.downloads) }
                ul.downloads {
                    @for format in ["html", "md", "json"] {
                        li { a href=(report_link(format, false)) #{ "report-" (format) } { (format) } " · " a href=(report_link(format, true)) { (format) " (" (UI.public_variant) ")" } }
                    }
                }
            }
        },
    ).into_string()))
}
