//! The forms that record: register a person, record a development, correct
//! a date, retract a fact. A form is turned into one command of the
//! JSON-lines format and recorded by the API's own
//! [`crate::routes::commands::record_line`] (or, for corrections and
//! retractions, the tracker's `correct` and `retract` after the API's
//! [`crate::routes::amend::amendable`] check), so the rules, the roles and
//! the restricted-fact filter are the API's. A rejected form comes back
//! with the rule's message beside it, naming the conflicting events with
//! links, and with what the user typed.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use habeas::error::TrackerError;
use habeas::tracker::Subject;
use habeas_domain::amendment::Amendment;
use habeas_domain::date::PartialDate;
use habeas_domain::history::CaseFile;
use habeas_domain::id::{EventId, PersonId};
use maud::{Markup, html};
use serde_json::{Map, Value, json};

use crate::auth::{Authenticated, CanRecord};
use crate::error::AppError;
use crate::input::PathParam;
use crate::routes::amend::amendable;
use crate::routes::commands::record_line;
use crate::state::AppState;
use crate::web::layout::{Page, WebError, page, person_path, respond};
use crate::web::strings::UI;

/// What a form sent, by field name (the last value of a repeated name).
type Values = BTreeMap<String, String>;

/// The developments a form can record, by their key in URLs (labels in
/// [`crate::web::strings::Ui::label`]).
pub const DEVELOPMENTS: [&str; 16] = [
    "detained",
    "charged",
    "hearing",
    "appeal",
    "sentenced",
    "acquitted",
    "charges_dropped",
    "released",
    "transferred",
    "restricted",
    "restriction_lifted",
    "disappeared",
    "statement",
    "death",
    "exile",
    "recognised",
];

