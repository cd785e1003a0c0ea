//! Client mode: `habeas --server URL --token TOKEN status|history|person
//! list|report|log …` asks a running `habeas serve` instead of opening a
//! store (which the server holds, on a data directory). The server decides
//! everything (who may read or record what, and which restricted facts the
//! account may see); this side only turns arguments into requests and the
//! answers into the CLI's own output, with the same renderers where the API
//! sends the same data.

use std::io::Write;

use anyhow::Context;
use habeas::people::PersonEntry;
use habeas::tracker::{HistoryEntry, Recorded};
use habeas_domain::command::Action;
use habeas_domain::event::Event;
use habeas_domain::id::{EventId, PersonId, StatementId};
use habeas_domain::status::{Headline, Status};
use habeas_store::StreamId;
use serde::Deserialize;

use crate::args::{
    Cli, Command, HistoryArgs, PersonCommand, PersonListArgs, ReportArgs, ReportFormat, StatusArgs,
};
use crate::client::Remote;
use crate::exit::Failure;
use crate::log::Entry;
use crate::output;

/// Runs the command against the server at `url`.
pub(crate) fn run(cli: Cli, url: &str) -> anyhow::Result<()> {
    let token = cli
        .token()
        .map_err(Failure::usage)?
        .ok_or_else(|| {
            Failure::usage(format!(
                "--server {url} needs a token: set HABEAS_TOKEN (or pass --token), made by an admin with `habeas token create NAME --user USER`"
            ))
        })?;
    let remote = Remote::new(url, token)?;
    match cli.command {
        Command::Status(args) => status(&remote, args),
        Command::History(args) => history(&remote, args),
        Command::Person(PersonCommand::List(args)) => person_list(&remote, args),
        Command::Report(args) => report(&remote, args),
        Command::Log(command) => log(&remote, command),
        _ => Err(Failure::usage(format!(
            "with --server (or HABEAS_SERVER) habeas runs status, history, person list, report and log through the server at {}; use the web pages or the API there for the rest, or leave out --server (unset HABEAS_SERVER) to open a store",
            remote.base()
        ))
        .into()),
    }
}

/// `text` as one path segment: every byte but the unreserved ones
/// percent-encoded (names have spaces, accents and other scripts).
fn segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The valid and transaction times as the API's query takes them.
fn view_query(
    as_of: Option<habeas_domain::date::PartialDate>,
    known_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    if let Some(date) = as_of {
        // A partial --as-of means "by the end of that month or year", as
        // without --server.
        query.push(("as_of", date.latest().to_string()));
    }
    if let Some(moment) = known_at {
        query.push((
            "known_at",
            moment.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        ));
    }
    query
}

fn read<T: serde::de::DeserializeOwned>(body: &str, what: &str) -> anyhow::Result<T> {
    serde_json::from_str(body).with_context(|| {
        format!("the server's answer to {what} does not read (a server of another version?)")
    })
}

/// `GET …/status`, as the API sends it.
#[derive(Deserialize)]
struct StatusAnswer {
    id: PersonId,
    slug: String,
    status: Status,
}

fn fetch_status(
    remote: &Remote,
    person: &str,
    query: &[(&str, String)],
) -> anyhow::Result<(String, StatusAnswer)> {
    let body = remote.get(&format!("/people/{}/status", segment(person)), query)?;
    let answer = read(&body, "status")?;
    Ok((body, answer))
}

fn status(remote: &Remote, args: StatusArgs) -> anyhow::Result<()> {
    let query = view_query(args.as_of, args.known_at);
    let (body, answer) = fetch_status(remote, &args.person, &query)?;
    let mut out = std::io::stdout().lock();
    if args.output.json {
        let json: serde_json::Value = read(&body, "status")?;
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(());
    }
    let identity = answer
        .status
        .identity
        .clone()
        .context("the server sent a status without the person's identity")?;
    let person = PersonEntry {
        id: answer.id,
        slug: answer.slug,
        identity,
    };
    output::status_text(&mut out, &person, &answer.status)?;
    Ok(())
}

