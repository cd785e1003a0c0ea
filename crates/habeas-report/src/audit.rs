//! The audit appendix: every recorded event of a person's stream with when and
//! by whom it was recorded, and for corrections and retractions what changed
//! and why.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use habeas_domain::date::PartialDate;
use habeas_domain::event::Event;
use habeas_domain::facts::Visibility;
use habeas_domain::id::EventId;
use habeas_domain::status::Headline;

use crate::describe;
use crate::model::AuditEntry;

/// One field a correction changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldChange {
    /// The stored field name, e.g. "occurred".
    pub(crate) field: String,
    /// The value before, as text.
    pub(crate) before: String,
    /// The value after, as text.
    pub(crate) after: String,
}

/// What a correction or retraction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Amendment {
    /// "corrected" or "retracted".
    pub(crate) action: &'static str,
    /// The event amended.
    pub(crate) target: EventId,
    /// Its position, when it is in the appendix.
    pub(crate) target_position: Option<u64>,
    /// Its type, when known.
    pub(crate) target_type: Option<&'static str>,
    /// The fields changed (corrections only).
    pub(crate) changes: Vec<FieldChange>,
    /// Why.
    pub(crate) reason: String,
}

/// One row of the audit appendix.
#[derive(Debug, Clone)]
pub(crate) struct AuditRow {
    /// Global position in the store.
    pub(crate) position: u64,
    /// The event's id.
    pub(crate) event_id: EventId,
    /// The stored type name.
    pub(crate) event_type: &'static str,
    /// The event in words.
    pub(crate) title: String,
    /// When it happened, for dated events (the corrected date for corrections).
    pub(crate) occurred: Option<PartialDate>,
    /// When it was recorded.
    pub(crate) recorded_at: DateTime<Utc>,
    /// Who recorded it; `None` in the public variant.
    pub(crate) recorded_by: Option<String>,
    /// The headline right after it was recorded.
    pub(crate) headline_after: Headline,
    /// For corrections and retractions.
    pub(crate) amendment: Option<Amendment>,
}

fn is_restricted(event: &Event) -> bool {
    let dated = match event {
        Event::EventCorrected(correction) => &*correction.corrected,
        other => other,
    };
    dated
        .facts()
        .is_some_and(|facts| facts.visibility == Visibility::Restricted)
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "(none)".to_owned(),
        Value::String(text) => text.clone(),
        Value::Array(items) if items.is_empty() => "(none)".to_owned(),
        other => other.to_string(),
    }
}

/// The fields that differ between two versions of an event's payload.
fn changes(before: &Event, after: &Event, public: bool) -> Vec<FieldChange> {
    let (Value::Object(before), Value::Object(after)) = (before.to_payload(), after.to_payload())
    else {
        return Vec::new();
    };
    // The date first, then the payload's own fields, then the note and the
    // sources, which are long.
    let rank = |key: &str| match key {
        "occurred" => 0,
        "note" => 2,
        "sources" => 3,
        _ => 1,
    };
    let mut fields: Vec<&String> = before.keys().collect();
    fields.extend(after.keys().filter(|key| !before.contains_key(*key)));
    fields.sort_by_key(|key| rank(key));
    let mut found = Vec::new();
    for field in fields {
        if public && field == "note" {
            continue;
        }
        let (old, new) = (
            before.get(field).unwrap_or(&Value::Null),
            after.get(field).unwrap_or(&Value::Null),
        );
        if old == new {
            continue;
        }
        let (before, after) = if field == "sources" {
            let count = |value: &Value| value.as_array().map_or(0, Vec::len);
            let sources = |n: usize| format!("{n} source{}", if n == 1 { "" } else { "s" });
            (
                sources(count(old)),
                format!("{}, see the list of sources", sources(count(new))),
            )
        } else {
            (value_text(old), value_text(new))
        };
        found.push(FieldChange {
            field: field.clone(),
            before,
            after,
        });
    }
    found
}

/// The appendix rows, in recording order. The public variant leaves out the
/// names of recorders, notes, restricted events, and amendments of events it
/// does not show (their reason could tell what the restricted event was).
pub(crate) fn rows(audit: &[AuditEntry], public: bool) -> Vec<AuditRow> {
    let mut entries: Vec<&AuditEntry> = audit.iter().collect();
    entries.sort_by_key(|entry| entry.position);
    let mut current: HashMap<EventId, Event> = HashMap::new();
    let mut positions: HashMap<EventId, u64> = HashMap::new();
    let mut hidden: Vec<EventId> = Vec::new();
    let mut rows = Vec::new();
    for entry in entries {
        let amended = match &entry.event {
            Event::EventCorrected(correction) => Some(correction.target),
            Event::EventRetracted(retraction) => Some(retraction.target),
            _ => None,
        };
        let target_hidden = amended
            .is_some_and(|target| hidden.contains(&target) || !current.contains_key(&target));
        if public && (is_restricted(&entry.event) || target_hidden) {
            hidden.push(entry.event_id);
            if let Some(target) = amended {
                hidden.push(target);
            }
            continue;
        }
        let amendment = match &entry.event {
            Event::EventCorrected(correction) => {
                let before = current.get(&correction.target);
                let amendment = Amendment {
                    action: "corrected",
                    target: correction.target,
                    target_position: positions.get(&correction.target).copied(),
                    target_type: before.map(Event::event_type),
                    changes: before
                        .map(|before| changes(before, &correction.corrected, public))
                        .unwrap_or_default(),
                    reason: correction.reason.clone(),
                };
                current.insert(correction.target, (*correction.corrected).clone());
                Some(amendment)
            }
            Event::EventRetracted(retraction) => Some(Amendment {
                action: "retracted",
                target: retraction.target,
                target_position: positions.get(&retraction.target).copied(),
                target_type: current.get(&retraction.target).map(Event::event_type),
                changes: Vec::new(),
                reason: retraction.reason.clone(),
            }),
            other => {
                current.insert(entry.event_id, other.clone());
                None
            }
        };
        positions.insert(entry.event_id, entry.position);
        let occurred = match &entry.event {
            Event::EventCorrected(correction) => correction.corrected.occurred(),
            other => other.occurred(),
        };
        rows.push(AuditRow {
            position: entry.position,
            event_id: entry.event_id,
            event_type: entry.event.event_type(),
            title: describe::event(&entry.event).title,
            occurred,
            recorded_at: entry.recorded_at,
            recorded_by: (!public).then(|| entry.recorded_by.clone()),
            headline_after: entry.headline_after,
            amendment,
        });
    }
    rows
}

/// An amendment in one line of plain (unescaped) text: "corrected #3
/// (Detained): occurred 2020-08 → 2020-07. Reason: …".
pub(crate) fn amendment_text(amendment: &Amendment) -> String {
    let target = match (amendment.target_position, amendment.target_type) {
        (Some(position), Some(event_type)) => format!("#{position} ({event_type})"),
        (Some(position), None) => format!("#{position}"),
        _ => format!("event {}", amendment.target),
    };
    let mut text = format!("{} {target}", capitalise(amendment.action));
    if !amendment.changes.is_empty() {
        let changes: Vec<String> = amendment
            .changes
            .iter()
            .map(|change| format!("{}: {} → {}", change.field, change.before, change.after))
            .collect();
        text.push_str(&format!(": {}", changes.join("; ")));
    }
    if !text.ends_with('.') {
        text.push('.');
    }
    text.push_str(&format!(" Reason: {}", amendment.reason));
    text
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
