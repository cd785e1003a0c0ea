//! Human-readable text for the terminal. Dates are printed at the precision
//! the sources gave; day counts as ranges where a date is partial.

use std::io::{self, Write};

use habeas::PersonStatus;
use habeas::people::PersonEntry;
use habeas::tracker::{HistoryEntry, Recorded};
use habeas_domain::event::{Event, Statement, noun_of};
use habeas_domain::figures::DayRange;
use habeas_domain::id::{CommandId, EventId, PersonId};
use habeas_domain::status::{Custody, Headline, Legal, Status};
use unicode_width::UnicodeWidthStr;

/// The serialized name of a domain enum as words: `early_release_without_reason`
/// → "early release without reason".
fn words(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

fn legal_line(legal: &Legal) -> String {
    let charges = |charges: &[habeas_domain::event::Charge]| {
        charges
            .iter()
            .map(|c| match &c.article {
                Some(article) => format!("{} ({article})", c.offence),
                None => c.offence.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    match legal {
        Legal::NotCharged => "no charge recorded".to_owned(),
        Legal::Charged {
            since,
            charges: list,
            court,
        } => format!(
            "charged {} with {}{}",
            habeas_report::describe::since(since),
            charges(list),
            court.as_ref().map(|c| format!(", {c}")).unwrap_or_default()
        ),
        Legal::Convicted {
            on,
            term,
            court,
            in_absentia,
            suspended,
            charges: list,
        } => {
            let mut line = format!(
                "convicted on {}, sentence: {}",
                habeas_report::describe::date(on),
                term.map_or("term not known".to_owned(), |t| t.to_string())
            );
            if *suspended {
                line.push_str(" (suspended)");
            }
            if *in_absentia {
                line.push_str(" (in absentia)");
            }
            if let Some(court) = court {
                line.push_str(&format!(", {court}"));
            }
            if !list.is_empty() {
                line.push_str(&format!("; charges: {}", charges(list)));
            }
            line
        }
        Legal::Acquitted { on } => format!("acquitted {on}"),
        Legal::ChargesDropped { on } => format!("charges dropped {on}"),
    }
}

/// A person's status as a short block of text.
pub(crate) fn status_text(
    out: &mut impl Write,
    person: &PersonEntry,
    status: &Status,
) -> io::Result<()> {
    let identity = &person.identity;
    writeln!(out, "{}: {}", person.label(), status.headline)?;
    writeln!(
        out,
        "  as of {}, as known at {}",
        status.view.as_of,
        status.view.known_at.format("%Y-%m-%dT%H:%M:%SZ")
    )?;
    if let Some(possibly) = &status.possibly {
        let facts: Vec<String> = possibly
            .facts
            .iter()
            .map(|fact| format!("the {} ({})", noun_of(&fact.event_type), fact.occurred))
            .collect();
        writeln!(
            out,
            "  possibly {} by then: the sources date {} only to a period that may end after {}",
            possibly.headline,
            facts.join(", "),
            status.view.as_of
        )?;
    }
    if !identity.aliases.is_empty() {
        writeln!(out, "  also known as: {}", identity.aliases.join(", "))?;
    }
    let about: Vec<&str> = [identity.affiliation.as_deref(), identity.country.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !about.is_empty() {
        writeln!(out, "  {}", about.join(", "))?;
    }
    writeln!(
        out,
        "  custody: {}",
        habeas_report::describe::custody(&status.custody)
    )?;
    writeln!(out, "  legal: {}", legal_line(&status.legal))?;
    let figures = &status.figures;
    if let Some(now) = figures.days_in_custody_now {
        writeln!(out, "  in custody now for {}", now.in_words())?;
    }
    match figures.days_in_custody_total {
        Some(total) if total.max != Some(0) => {
            writeln!(out, "  days in custody in total: {}", total.in_words())?
        }
        Some(_) => {}
        None => writeln!(
            out,
            "  days in custody in total: unknown (no custody recorded)"
        )?,
    }
    if let Some(end) = figures.expected_release {
        let served = figures
            .served
            .map(|s| format!("; served {s} of the term"))
            .unwrap_or_default();
        // Only someone still held is expecting a release; for anyone else
        // the date is when the term would have ended.
        let label = match status.custody {
            Custody::InCustody { .. } => "expected release",
            _ => "end of term",
        };
        writeln!(out, "  {label}: {end}{served}")?;
        if figures.release_overdue {
            writeln!(
                out,
                "  OVERDUE: the release was due by {}, and no release is recorded: check this person's fate",
                end.latest
            )?;
        }
    }
    for restriction in &status.restrictions {
        writeln!(
            out,
            "  restriction: {}{} since {}{}",
            words(&restriction.kind),
            restriction
                .description
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default(),
            restriction.since,
            restriction
                .until
                .map(|u| format!(" until {u}"))
                .unwrap_or_default()
        )?;
    }
    if let Some(exile) = status.exile {
        writeln!(out, "  in exile since {exile}")?;
    }
    Ok(())
}

/// One statement on one line.
pub(crate) fn statement_line(out: &mut impl Write, statement: &Statement) -> io::Result<()> {
    let role = statement
        .by_role
        .as_ref()
        .map(|r| format!(", {r}"))
        .unwrap_or_default();
    writeln!(
        out,
        "  {} {}{role}: {}",
        statement.facts.occurred, statement.by, statement.summary
    )
}

/// `text` followed by spaces up to `columns` terminal columns, counted by
/// display width: a Chinese character takes two columns, a combining mark
/// none, so `{:<22}` (which counts characters) misaligns such names.
pub(crate) fn pad(text: &str, columns: usize) -> String {
    let width = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(columns.saturating_sub(width)))
}

/// Everyone with their headline, from the read model.
pub(crate) fn person_table(out: &mut impl Write, rows: &[PersonStatus]) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "no people");
    }
    writeln!(
        out,
        "{} {} {} IN CUSTODY NOW",
        pad("SLUG", 24),
        pad("NAME", 22),
        pad("STATUS", 22)
    )?;
    for row in rows {
        let days = row.figures.days_in_custody_now.map_or("-".to_owned(), |d| {
            DayRange {
                min: d.min,
                max: d.max,
            }
            .to_string()
        });
        writeln!(
            out,
            "{} {} {} {days}",
            pad(row.slug.as_deref().unwrap_or("-"), 24),
            pad(&row.display_name(), 22),
            pad(row.headline.as_str(), 22)
        )?;
    }
    Ok(())
}

/// What a recording command wrote, for `--json`: what it recorded, the
/// event ids and their positions (one append's events take consecutive
/// positions), whether it had been recorded before, and the headline of the
/// person it concerns now (`null` for a statement).
/// What `habeas log` prints once a development is recorded, whether the
/// store is open here or reached through a server (`--server`).
pub(crate) struct Development<'a> {
    /// What was recorded, as people say it ("release").
    pub(crate) noun: &'a str,
    /// Whose case.
    pub(crate) person: PersonId,
    /// Their name.
    pub(crate) name: &'a str,
    /// Their slug.
    pub(crate) slug: &'a str,
    /// The append.
    pub(crate) recorded: &'a Recorded,
    /// Their headline now.
    pub(crate) headline: Headline,
    /// The command id, if the command carried one.
    pub(crate) command_id: Option<CommandId>,
}