/// One input of a development's own fields, by field name (its label is
/// [`crate::web::strings::Ui::label`]).
enum Input {
    Text(&'static str),
    Choice(&'static str, &'static [&'static str]),
    Number(&'static str),
    /// A checkbox: the field is `true` when ticked, absent otherwise.
    Flag(&'static str),
}

const DETENTION_KINDS: &[&str] = &[
    "arrest",
    "administrative_detention",
    "house_arrest",
    "enforced_disappearance",
    "other",
];
const RELEASE_KINDS: &[&str] = &[
    "sentence_served",
    "bail",
    "parole",
    "pardon",
    "amnesty",
    "acquittal",
    "medical",
    "early_release_without_reason",
    "escape",
    "other",
];
const RESTRICTION_KINDS: &[&str] = &[
    "political_activity_ban",
    "travel_ban",
    "house_arrest",
    "surveillance",
    "other",
];
const STATEMENT_KINDS: &[&str] = &[
    "condemnation",
    "call_for_release",
    "denial",
    "official_position",
    "other",
];
const TERM_KINDS: &[&str] = &["fixed", "life", "death"];
const CONFIDENCES: &[&str] = &["reported", "confirmed", "alleged", "disputed"];

/// The action of the JSON-lines format and the inputs of a development.
fn development(key: &str) -> Option<(&'static str, Vec<Input>)> {
    use Input::{Choice, Flag, Number, Text};
    Some(match key {
        "detained" => (
            "record_detention",
            vec![
                Choice("kind", DETENTION_KINDS),
                Text("place"),
                Text("facility"),
                Text("authority"),
            ],
        ),
        "charged" => (
            "record_charges",
            vec![
                Text("offence"),
                Text("article"),
                Text("court"),
                Text("case_number"),
            ],
        ),
        "hearing" => ("record_hearing", vec![Text("court"), Text("outcome")]),
        "appeal" => ("record_appeal", vec![Text("court"), Text("outcome")]),
        "acquitted" => ("record_acquittal", vec![Text("court")]),
        "charges_dropped" => ("record_charges_dropped", vec![Text("court")]),
        "restriction_lifted" => ("lift_restriction", vec![Choice("kind", RESTRICTION_KINDS)]),
        "disappeared" => ("record_disappearance", vec![Text("circumstances")]),
        "recognised" => ("recognise_political_prisoner", vec![Text("by")]),
        "sentenced" => (
            "record_sentence",
            vec![
                Choice("term_kind", TERM_KINDS),
                Number("years"),
                Number("months"),
                Number("days"),
                Text("court"),
                Text("convicted_of"),
                Flag("in_absentia"),
                Flag("suspended"),
            ],
        ),
        "released" => (
            "record_release",
            vec![
                Choice("kind", RELEASE_KINDS),
                Text("ordered_by"),
                Text("conditions"),
            ],
        ),
        "transferred" => (
            "record_transfer",
            vec![Text("from_facility"), Text("to_facility")],
        ),
        "restricted" => (
            "impose_restriction",
            vec![Choice("kind", RESTRICTION_KINDS), Text("description")],
        ),
        "statement" => (
            "issue_statement",
            vec![
                Text("by"),
                Text("by_role"),
                Choice("kind", STATEMENT_KINDS),
                Text("summary"),
            ],
        ),
        "death" => ("record_death_in_custody", vec![Text("circumstances")]),
        "exile" => ("record_exile", vec![Text("country"), Text("circumstances")]),
        _ => return None,
    })
}

fn value<'a>(values: &'a Values, name: &str) -> &'a str {
    values.get(name).map(|v| v.trim()).unwrap_or_default()
}

/// The year, month and day inputs of a partial date, and its approximate
/// flag; `prefix` keeps ids unique on a page with several.
pub fn date_inputs(prefix: &str, values: &Values) -> Markup {
    dated_inputs(prefix, values, None)
}

/// [`date_inputs`], with the rule's message about the date beside them
/// (`error`), which the inputs name as their description.
fn dated_inputs(prefix: &str, values: &Values, error: Option<Markup>) -> Markup {
    let invalid = error.as_ref().map(|_| "true");
    let described = error.as_ref().map(|_| "error-date");
    html! {
        fieldset.date {
            legend { (UI.date) }
            div {
                label for={ (prefix) "-year" } { (UI.year) }
                input id={ (prefix) "-year" } type="text" name="year" inputmode="numeric" size="4" value=(value(values, "year")) required aria-invalid=[invalid] aria-describedby=[described];
            }
            div {
                label for={ (prefix) "-month" } { (UI.month) }
                input id={ (prefix) "-month" } type="text" name="month" inputmode="numeric" size="2" value=(value(values, "month")) aria-invalid=[invalid] aria-describedby=[described];
            }
            div {
                label for={ (prefix) "-day" } { (UI.day) }
                input id={ (prefix) "-day" } type="text" name="day" inputmode="numeric" size="2" value=(value(values, "day")) aria-invalid=[invalid] aria-describedby=[described];
            }
            div.check {
                input id={ (prefix) "-approx" } type="checkbox" name="approx" value="yes" checked[values.contains_key("approx")];
                label for={ (prefix) "-approx" } { (UI.approximate) }
            }
            div.check {
                input id={ (prefix) "-before" } type="checkbox" name="on_or_before" value="yes" checked[values.contains_key("on_or_before")];
                label for={ (prefix) "-before" } { (UI.on_or_before) }
            }
            @if let Some(error) = error { (error) }
        }
    }
}

/// The partial date the inputs spell (`2020`, `2020-07`, `2020-07-14`, with
/// `~` if approximate), checked by the domain's parser.
fn date_of(values: &Values, field: &str) -> Result<Option<String>, AppError> {
    let (year, month, day) = (
        value(values, "year"),
        value(values, "month"),
        value(values, "day"),
    );
    if year.is_empty() && month.is_empty() && day.is_empty() {
        return Ok(None);
    }
    let number = |name: &str, text: &str| {
        text.parse::<u32>().map_err(|_| {
            AppError::bad_input(name, format!("{text:?} is not a number: write digits"))
        })
    };
    let mut text = format!("{:04}", number("year", year)?);
    if !month.is_empty() {
        text.push_str(&format!("-{:02}", number("month", month)?));
    }
    if !day.is_empty() {
        if month.is_empty() {
            return Err(AppError::bad_input(
                "day",
                "a day needs its month: give the month too, or leave the day empty",
            ));
        }
        text.push_str(&format!("-{:02}", number("day", day)?));
    }
    if values.contains_key("approx") {
        text.push('~');
    }
    if values.contains_key("on_or_before") {
        // A day nobody gave, on or before the date typed (`..DATE`).
        text.insert_str(0, "..");
    }
    text.parse::<PartialDate>()
        .map_err(|err| AppError::bad_input(field, err.to_string()))?;
    Ok(Some(text))
}

fn sources_of(values: &Values) -> Vec<Value> {
    value(values, "sources")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            if line.starts_with("http://") || line.starts_with("https://") {
                json!({"url": line})
            } else {
                json!({"document": line})
            }
        })
        .collect()
}

/// The inputs every fact has: date, sources, confidence, restricted, note;
/// the rule's message beside the one it concerns.
fn fact_inputs(values: &Values, rejected: Option<&Rejected>) -> Markup {
    html! {
        (dated_inputs("f", values, beside(rejected, "date")))
        label for="sources" { (UI.sources_input) }
        textarea #sources name="sources" rows="3" dir="auto" aria-describedby=(described(rejected, "sources", "sources-hint")) aria-invalid=[invalid(rejected, "sources")] { (value(values, "sources")) }
        p.hint #sources-hint { (UI.sources_hint) }
        @if let Some(error) = beside(rejected, "sources") { (error) }
        label for="confidence" { (UI.confidence) }
        select #confidence name="confidence" {
            @for c in CONFIDENCES {
                option value=(c) selected[value(values, "confidence") == *c] { (c) }
            }
        }
        div.check {
            input #restricted type="checkbox" name="restricted" value="yes" checked[values.contains_key("restricted")];
            label for="restricted" { (UI.restricted) }
        }
        label for="note" { (UI.note) }
        textarea #note name="note" rows="2" dir="auto" aria-invalid=[invalid(rejected, "note")] { (value(values, "note")) }
        @if let Some(error) = beside(rejected, "note") { (error) }
    }
}

