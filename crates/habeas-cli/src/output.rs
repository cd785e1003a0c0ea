//! Human-readable text for the terminal. Dates are printed at the precision
//! the sources gave; day counts as ranges where a date is partial.

use std::io::{self, Write};

use habeas::PersonStatus;
use habeas::people::PersonEntry;
use habeas::tracker::HistoryEntry;
use habeas_domain::event::{Event, Statement};
use habeas_domain::figures::DayRange;
use habeas_domain::status::{Custody, Legal, Status};

/// The serialized name of a domain enum as words: `early_release_without_reason`
/// → "early release without reason".
fn words(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

fn custody_line(custody: &Custody) -> String {
    match custody {
        Custody::Unknown => "nothing recorded".to_owned(),
        Custody::AtLiberty { since: Some(since) } => format!("at liberty since {since}"),
        Custody::AtLiberty { since: None } => "at liberty".to_owned(),
        Custody::InCustody {
            since,
            facility,
            place,
            ..
        } => {
            let mut line = format!("in custody since {since}");
            if let Some(facility) = facility {
                line.push_str(&format!(", held at {facility}"));
            }
            if let Some(place) = place {
                line.push_str(&format!(" (detained in {place})"));
            }
            line
        }
        Custody::Disappeared { since } => format!("disappeared since {since}"),
        Custody::Deceased { on } => format!("died in custody, {on}"),
    }
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
            "charged since {since} with {}{}",
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
                "convicted {on}, sentence: {}",
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
    writeln!(
        out,
        "{} ({}): {}",
        identity.name, person.slug, status.headline
    )?;
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
            .map(|fact| format!("{} {}", fact.event_type, fact.occurred))
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
    writeln!(out, "  custody: {}", custody_line(&status.custody))?;
    writeln!(out, "  legal: {}", legal_line(&status.legal))?;
    let figures = &status.figures;
    if let Some(now) = figures.days_in_custody_now {
        writeln!(out, "  in custody now for {}", now.in_words())?;
    }
    if figures.days_in_custody_total.max > 0 {
        writeln!(
            out,
            "  days in custody in total: {}",
            figures.days_in_custody_total.in_words()
        )?;
    }
    if let Some(expected) = figures.expected_release {
        let served = figures
            .served
            .map(|s| format!("; served {s} of the term"))
            .unwrap_or_default();
        writeln!(out, "  expected release: {expected}{served}")?;
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

/// Everyone with their headline, from the read model.
pub(crate) fn person_table(out: &mut impl Write, rows: &[PersonStatus]) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "no people");
    }
    writeln!(
        out,
        "{:<24} {:<22} {:<22} IN CUSTODY NOW",
        "SLUG", "NAME", "STATUS"
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
            "{:<24} {:<22} {:<22} {days}",
            row.slug.as_deref().unwrap_or("-"),
            row.display_name(),
            row.headline.as_str()
        )?;
    }
    Ok(())
}

fn describe(event: &Event) -> String {
    match event {
        Event::PersonRegistered(r) => format!("registered as {}", r.name),
        Event::PersonDetailsChanged(c) if !c.add_aliases.is_empty() => {
            format!("alias added: {}", c.add_aliases.join(", "))
        }
        Event::PersonDetailsChanged(_) => "details changed".to_owned(),
        Event::Detained(d) => format!(
            "detained{}",
            d.facility
                .as_ref()
                .map(|f| format!(", {f}"))
                .unwrap_or_default()
        ),
        Event::Charged(c) => format!(
            "charged: {}",
            c.charges
                .iter()
                .map(|c| c.offence.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Event::Sentenced(s) => format!(
            "sentenced: {}",
            s.term
                .map_or("term not known".to_owned(), |t| t.to_string())
        ),
        Event::Released(r) => format!("released ({})", words(&r.kind)),
        Event::Transferred(t) => format!("transferred to {}", t.to_facility),
        Event::EventCorrected(c) => format!("corrected event {}: {}", c.target, c.reason),
        Event::EventRetracted(r) => format!("retracted event {}: {}", r.target, r.reason),
        other => other.event_type().to_owned(),
    }
}

/// The audit trail, one event per line.
pub(crate) fn history_text(out: &mut impl Write, entries: &[HistoryEntry]) -> io::Result<()> {
    for entry in entries {
        let occurred = entry
            .event
            .occurred()
            .map_or("-".to_owned(), |d| d.to_string());
        writeln!(
            out,
            "#{:<5} {:<11} {:<44} recorded {} by {} -> {}",
            entry.envelope.position,
            occurred,
            describe(&entry.event),
            entry.envelope.recorded_at.format("%Y-%m-%d %H:%M:%SZ"),
            entry.envelope.recorded_by,
            entry.headline_after
        )?;
        writeln!(out, "       event {}", entry.envelope.event_id)?;
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
    }
    Ok(())
}
