//! JSON lines of commands: one command per line, in the form `FORMAT.md`
//! describes:
//!
//! ```text
//! {"person_key": "rc", "action": "register_person", "fields": {"name": "Rong Chhun"}}
//! {"person": "@rc", "action": "record_detention", "fields": {"occurred": "2020-07", "kind": "arrest", "sources": [{"url": "https://example.org/a"}]}}
//! {"action": "issue_statement", "fields": {"occurred": "2021-11-02", "by": "United Nations", "about": ["@rc"], "kind": "other", "summary": "…", "sources": [{"url": "https://example.org/b"}]}}
//! ```
//!
//! A line is read in two steps: [`parse_line`] checks its shape (keys,
//! action, command id) without looking anyone up; [`ParsedLine::resolve`]
//! turns its person references into ids and its fields into an
//! [`Action`], refusing fields the action does not have.

use habeas_domain::command::Action;
use habeas_domain::id::{CommandId, EventId, PersonId};
use serde_json::{Map, Value};

use crate::reason::Reason;
use crate::unknown_fields::unknown_fields;

/// Every action a line may name, as written in JSON.
pub const ACTIONS: [&str; 20] = [
    "register_person",
    "change_person_details",
    "record_detention",
    "record_charges",
    "record_hearing",
    "record_appeal",
    "record_sentence",
    "record_acquittal",
    "record_charges_dropped",
    "record_transfer",
    "record_release",
    "impose_restriction",
    "lift_restriction",
    "record_death_in_custody",
    "record_disappearance",
    "record_exile",
    "recognise_political_prisoner",
    "issue_statement",
    "correct_event",
    "retract_event",
];

const KEYS: [&str; 5] = ["action", "fields", "person", "person_key", "command_id"];

/// A line whose shape is right, before its people are looked up.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedLine {
    action: String,
    fields: Map<String, Value>,
    person: Option<String>,
    person_key: Option<String>,
    about: Vec<String>,
    /// The line's command id, for idempotent re-import.
    pub command_id: Option<CommandId>,
}

/// Which stream a line writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `register_person`: a new person, named by `person_key` for later lines.
    NewPerson {
        /// The key, without its `@`.
        key: Option<String>,
    },
    /// A person's stream.
    Person(PersonId),
    /// `issue_statement`: a new statement stream.
    NewStatement,
    /// A correction or retraction without `person`: the stream of its target.
    OwnerOf(EventId),
}

/// A line ready to execute.
#[derive(Debug, Clone, PartialEq)]
pub struct LineCommand {
    /// Where it writes.
    pub target: Target,
    /// What it records.
    pub action: Action,
    /// Its command id, for idempotent re-import.
    pub command_id: Option<CommandId>,
}