/// A rejection as a form shows it: the rule's message, the input it
/// concerns, and the events it names, described as the history describes
/// them and linked to their line of the person page.
#[derive(Debug, Clone)]
pub struct Rejected {
    message: String,
    field: Option<String>,
    events: Vec<(EventId, String)>,
    person_path: Option<String>,
}

/// The input a rejection concerns: the field bad input names (a date's
/// parts are the date), or for a rule the date (the rules that refuse a
/// development are about when it happened) unless it is about sources.
fn field_of(error: &AppError) -> Option<String> {
    match error {
        AppError::BadInput { field, .. } => {
            let field = field.strip_prefix("fields.").unwrap_or(field);
            let field = field.split(['.', '[']).next().unwrap_or(field);
            Some(match field {
                "year" | "month" | "day" | "occurred" => "date".to_owned(),
                "term" => "term_kind".to_owned(),
                "charges" => "offence".to_owned(),
                other => other.to_owned(),
            })
        }
        AppError::Conflict { message, .. } if message.contains("source") => {
            Some("sources".to_owned())
        }
        AppError::Conflict { .. } => Some("date".to_owned()),
        _ => None,
    }
}

/// "the detention on 2020-07": how a rejection names an event.
fn event_words(event: &habeas_domain::event::Event) -> String {
    match event.facts() {
        Some(facts) => format!("the {} on {}", event.noun(), facts.occurred),
        None => format!("the {}", event.noun()),
    }
}

/// `error` as a form shows it. The events it names are looked up in the
/// history of `person` as the caller may see it; one they may not see is
/// left out (the API's rejection already left it out of the message).
async fn rejected(
    state: &AppState,
    auth: &Authenticated<CanRecord>,
    error: &AppError,
    person: Option<(PersonId, &str)>,
) -> Rejected {
    let (message, ids) = match error {
        AppError::Conflict { message, events } => (
            message
                .strip_prefix("rejected, nothing recorded: ")
                .unwrap_or(message)
                .to_owned(),
            events.clone(),
        ),
        AppError::BadInput { field, message } => (format!("{field}: {message}"), Vec::new()),
        other => (other.to_string(), Vec::new()),
    };
    let mut events = Vec::new();
    if let Some((id, _)) = person.filter(|_| !ids.is_empty())
        && let Ok(history) = state.tracker().history_of(Subject::Person(id)).await
    {
        // Described as it stands after corrections, as the rule saw it.
        let case = CaseFile::from_history(&auth.filter().history(history));
        for wanted in &ids {
            if let Some(entry) = case.entry(*wanted) {
                events.push((*wanted, event_words(&entry.effective)));
            }
        }
    }
    Rejected {
        message,
        field: field_of(error),
        events,
        person_path: person.map(|(_, path)| path.to_owned()),
    }
}

