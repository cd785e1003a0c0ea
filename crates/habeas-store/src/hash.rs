//! The hash chain: canonical bytes of an envelope and its SHA-256 link to the previous one.
//!
//! `hash = hex(sha256(prev_hash_hex_ascii ‖ canonical_bytes))` where `canonical_bytes`
//! is the compact JSON of the envelope's fields in declaration order without `hash`,
//! with the keys of every JSON object inside the payload sorted bytewise. Sorting is done
//! here rather than relying on serde_json's map type, so enabling serde_json's
//! `preserve_order` feature anywhere in the build cannot change a hash.

use chrono::{DateTime, Utc};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::envelope::Envelope;
use crate::error::StoreError;
use crate::stream_id::StreamId;

/// `prev_hash` of the first event of a store: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hashed fields, in their fixed order.
#[derive(Serialize)]
struct HashedFields<'a> {
    position: u64,
    event_id: &'a Uuid,
    stream: &'a StreamId,
    version: u64,
    event_type: &'a str,
    schema_version: u32,
    recorded_at: &'a DateTime<Utc>,
    recorded_by: &'a str,
    command_id: &'a Option<Uuid>,
    prev_hash: &'a str,
    payload: Canonical<'a>,
}

/// A JSON value serialized with object keys sorted, at every depth.
struct Canonical<'a>(&'a Value);

impl Serialize for Canonical<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|left, right| left.0.cmp(right.0));
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    out.serialize_entry(key, &Canonical(value))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Canonical(item))?;
                }
                out.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

/// The bytes the hash covers after `prev_hash`: the envelope without `hash`, canonically.
pub fn canonical_bytes(envelope: &Envelope) -> Result<Vec<u8>, StoreError> {
    let fields = HashedFields {
        position: envelope.position,
        event_id: &envelope.event_id,
        stream: &envelope.stream,
        version: envelope.version,
        event_type: &envelope.event_type,
        schema_version: envelope.schema_version,
        recorded_at: &envelope.recorded_at,
        recorded_by: &envelope.recorded_by,
        command_id: &envelope.command_id,
        prev_hash: &envelope.prev_hash,
        payload: Canonical(&envelope.payload),
    };
    serde_json::to_vec(&fields).map_err(|source| StoreError::Encode {
        what: "envelope for hashing",
        source,
    })
}

/// The hash an envelope should carry, computed from its other fields (its `hash` field is ignored).
pub fn envelope_hash(envelope: &Envelope) -> Result<String, StoreError> {
    let mut hasher = Sha256::new();
    hasher.update(envelope.prev_hash.as_bytes());
    hasher.update(canonical_bytes(envelope)?);
    Ok(to_hex(&hasher.finalize()))
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn sample(payload: Value) -> Envelope {
        Envelope {
            position: 1,
            event_id: Uuid::nil(),
            stream: StreamId::new("person-1").unwrap(),
            version: 1,
            event_type: "Detained".into(),
            schema_version: 1,
            recorded_at: Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap(),
            recorded_by: "alice".into(),
            command_id: None,
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
            payload,
        }
    }

    #[test]
    fn canonical_bytes_sort_nested_keys_and_omit_hash() {
        let envelope = sample(json!({"b": 1, "a": {"d": [{"z": 1, "y": 2}], "c": null}}));
        let text = String::from_utf8(canonical_bytes(&envelope).unwrap()).unwrap();
        assert!(
            text.ends_with(r#""payload":{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}}"#),
            "{text}"
        );
        assert!(text.starts_with(r#"{"position":1,"event_id":"#), "{text}");
        assert!(!text.contains("\"hash\""), "{text}");
    }

    #[test]
    fn hash_ignores_hash_field_and_covers_payload_and_prev_hash() {
        let mut envelope = sample(json!({"place": "Minsk"}));
        let original = envelope_hash(&envelope).unwrap();
        assert_eq!(original.len(), 64);
        envelope.hash = "anything".into();
        assert_eq!(envelope_hash(&envelope).unwrap(), original);
        envelope.payload = json!({"place": "Minsk "});
        assert_ne!(envelope_hash(&envelope).unwrap(), original);
        let mut relinked = sample(json!({"place": "Minsk"}));
        relinked.prev_hash = "1".repeat(64);
        assert_ne!(envelope_hash(&relinked).unwrap(), original);
    }

    #[test]
    fn hex_is_lowercase_two_digits_per_byte() {
        assert_eq!(to_hex(&[0x00, 0xab, 0x0f]), "00ab0f");
    }
}