fn bad_key(key: &'static str, problem: impl Into<String>) -> Reason {
    Reason::BadKey {
        key,
        problem: problem.into(),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn string(object: &Map<String, Value>, key: &'static str) -> Result<Option<String>, Reason> {
    match object.get(key) {
        None => Ok(None),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(Some(text.trim().to_owned())),
        Some(other) => Err(bad_key(
            key,
            format!("must be a non-empty string, not {}", kind_of(other)),
        )),
    }
}

/// Checks the shape of one line: a JSON object with a known action, its
/// fields, and the person keys the action needs.
pub fn parse_line(text: &str) -> Result<ParsedLine, Reason> {
    let value: Value = serde_json::from_str(text).map_err(|err| Reason::NotJson {
        detail: err.to_string(),
    })?;
    let Value::Object(mut object) = value else {
        return Err(Reason::NotAnObject {
            found: kind_of(&value),
        });
    };
    if let Some(key) = object.keys().find(|key| !KEYS.contains(&key.as_str())) {
        return Err(Reason::UnknownKey { key: key.clone() });
    }
    let action = string(&object, "action")?.ok_or_else(|| {
        bad_key(
            "action",
            "is missing: name what the line records, e.g. \"record_detention\"",
        )
    })?;
    if !ACTIONS.contains(&action.as_str()) {
        let suggestion = ACTIONS
            .iter()
            .map(|known| (strsim::jaro_winkler(known, &action), *known))
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, known)| known.to_owned());
        return Err(Reason::UnknownAction { action, suggestion });
    }
    let mut fields = match object.remove("fields") {
        Some(Value::Object(fields)) => fields,
        None => {
            return Err(bad_key(
                "fields",
                format!("is missing: give the fields of {action} as an object (see FORMAT.md)"),
            ));
        }
        Some(other) => {
            return Err(bad_key(
                "fields",
                format!("must be an object, not {}", kind_of(&other)),
            ));
        }
    };
    let command_id = string(&object, "command_id")?
        .map(|text| {
            text.parse::<CommandId>()
                .map_err(|err| bad_key("command_id", format!("{err}")))
        })
        .transpose()?;
    let person = string(&object, "person")?;
    let person_key = string(&object, "person_key")?
        .map(|key| key.trim_start_matches('@').to_owned())
        .filter(|key| !key.is_empty());
    if let Some(key) = &person_key
        && key.chars().any(char::is_whitespace)
    {
        return Err(bad_key(
            "person_key",
            format!("{key:?} has spaces: use a short key without spaces, e.g. \"rc\""),
        ));
    }
    let mut about = Vec::new();
    match action.as_str() {
        "register_person" if person.is_some() => {
            return Err(bad_key(
                "person",
                "cannot be given with register_person, which creates the person: use \"person_key\" to name them for later lines",
            ));
        }
        "issue_statement" => {
            if person.is_some() {
                return Err(bad_key(
                    "person",
                    "cannot be given with issue_statement: list the people it concerns in fields.about",
                ));
            }
            match fields.remove("about") {
                None => {}
                Some(Value::Array(items)) => {
                    for item in items {
                        match item {
                            Value::String(reference) => about.push(reference),
                            other => {
                                return Err(Reason::BadFields {
                                    action,
                                    detail: format!(
                                        "about lists people by name, slug, id or @key, as strings, not {}",
                                        kind_of(&other)
                                    ),
                                });
                            }
                        }
                    }
                }
                Some(other) => {
                    return Err(Reason::BadFields {
                        action,
                        detail: format!(
                            "about must be a list of people (names, slugs, ids or @keys), not {}",
                            kind_of(&other)
                        ),
                    });
                }
            }
        }
        "register_person" | "correct_event" | "retract_event" => {}
        _ if person.is_none() => {
            return Err(bad_key(
                "person",
                format!(
                    "is missing: {action} needs the person it concerns (a name, slug or id, or @key of a person registered earlier in the file)"
                ),
            ));
        }
        _ => {}
    }
    if person_key.is_some() && action != "register_person" {
        return Err(bad_key(
            "person_key",
            "names a person created by register_person: to refer to a person, write \"person\": \"@key\"",
        ));
    }
    Ok(ParsedLine {
        action,
        fields,
        person,
        person_key,
        about,
        command_id,
    })
}

impl ParsedLine {
    /// The key a `register_person` line gives its person, without its `@`.
    pub fn person_key(&self) -> Option<&str> {
        self.person_key.as_deref()
    }

    /// The references of the line that name someone in the store (a name,
    /// slug or id) rather than a `@key` of the file.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.person
            .iter()
            .chain(&self.about)
            .map(String::as_str)
            .filter(|reference| !reference.starts_with('@'))
    }

    /// Turns the line into an action: person references (`@key`, name, slug
    /// or id) become ids through `lookup`, and the fields must make the
    /// action's payload with no field left over.
    pub fn resolve(
        self,
        lookup: &mut dyn FnMut(&str) -> Result<PersonId, Reason>,
    ) -> Result<LineCommand, Reason> {
        let person = self.person.as_deref().map(&mut *lookup).transpose()?;
        let mut fields = self.fields;
        if !self.about.is_empty() {
            let mut ids = Vec::with_capacity(self.about.len());
            for reference in &self.about {
                ids.push(Value::String(lookup(reference)?.to_string()));
            }
            fields.insert("about".to_owned(), Value::Array(ids));
        }
        let action_name = self.action;
        let reads = |fields: &Map<String, Value>| -> Result<Action, serde_json::Error> {
            serde_json::from_value(serde_json::json!({
                "action": action_name,
                "fields": fields,
            }))
        };
        let action = reads(&fields).map_err(|err| Reason::BadFields {
            action: action_name.clone(),
            detail: err.to_string(),
        })?;
        let unknown = unknown_fields(&fields, &|probed| reads(probed).is_ok());
        if !unknown.is_empty() {
            return Err(Reason::UnknownFields {
                action: action_name,
                fields: unknown,
            });
        }
        let target = match (&action, person) {
            (Action::RegisterPerson(_), _) => Target::NewPerson {
                key: self.person_key,
            },
            (Action::IssueStatement(_), _) => Target::NewStatement,
            (_, Some(person)) => Target::Person(person),
            (Action::CorrectEvent(correction), None) => Target::OwnerOf(correction.target),
            (Action::RetractEvent(retraction), None) => Target::OwnerOf(retraction.target),
            (_, None) => unreachable!("parse_line requires a person for case events"),
        };
        Ok(LineCommand {
            target,
            action,
            command_id: self.command_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_action_is_one_the_domain_reads() {
        for action in ACTIONS {
            let read = serde_json::from_value::<Action>(serde_json::json!({
                "action": action,
                "fields": {},
            }));
            if let Err(err) = read {
                let err = err.to_string();
                assert!(!err.contains("unknown variant"), "{action}: {err}");
            }
        }
    }
}