/// The rule's message with each event it names ("the detention on
/// 2020-06 (event …)") turned into a link to its history line, then links
/// to the named events the message does not spell that way.
fn message_with_links(rejected: &Rejected) -> Markup {
    let Some(path) = &rejected.person_path else {
        return html! { (rejected.message) };
    };
    let mut rest = rejected.message.as_str();
    let mut pieces: Vec<(&str, Option<(&EventId, &str)>)> = Vec::new();
    let mut unspelt: Vec<&(EventId, String)> = Vec::new();
    for named in &rejected.events {
        let (id, words) = named;
        let needle = format!("{words} (event {id})");
        match rest.split_once(needle.as_str()) {
            Some((before, after)) => {
                pieces.push((before, Some((id, words.as_str()))));
                rest = after;
            }
            None => unspelt.push(named),
        }
    }
    html! {
        @for (text, link) in &pieces {
            (text)
            @if let Some((id, words)) = link {
                a.event-link href={ (path) "#event-" (id) } { (words) }
            }
        }
        (rest)
        @if !unspelt.is_empty() {
            " " (UI.see) " "
            @for (idx, (id, words)) in unspelt.iter().map(|n| (&n.0, &n.1)).enumerate() {
                @if idx > 0 { ", " }
                a.event-link href={ (path) "#event-" (id) } { (words) }
            }
        }
    }
}

/// The rule's message beside the input `field`, if it concerns it.
fn beside(rejected: Option<&Rejected>, field: &str) -> Option<Markup> {
    let rejected = rejected.filter(|r| r.field.as_deref() == Some(field))?;
    Some(html! {
        p.field-error id={ "error-" (field) } { (message_with_links(rejected)) }
    })
}

fn invalid(rejected: Option<&Rejected>, field: &str) -> Option<&'static str> {
    rejected
        .filter(|r| r.field.as_deref() == Some(field))
        .map(|_| "true")
}

/// The ids that describe an input: its hint, and the rule's message when
/// it concerns it.
fn described(rejected: Option<&Rejected>, field: &str, hint: &str) -> String {
    match invalid(rejected, field) {
        Some(_) => format!("{hint} error-{field}"),
        None => hint.to_owned(),
    }
}

/// The rejection above a form: the message, and links to the events it
/// names (which the filter let through); the input it concerns carries it
/// too ([`beside`]).
fn rejection(rejected: &Rejected) -> Markup {
    html! {
        div.error role="alert" #form-error {
            p { strong { (UI.rejected) } " " (message_with_links(rejected)) }
        }
    }
}

fn form_page(
    auth: &Authenticated<CanRecord>,
    title: &str,
    action: &str,
    error: Option<Markup>,
    inputs: Markup,
) -> Markup {
    page(
        title,
        Some(&auth.account),
        html! {
            h1 { (title) }
            @if let Some(error) = error { (error) }
            form.card method="post" action=(action) {
                (inputs)
                button type="submit" { (UI.save) }
            }
        },
    )
}

fn register_inputs(values: &Values, rejected: Option<&Rejected>) -> Markup {
    html! {
        label for="name" { (UI.person_name) }
        input #name type="text" name="name" dir="auto" value=(value(values, "name")) required aria-invalid=[invalid(rejected, "name")];
        @if let Some(error) = beside(rejected, "name") { (error) }
        label for="aliases" { (UI.other_names) }
        input #aliases type="text" name="aliases" dir="auto" value=(value(values, "aliases")) aria-invalid=[invalid(rejected, "aliases")];
        @if let Some(error) = beside(rejected, "aliases") { (error) }
        label for="country" { (UI.country) }
        input #country type="text" name="country" dir="auto" value=(value(values, "country")) aria-invalid=[invalid(rejected, "country")];
        @if let Some(error) = beside(rejected, "country") { (error) }
        label for="sources" { (UI.sources_input) }
        textarea #sources name="sources" rows="3" dir="auto" aria-invalid=[invalid(rejected, "sources")] { (value(values, "sources")) }
        @if let Some(error) = beside(rejected, "sources") { (error) }
    }
}