/// Prints a recorded development: JSON, or one line of text.
pub(crate) fn development_recorded(json: bool, development: &Development<'_>) -> io::Result<()> {
    let Development {
        noun,
        person,
        name,
        slug,
        recorded,
        headline,
        command_id,
    } = development;
    let mut out = io::stdout().lock();
    if json {
        let mut value = recorded_json(noun, recorded, Some(*headline));
        value["person"] = serde_json::json!(person);
        value["slug"] = serde_json::json!(slug);
        writeln!(out, "{value}")
    } else if recorded.already_applied {
        writeln!(
            out,
            "already recorded: {noun} for {name} (command {}); nothing new written",
            command_id.map(|c| c.to_string()).unwrap_or_default()
        )
    } else {
        writeln!(
            out,
            "{noun} recorded for {name} (event {}, position {}); now {headline}",
            first_event(recorded),
            recorded.last_position
        )
    }
}

pub(crate) fn recorded_json(
    noun: &str,
    recorded: &Recorded,
    headline: Option<Headline>,
) -> serde_json::Value {
    let n_events = recorded.event_ids.len() as u64;
    let first = (recorded.last_position + 1).saturating_sub(n_events);
    let positions: Vec<u64> = (first..=recorded.last_position)
        .take(recorded.event_ids.len())
        .collect();
    serde_json::json!({
        "recorded": noun,
        "stream": recorded.stream.as_str(),
        "event_ids": recorded.event_ids,
        "positions": positions,
        "already_recorded": recorded.already_applied,
        "headline": headline,
    })
}