/// One line of `GET …/history`.
#[derive(Deserialize)]
struct HistoryLine {
    envelope: habeas_store::Envelope,
    headline_after: Headline,
}

/// The fact a correction or retraction at `index` amends, as it stood just
/// before it: the latest earlier correction of the same event, else the
/// event itself (the API sends the history, not this).
fn amended(entries: &[HistoryEntry], index: usize) -> Option<Event> {
    let target = match &entries[index].event {
        Event::EventCorrected(correction) => correction.target,
        Event::EventRetracted(retraction) => retraction.target,
        _ => return None,
    };
    entries[..index]
        .iter()
        .rev()
        .find_map(|earlier| match &earlier.event {
            Event::EventCorrected(correction) if correction.target == target => {
                Some((*correction.corrected).clone())
            }
            _ if earlier.envelope.event_id == *target.as_uuid() => Some(earlier.event.clone()),
            _ => None,
        })
}

fn history(remote: &Remote, args: HistoryArgs) -> anyhow::Result<()> {
    let body = remote.get(&format!("/people/{}/history", segment(&args.person)), &[])?;
    let lines: Vec<HistoryLine> = read(&body, "history")?;
    let mut entries = Vec::with_capacity(lines.len());
    for line in lines {
        let event = habeas::codec::recorded(&line.envelope)?.event;
        entries.push(HistoryEntry {
            envelope: line.envelope,
            event,
            headline_after: line.headline_after,
            statement: None,
            amended: None,
        });
    }
    for index in 0..entries.len() {
        entries[index].amended = amended(&entries, index);
    }
    output::list(
        args.output.json,
        &entries,
        output::history_entry_json,
        output::history_text,
    )
}

/// One person of `GET /people`.
#[derive(Deserialize, serde::Serialize)]
struct Found {
    id: PersonId,
    slug: String,
    name: String,
    aliases: Vec<String>,
    headline: Headline,
}

/// A page of `GET /people`.
#[derive(Deserialize)]
struct Page {
    items: Vec<Found>,
    next_offset: Option<usize>,
}

fn person_list(remote: &Remote, args: PersonListArgs) -> anyhow::Result<()> {
    let mut people = Vec::new();
    let mut offset = Some(0);
    while let Some(from) = offset {
        let body = remote.get(
            "/people",
            &[("offset", from.to_string()), ("limit", "500".to_owned())],
        )?;
        let page: Page = read(&body, "the list of people")?;
        people.extend(page.items);
        offset = page.next_offset.filter(|next| *next > from);
    }
    people.retain(|person| args.status.is_none_or(|wanted| person.headline == wanted));
    people.sort_by_cached_key(|person| (habeas::people::fold(&person.name), person.id));
    let mut out = std::io::stdout().lock();
    if args.output.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&people)?)?;
        return Ok(());
    }
    if people.is_empty() {
        writeln!(out, "no people")?;
        return Ok(());
    }
    writeln!(
        out,
        "{} {} STATUS",
        output::pad("SLUG", 24),
        output::pad("NAME", 22)
    )?;
    for person in &people {
        writeln!(
            out,
            "{} {} {}",
            output::pad(&person.slug, 24),
            output::pad(&person.name, 22),
            person.headline
        )?;
    }
    Ok(())
}