/// `GET /people/new`
pub async fn register_form(Page(auth): Page<CanRecord>) -> Html<String> {
    Html(
        form_page(
            &auth,
            UI.register,
            "/people/new",
            None,
            register_inputs(&Values::new(), None),
        )
        .into_string(),
    )
}

/// `POST /people/new`
pub async fn register(
    State(state): State<AppState>,
    Page(auth): Page<CanRecord>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let values: Values = form.into_iter().collect();
    let mut fields = Map::new();
    fields.insert("name".into(), json!(value(&values, "name")));
    let aliases: Vec<&str> = value(&values, "aliases")
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    if !aliases.is_empty() {
        fields.insert("aliases".into(), json!(aliases));
    }
    if !value(&values, "country").is_empty() {
        fields.insert("country".into(), json!(value(&values, "country")));
    }
    let sources = sources_of(&values);
    if !sources.is_empty() {
        fields.insert("sources".into(), Value::Array(sources));
    }
    let line = json!({"action": "register_person", "fields": fields}).to_string();
    match record_line(&state, &auth, &line).await {
        Ok((_, answer)) => {
            let id = answer
                .person
                .ok_or_else(|| AppError::internal("a registration wrote no person"))?;
            Ok(Redirect::to(&format!("/people/{id}?done=registered")).into_response())
        }
        Err(error) => {
            let rejected = rejected(&state, &auth, &error, None).await;
            Ok(respond(
                error.status(),
                form_page(
                    &auth,
                    UI.register,
                    "/people/new",
                    Some(rejection(&rejected)),
                    register_inputs(&values, Some(&rejected)),
                ),
            ))
        }
    }
}

/// The query of a recording form.
#[derive(Debug, serde::Deserialize)]
pub struct RecordParams {
    /// Which development (a key of [`DEVELOPMENTS`]).
    pub action: Option<String>,
}

fn development_of(key: &str) -> Result<(&'static str, Vec<Input>), AppError> {
    development(key).ok_or_else(|| {
        AppError::bad_input(
            "action",
            format!(
                "{key:?} is not a development: choose one of {}",
                DEVELOPMENTS.join(", ")
            ),
        )
    })
}

fn record_inputs(
    key: &str,
    inputs: &[Input],
    values: &Values,
    rejected: Option<&Rejected>,
) -> Markup {
    html! {
        input type="hidden" name="action" value=(key);
        (fact_inputs(values, rejected))
        @for input in inputs {
            @match input {
                Input::Text(name) => {
                    label for={ "x-" (name) } { (UI.label(name)) }
                    input id={ "x-" (name) } type="text" name=(name) dir="auto" value=(value(values, name)) aria-invalid=[invalid(rejected, name)];
                }
                Input::Number(name) => {
                    label for={ "x-" (name) } { (UI.label(name)) }
                    input id={ "x-" (name) } type="text" inputmode="numeric" name=(name) value=(value(values, name)) aria-invalid=[invalid(rejected, name)];
                }
                Input::Flag(name) => {
                    div.check {
                        input id={ "x-" (name) } type="checkbox" name=(name) value="yes" checked[values.contains_key(*name)] aria-invalid=[invalid(rejected, name)];
                        label for={ "x-" (name) } { (UI.label(name)) }
                    }
                }
                Input::Choice(name, choices) => {
                    label for={ "x-" (name) } { (UI.label(name)) }
                    select id={ "x-" (name) } name=(name) aria-invalid=[invalid(rejected, name)] {
                        @for choice in *choices {
                            option value=(choice) selected[value(values, name) == *choice] { (choice) }
                        }
                    }
                }
            }
            @let name = match input { Input::Text(n) | Input::Number(n) | Input::Choice(n, _) | Input::Flag(n) => *n };
            @if let Some(error) = beside(rejected, name) { (error) }
        }
    }
}

