//! Finding the fields a payload would silently ignore.
//!
//! The domain's payloads accept unknown keys (their serialized form is the
//! stored contract and is not ours to change), so a misspelt optional field
//! (`"facilty"`) would be dropped without a word. Each key is probed instead:
//! its value is replaced by one that no field of any payload accepts (a
//! negative fraction); if the payload still reads, the key is not one of its
//! fields.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A value no payload field accepts: not a string, list, object, whole
/// number, boolean or null.
fn probe_value() -> Value {
    Value::from(-0.5)
}

/// The keys of `object` that `reads` ignores, given that `reads(object)` holds.
fn ignored(
    object: &Map<String, Value>,
    reads: &dyn Fn(&Map<String, Value>) -> bool,
) -> Vec<String> {
    object
        .keys()
        .filter(|key| {
            let mut probed = object.clone();
            probed.insert((*key).clone(), probe_value());
            reads(&probed)
        })
        .cloned()
        .collect()
}

/// Whether an object reads as some payload type.
type Reads = fn(&Map<String, Value>) -> bool;

fn reads_as<T: DeserializeOwned>(object: &Map<String, Value>) -> bool {
    serde_json::from_value::<T>(Value::Object(object.clone())).is_ok()
}

/// The unknown keys of an action's fields, with their paths
/// (`facilty`, `sources[1].link`, `charges[0].artcle`). `reads` says whether
/// the fields make the action's payload; it must hold for `fields`.
pub fn unknown_fields(
    fields: &Map<String, Value>,
    reads: &dyn Fn(&Map<String, Value>) -> bool,
) -> Vec<String> {
    let mut found = ignored(fields, reads);
    let nested: [(&str, Reads); 3] = [
        ("sources", reads_as::<habeas_domain::facts::Source>),
        ("charges", reads_as::<habeas_domain::event::Charge>),
        ("term", reads_as::<habeas_domain::term::Term>),
    ];
    for (key, reads_item) in nested {
        match fields.get(key) {
            Some(Value::Array(items)) => {
                for (idx, item) in items.iter().enumerate() {
                    if let Value::Object(object) = item {
                        found.extend(
                            ignored(object, &reads_item)
                                .into_iter()
                                .map(|inner| format!("{key}[{idx}].{inner}")),
                        );
                    }
                }
            }
            Some(Value::Object(object)) => found.extend(
                ignored(object, &reads_item)
                    .into_iter()
                    .map(|inner| format!("{key}.{inner}")),
            ),
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use habeas_domain::command::Action;

    fn unknown(action: &str, fields: Value) -> Vec<String> {
        let Value::Object(fields) = fields else {
            panic!("an object")
        };
        let reads = |fields: &Map<String, Value>| {
            serde_json::from_value::<Action>(serde_json::json!({
                "action": action,
                "fields": fields,
            }))
            .is_ok()
        };
        assert!(reads(&fields), "the fields must read");
        unknown_fields(&fields, &reads)
    }

    #[test]
    fn finds_misspelt_fields_at_any_depth() {
        let detention = serde_json::json!({
            "occurred": "2020-07",
            "kind": "arrest",
            "facilty": "Prey Sar",
            "note": null,
            "sources": [{ "url": "https://example.org" }, { "link": "https://example.org/2" }],
        });
        assert_eq!(
            unknown("record_detention", detention),
            ["facilty", "sources[1].link"]
        );
        let charges = serde_json::json!({
            "occurred": "2020-08",
            "sources": [{ "document": "court file 1" }],
            "charges": [{ "offence": "incitement", "artcle": "art. 495" }],
        });
        assert_eq!(unknown("record_charges", charges), ["charges[0].artcle"]);
        let sentence = serde_json::json!({
            "occurred": "2021-08",
            "sources": [{ "document": "judgment" }],
            "term": { "kind": "fixed", "years": 2, "monts": 6 },
            "in_absentia": false,
        });
        assert_eq!(unknown("record_sentence", sentence), ["term.monts"]);
        let clean = serde_json::json!({
            "name": "Test Person",
            "aliases": [],
            "born": "1970",
        });
        assert!(unknown("register_person", clean).is_empty());
    }
}