/// The id of the first event a command wrote.
pub(crate) fn first_event(recorded: &Recorded) -> String {
    recorded
        .event_ids
        .first()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// A type name in words: `HashMismatch` → "hash mismatch".
pub(crate) fn type_words(name: &str) -> String {
    let mut text = String::new();
    for ch in name.chars() {
        if ch.is_uppercase() && !text.is_empty() {
            text.push(' ');
        }
        text.extend(ch.to_lowercase());
    }
    text
}

/// What an event records, in words: "restriction" (never the stored type
/// name, `RestrictionImposed`), so that messages read "restriction recorded".
pub(crate) fn event_noun(event: &Event) -> &'static str {
    event.noun()
}

/// "1 source", "2 sources".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn value_text(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "(none)".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::String(text) => text.replace('_', " "),
        Value::Array(items) if items.is_empty() => "(none)".to_owned(),
        other => other.to_string(),
    }
}

/// What a correction changed, field by field: "facility: Prey Sar prison →
/// Correctional Centre 1". Sources are counted, not listed.
pub(crate) fn changes(before: &Event, after: &Event) -> Vec<String> {
    use serde_json::Value;
    let (Value::Object(before), Value::Object(after)) = (before.to_payload(), after.to_payload())
    else {
        return Vec::new();
    };
    let mut fields: Vec<&String> = before.keys().collect();
    fields.extend(after.keys().filter(|key| !before.contains_key(*key)));
    // The date first, the sources last.
    fields.sort_by_key(|field| match field.as_str() {
        "occurred" => 0,
        "sources" => 2,
        _ => 1,
    });
    fields
        .into_iter()
        .filter_map(|field| {
            let old = before.get(field).unwrap_or(&Value::Null);
            let new = after.get(field).unwrap_or(&Value::Null);
            if old == new {
                return None;
            }
            let n_sources =
                |value: &Value| count(value.as_array().map_or(0, Vec::len), "source", "sources");
            let (old, new) = if field == "sources" {
                (n_sources(old), n_sources(new))
            } else {
                (value_text(old), value_text(new))
            };
            Some(format!("{}: {old} → {new}", field.replace('_', " ")))
        })
        .collect()
}