fn label_of(key: &str) -> &str {
    UI.label(key)
}

/// `GET /people/{person}/record?action=`
pub async fn record_form(
    State(state): State<AppState>,
    Page(auth): Page<CanRecord>,
    PathParam(reference): PathParam,
    Query(params): Query<RecordParams>,
) -> Result<Html<String>, WebError> {
    let key = params.action.unwrap_or_else(|| "detained".to_owned());
    let (_, inputs) = development_of(&key)?;
    let entry = crate::routes::person(state.tracker(), &reference).await?;
    let title = format!("{} — {}", entry.identity.name, label_of(&key));
    Ok(Html(
        form_page(
            &auth,
            &title,
            &format!("{}/record", person_path(&entry.slug)),
            None,
            record_inputs(&key, &inputs, &Values::new(), None),
        )
        .into_string(),
    ))
}

/// The JSON-lines command a recording form spells.
fn command_of(
    key: &str,
    action: &str,
    person: &str,
    inputs: &[Input],
    values: &Values,
) -> Result<String, AppError> {
    let mut fields = Map::new();
    if let Some(date) = date_of(values, "occurred")? {
        fields.insert("occurred".into(), json!(date));
    }
    fields.insert("sources".into(), Value::Array(sources_of(values)));
    if !value(values, "confidence").is_empty() {
        fields.insert("confidence".into(), json!(value(values, "confidence")));
    }
    if values.contains_key("restricted") {
        fields.insert("visibility".into(), json!("restricted"));
    }
    if !value(values, "note").is_empty() {
        fields.insert("note".into(), json!(value(values, "note")));
    }
    for input in inputs {
        let (name, default) = match input {
            Input::Flag(name) => {
                if values.contains_key(*name) {
                    fields.insert((*name).into(), json!(true));
                }
                continue;
            }
            Input::Text(name) | Input::Number(name) => (name, None),
            // A select always sends a value; a post without one takes the
            // first choice, as a browser would have.
            Input::Choice(name, choices) => (name, choices.first()),
        };
        let text = value(values, name);
        match (text.is_empty(), default) {
            (false, _) => {
                fields.insert((*name).into(), json!(text));
            }
            (true, Some(default)) => {
                fields.insert((*name).into(), json!(default));
            }
            (true, None) => {}
        }
    }
    match key {
        "charged" => {
            let offence = fields.remove("offence");
            let article = fields.remove("article");
            let mut charge = Map::new();
            charge.insert("offence".into(), offence.unwrap_or(json!("")));
            if let Some(article) = article {
                charge.insert("article".into(), article);
            }
            fields.insert("charges".into(), json!([charge]));
        }
        "sentenced" => {
            if let Some(offence) = fields.remove("convicted_of") {
                fields.insert("offences".into(), json!([{ "offence": offence }]));
            }
            let kind = fields.remove("term_kind").unwrap_or(json!("fixed"));
            let mut term = Map::new();
            term.insert("kind".into(), kind.clone());
            for unit in ["years", "months", "days"] {
                let text = fields.remove(unit);
                if kind == json!("fixed") {
                    let n = match text.as_ref().and_then(Value::as_str) {
                        None => 0,
                        Some(text) => text.parse::<u32>().map_err(|_| {
                            AppError::bad_input(
                                unit,
                                format!("{text:?} is not a number: write digits"),
                            )
                        })?,
                    };
                    term.insert(unit.into(), json!(n));
                }
            }
            fields.insert("term".into(), Value::Object(term));
        }
        "statement" => {
            fields.insert("about".into(), json!([person]));
        }
        _ => {}
    }
    let mut line = Map::new();
    line.insert("action".into(), json!(action));
    line.insert("fields".into(), Value::Object(fields));
    if key != "statement" {
        line.insert("person".into(), json!(person));
    }
    Ok(Value::Object(line).to_string())
}