fn report(remote: &Remote, args: ReportArgs) -> anyhow::Result<()> {
    let format = match args.format {
        ReportFormat::Md => "md",
        ReportFormat::Html => "html",
        ReportFormat::Json => "json",
        ReportFormat::Csv => "csv",
    };
    let mut query = view_query(args.as_of, args.known_at);
    query.push(("format", format.to_owned()));
    query.push(("public", args.public.to_string()));
    let text = match &args.person {
        None => remote.get("/roster/report", &query)?,
        Some(_) if args.format == ReportFormat::Csv => {
            return Err(Failure::usage(
                "csv is for rosters (--roster); use md, html or json for one person",
            )
            .into());
        }
        Some(person) => remote.get(&format!("/people/{}/report", segment(person)), &query)?,
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// What `POST /commands` recorded.
#[derive(Deserialize)]
struct RecordAnswer {
    stream: String,
    person: Option<PersonId>,
    statement: Option<StatementId>,
    event_ids: Vec<EventId>,
    position: u64,
    already_applied: bool,
}

impl RecordAnswer {
    fn recorded(&self) -> anyhow::Result<Recorded> {
        Ok(Recorded {
            stream: StreamId::new(self.stream.clone())
                .context("the server named a stream that does not read")?,
            event_ids: self.event_ids.clone(),
            last_position: self.position,
            already_applied: self.already_applied,
        })
    }
}

/// One command of the JSON-lines format: the action's `action` and
/// `fields`, and the other keys given.
fn command_line(
    action: &Action,
    extra: &[(&str, serde_json::Value)],
) -> anyhow::Result<serde_json::Value> {
    let mut line = serde_json::to_value(action)?;
    let object = line
        .as_object_mut()
        .context("an action is an object with action and fields")?;
    for (key, value) in extra {
        object.insert((*key).to_owned(), value.clone());
    }
    Ok(line)
}

fn log(remote: &Remote, command: crate::args::LogCommand) -> anyhow::Result<()> {
    let (person, command_id, action, json) = match crate::log::entry(command)? {
        Entry::Case {
            person,
            command_id,
            action,
            json,
        } => (person, command_id, action, json),
        Entry::Statement(args) => return statement(remote, args),
    };
    let noun = output::event_noun(&action.clone().into_event());
    let mut extra = vec![("person", serde_json::json!(person))];
    if let Some(id) = command_id {
        extra.push(("command_id", serde_json::json!(id)));
    }
    let body = remote.post("/commands", &command_line(&action, &extra)?)?;
    let answer: RecordAnswer = read(&body, "the command")?;
    let recorded = answer.recorded()?;
    let id = answer
        .person
        .context("the server recorded the development in no person's case")?;
    let (_, now) = fetch_status(remote, &id.to_string(), &[])?;
    let headline = now.status.headline;
    let name = now
        .status
        .identity
        .as_ref()
        .map_or_else(|| now.slug.clone(), |identity| identity.name.clone());
    output::development_recorded(
        json,
        &output::Development {
            noun,
            person: id,
            name: &name,
            slug: &now.slug,
            recorded: &recorded,
            headline,
            command_id,
        },
    )?;
    Ok(())
}

fn statement(remote: &Remote, args: crate::args::StatementArgs) -> anyhow::Result<()> {
    let command_id = args.facts.command_id;
    let json = args.facts.output.json;
    let action = Action::IssueStatement(habeas_domain::event::Statement {
        facts: crate::convert::facts(&args.facts).map_err(Failure::usage_from)?,
        by: args.by,
        by_role: args.role,
        about: Vec::new(),
        kind: args.kind.into(),
        summary: args.summary,
    });
    let mut line = command_line(&action, &[])?;
    // The command format names the people a statement is about by
    // reference; the server resolves them.
    line["fields"]["about"] = serde_json::json!(args.about);
    if let Some(id) = command_id {
        line["command_id"] = serde_json::json!(id);
    }
    let body = remote.post("/commands", &line)?;
    let answer: RecordAnswer = read(&body, "the statement")?;
    let recorded = answer.recorded()?;
    let id = answer
        .statement
        .context("the server recorded the statement in no statement's stream")?;
    let mut out = std::io::stdout().lock();
    if json {
        let mut value = output::recorded_json("statement", &recorded, None);
        value["statement"] = serde_json::json!(id);
        writeln!(out, "{value}")?;
    } else {
        writeln!(
            out,
            "statement recorded as statement {id} (event {}, position {})",
            output::first_event(&recorded),
            recorded.last_position
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_becomes_one_path_segment() {
        // (reference, segment)
        let cases = [
            ("rong-chhun", "rong-chhun"),
            ("Rong Chhun", "Rong%20Chhun"),
            ("../export", "..%2Fexport"),
            ("Lê", "L%C3%AA"),
        ];
        for (reference, expected) in cases {
            assert_eq!(segment(reference), expected);
        }
    }
}