fn describe(event: &Event) -> String {
    let with = |text: &str, detail: &Option<String>| match detail {
        Some(detail) => format!("{text}, {detail}"),
        None => text.to_owned(),
    };
    match event {
        Event::PersonRegistered(r) => format!("registered as {}", r.name),
        Event::PersonDetailsChanged(c) if !c.add_aliases.is_empty() => {
            format!("alias added: {}", c.add_aliases.join(", "))
        }
        Event::PersonDetailsChanged(_) => "details changed".to_owned(),
        Event::Detained(d) => with("detained", &d.facility),
        Event::Charged(c) => format!(
            "charged: {}",
            c.charges
                .iter()
                .map(|c| c.offence.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Event::HearingHeld(h) => with("hearing", &h.outcome),
        Event::Appealed(a) => with("appealed", &a.outcome),
        Event::Sentenced(s) => format!(
            "sentenced: {}",
            s.term
                .map_or("term not known".to_owned(), |t| t.to_string())
        ),
        Event::Acquitted(_) => "acquitted".to_owned(),
        Event::ChargesDropped(_) => "charges dropped".to_owned(),
        Event::Released(r) => format!("released ({})", words(&r.kind)),
        Event::Transferred(t) => format!("transferred to {}", t.to_facility),
        Event::RestrictionImposed(r) => format!("restriction imposed: {}", words(&r.kind)),
        Event::RestrictionLifted(l) => format!("restriction lifted: {}", words(&l.kind)),
        Event::DiedInCustody(_) => "died in custody".to_owned(),
        Event::Died(death) => match death.kind {
            habeas_domain::event::DeathKind::InCustody => "died in custody".to_owned(),
            habeas_domain::event::DeathKind::AtLiberty => "died at liberty".to_owned(),
            habeas_domain::event::DeathKind::Executed => "executed".to_owned(),
            habeas_domain::event::DeathKind::Unknown => "died (circumstances unknown)".to_owned(),
        },
        Event::Disappeared(_) => "disappeared".to_owned(),
        Event::WentIntoExile(e) => with("went into exile", &e.country),
        Event::RecognisedAsPoliticalPrisoner(r) => {
            format!("recognised as a political prisoner by {}", r.by)
        }
        Event::StatementIssued(s) => format!("statement by {}", s.by),
        Event::EventCorrected(_) => "correction".to_owned(),
        Event::EventRetracted(_) => "retraction".to_owned(),
        Event::PersonMerged(m) => format!(
            "merged into person {} ({} facts copied): {}",
            m.into,
            m.copied.len(),
            m.reason
        ),
    }
}

/// How an amended fact is named in the history: "#12 (detention)", or its id
/// when it is not in this history.
fn target_label(entries: &[HistoryEntry], target: EventId, amended: Option<&Event>) -> String {
    let noun = amended.map(|event| format!(" ({})", event_noun(event)));
    match entries
        .iter()
        .find(|entry| entry.envelope.event_id == *target.as_uuid())
    {
        Some(entry) => format!("#{}{}", entry.envelope.position, noun.unwrap_or_default()),
        None => format!("event {target}{}", noun.unwrap_or_default()),
    }
}

/// What later entries did to this one: one line per correction (old → new)
/// and one for a retraction.
fn amendments_of(entries: &[HistoryEntry], entry: &HistoryEntry) -> Vec<String> {
    let id = EventId::from_uuid(entry.envelope.event_id);
    let mut lines = Vec::new();
    for later in entries {
        let position = later.envelope.position;
        match &later.event {
            Event::EventCorrected(correction) if correction.target == id => {
                let changed = later
                    .amended
                    .as_ref()
                    .map(|before| changes(before, &correction.corrected))
                    .unwrap_or_default();
                lines.push(format!(
                    "corrected by #{position}: {} (reason: {})",
                    if changed.is_empty() {
                        "nothing changed".to_owned()
                    } else {
                        changed.join("; ")
                    },
                    correction.reason
                ));
            }
            Event::EventRetracted(retraction) if retraction.target == id => lines.push(format!(
                "RETRACTED by #{position}: no longer counts (reason: {})",
                retraction.reason
            )),
            _ => {}
        }
    }
    lines
}

/// The audit trail, one event per line, with what later corrections changed
/// and whether it was retracted shown under the event itself.
pub(crate) fn history_text(out: &mut impl Write, entries: &[HistoryEntry]) -> io::Result<()> {
    for entry in entries {
        let occurred = match &entry.event {
            Event::EventCorrected(correction) => correction.corrected.occurred(),
            other => other.occurred(),
        }
        .map_or("-".to_owned(), |d| d.to_string());
        let what = match &entry.event {
            Event::EventCorrected(correction) => format!(
                "correction of {}",
                target_label(entries, correction.target, entry.amended.as_ref())
            ),
            Event::EventRetracted(retraction) => format!(
                "retraction of {}",
                target_label(entries, retraction.target, entry.amended.as_ref())
            ),
            other => describe(other),
        };
        let retracted = entries.iter().any(|later| {
            matches!(&later.event, Event::EventRetracted(r) if *r.target.as_uuid() == entry.envelope.event_id)
        });
        writeln!(
            out,
            "#{:<5} {:<11} {} recorded {} by {} -> {}",
            entry.envelope.position,
            occurred,
            pad(
                &if retracted {
                    format!("[retracted] {what}")
                } else {
                    what
                },
                44
            ),
            entry.envelope.recorded_at.format("%Y-%m-%d %H:%M:%SZ"),
            entry.envelope.recorded_by,
            entry.headline_after
        )?;
        match entry.statement {
            Some(statement) => writeln!(
                out,
                "       statement {statement}, event {}",
                entry.envelope.event_id
            )?,
            None => writeln!(out, "       event {}", entry.envelope.event_id)?,
        }
        match &entry.event {
            Event::StatementIssued(statement) => {
                writeln!(out, "       says: {}", statement.summary)?;
            }
            Event::EventCorrected(correction) => {
                let changed = entry
                    .amended
                    .as_ref()
                    .map(|before| changes(before, &correction.corrected))
                    .unwrap_or_default();
                for change in changed {
                    writeln!(out, "       changed {change}")?;
                }
                writeln!(out, "       reason: {}", correction.reason)?;
            }
            Event::EventRetracted(retraction) => {
                writeln!(out, "       reason: {}", retraction.reason)?;
            }
            _ => {}
        }
        if let Some(facts) = entry.event.facts() {
            for source in &facts.sources {
                let text = source
                    .url
                    .clone()
                    .or(source.document.clone())
                    .unwrap_or_default();
                writeln!(out, "       source: {text}")?;
            }
        }
        for line in amendments_of(entries, entry) {
            writeln!(out, "       {line}")?;
        }
    }
    Ok(())
}

/// Prints a list on standard output: as one pretty JSON array, each item as
/// `each` shapes it, or as `text` writes it.
pub(crate) fn list<T>(
    json: bool,
    items: &[T],
    each: impl Fn(&T) -> serde_json::Value,
    text: impl Fn(&mut io::StdoutLock<'static>, &[T]) -> io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    if json {
        let json: Vec<serde_json::Value> = items.iter().map(each).collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        text(&mut out, items)?;
    }
    Ok(())
}

/// One person of `person list --json`.
pub(crate) fn person_row_json(row: &PersonStatus) -> serde_json::Value {
    serde_json::json!({
        "id": row.person,
        "slug": row.slug,
        "name": row.identity.as_ref().map(|identity| &identity.name),
        "aliases": row.identity.as_ref().map(|identity| &identity.aliases),
        "headline": row.headline,
        "days_in_custody_now": row.figures.days_in_custody_now,
    })
}

/// One entry of `history --json`.
pub(crate) fn history_entry_json(entry: &HistoryEntry) -> serde_json::Value {
    serde_json::json!({
        "envelope": entry.envelope,
        "headline_after": entry.headline_after,
        "statement": entry.statement,
        "amended": entry.amended.as_ref().map(habeas_domain::event::Event::to_payload),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use habeas_domain::event::{Detention, DetentionKind};
    use habeas_domain::facts::{Confidence, Facts, Source, Visibility};

    fn detention(occurred: &str, facility: Option<&str>, n_sources: usize) -> Event {
        Event::Detained(Detention {
            facts: Facts {
                occurred: occurred.parse().unwrap(),
                sources: (0..n_sources)
                    .map(|n| Source::url(format!("https://example.org/{n}")))
                    .collect(),
                confidence: Confidence::Reported,
                note: None,
                visibility: Visibility::Public,
            },
            kind: DetentionKind::Arrest,
            place: None,
            authority: None,
            facility: facility.map(str::to_owned),
        })
    }

    #[test]
    fn a_correction_reads_as_each_field_from_old_to_new() {
        // (before, after, the lines)
        let cases = [
            (
                detention("2020-08", Some("Prey Sar"), 1),
                detention("2020-07", Some("Prey Sar"), 1),
                vec!["occurred: 2020-08 → 2020-07"],
            ),
            (
                detention("2020-07", None, 1),
                detention("2020-07", Some("CC1"), 2),
                vec!["facility: (none) → CC1", "sources: 1 source → 2 sources"],
            ),
            (
                detention("2020-07", None, 1),
                detention("2020-07", None, 1),
                vec![],
            ),
        ];
        for (before, after, expected) in cases {
            assert_eq!(changes(&before, &after), expected);
        }
    }
}