/// `POST /people/{person}/record`
pub async fn record(
    State(state): State<AppState>,
    Page(auth): Page<CanRecord>,
    PathParam(reference): PathParam,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let values: Values = form.into_iter().collect();
    let key = value(&values, "action").to_owned();
    let (action, inputs) = development_of(&key)?;
    let entry = crate::routes::person(state.tracker(), &reference).await?;
    let path = person_path(&entry.slug);
    let result = match command_of(&key, action, &entry.id.to_string(), &inputs, &values) {
        Ok(line) => record_line(&state, &auth, &line).await.map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{path}?done=recorded")).into_response()),
        Err(error) => {
            let title = format!("{} — {}", entry.identity.name, label_of(&key));
            let rejected = rejected(&state, &auth, &error, Some((entry.id, &path))).await;
            Ok(respond(
                error.status(),
                form_page(
                    &auth,
                    &title,
                    &format!("{path}/record"),
                    Some(rejection(&rejected)),
                    record_inputs(&key, &inputs, &values, Some(&rejected)),
                ),
            ))
        }
    }
}

async fn back_to(state: &AppState, subject: Subject) -> String {
    match subject {
        Subject::Person(id) => match state.tracker().person(id).await {
            Ok(Some(entry)) => person_path(&entry.slug),
            _ => format!("/people/{id}"),
        },
        Subject::Statement(_) => "/".to_owned(),
    }
}

/// A refused correction or retraction, with the events the rule names
/// linked on the person page.
async fn amend_failed(
    state: &AppState,
    auth: &Authenticated<CanRecord>,
    error: AppError,
    back: &str,
    subject: Subject,
) -> Response {
    let person = match subject {
        Subject::Person(id) => Some((id, back)),
        Subject::Statement(_) => None,
    };
    let rejected = rejected(state, auth, &error, person).await;
    respond(
        error.status(),
        page(
            UI.error,
            Some(&auth.account),
            html! {
                h1 { (UI.error) }
                (rejection(&rejected))
                p { a href=(back) { "← " (back) } }
            },
        ),
    )
}

fn reason_of(values: &Values) -> Result<String, AppError> {
    let reason = value(values, "reason");
    if reason.is_empty() || reason.len() > 2000 {
        return Err(AppError::bad_input(
            "reason",
            "say why, in at most 2000 bytes: it is kept in the history",
        ));
    }
    Ok(reason.to_owned())
}

async fn amend(
    state: &AppState,
    auth: &Authenticated<CanRecord>,
    event: &str,
    values: &Values,
    retract: bool,
) -> Result<Response, WebError> {
    let event = event
        .parse()
        .map_err(|_| AppError::bad_input("event", format!("{event:?} is not an event id")))?;
    let subject = amendable(state, auth, event).await?;
    let back = back_to(state, subject).await;
    let reason = match reason_of(values) {
        Ok(reason) => reason,
        Err(error) => return Ok(amend_failed(state, auth, error, &back, subject).await),
    };
    let issued = auth.issued(None);
    let result = if retract {
        state.tracker().retract(event, reason, &issued).await
    } else {
        let occurred = match date_of(values, "occurred") {
            Ok(Some(date)) => date.parse::<PartialDate>().ok(),
            Ok(None) => None,
            Err(error) => return Ok(amend_failed(state, auth, error, &back, subject).await),
        };
        let amendment = Amendment {
            occurred,
            added_sources: Vec::new(),
            facility: None,
            term: None,
        };
        state
            .tracker()
            .correct(event, &amendment, reason, &issued)
            .await
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{back}?done=amended#history")).into_response()),
        Err(TrackerError::Rejected(rejection)) => {
            let history = state.tracker().history_of(subject).await?;
            let error = auth.filter().rejection(rejection, &history);
            Ok(amend_failed(state, auth, error, &back, subject).await)
        }
        Err(other) => Ok(amend_failed(state, auth, other.into(), &back, subject).await),
    }
}

/// `POST /events/{event}/correct`: a new date for a fact.
pub async fn correct(
    State(state): State<AppState>,
    Page(auth): Page<CanRecord>,
    PathParam(event): PathParam,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let values: Values = form.into_iter().collect();
    amend(&state, &auth, &event, &values, false).await
}

/// `POST /events/{event}/retract`
pub async fn retract(
    State(state): State<AppState>,
    Page(auth): Page<CanRecord>,
    PathParam(event): PathParam,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let values: Values = form.into_iter().collect();
    amend(&state, &auth, &event, &values, true).await
}
