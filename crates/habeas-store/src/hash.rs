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
    envelope_digest(envelope).map(|digest| to_hex(&digest))
}

/// The SHA-256 behind [`envelope_hash`], not yet in hex.
pub fn envelope_digest(envelope: &Envelope) -> Result<Digest32, StoreError> {
    let mut hasher = Sha256::new();
    hasher.update(envelope.prev_hash.as_bytes());
    hasher.update(canonical_bytes(envelope)?);
    Ok(hasher.finalize().into())
}

/// A SHA-256 digest.
pub type Digest32 = [u8; 32];

/// Lowercase hex, two digits per byte, without allocating.
pub fn hex_digest(digest: &Digest32) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 64];
    for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0x0f)];
    }
    out
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

/// What `verify` needs of a stored envelope, from decoding it the ordinary way.
#[derive(Debug)]
pub struct StoredSummary {
    /// The global position the envelope carries.
    pub position: u64,
    /// The event id it carries.
    pub event_id: Uuid,
    /// Its stream.
    pub stream: StreamId,
    /// Its version in its stream.
    pub version: u64,
    /// The `prev_hash` it carries (hex).
    pub prev_hash: String,
    /// The `hash` it carries (hex).
    pub hash: String,
    /// `Err` holds why the canonical bytes could not be made (as `Undecodable`).
    pub digest: Result<Digest32, String>,
}

impl StoredSummary {
    /// The summary of a decoded envelope, hashing it the ordinary way.
    pub fn of(envelope: Envelope) -> StoredSummary {
        let digest = envelope_digest(&envelope).map_err(|error| error.to_string());
        StoredSummary {
            position: envelope.position,
            event_id: envelope.event_id,
            stream: envelope.stream,
            version: envelope.version,
            prev_hash: envelope.prev_hash,
            hash: envelope.hash,
            digest,
        }
    }
}

/// What `verify` needs of a stored envelope, from [`stored_summary_fast`]: nothing on the
/// heap; the stream is where its (valid) id lies in the stored bytes.
#[derive(Debug, Clone)]
pub struct FastSummary {
    /// The global position the envelope carries.
    pub position: u64,
    /// The event id it carries.
    pub event_id: Uuid,
    /// Where the stream id lies in the stored bytes.
    pub stream: std::ops::Range<usize>,
    /// Its version in its stream.
    pub version: u64,
    /// The `prev_hash` it carries (hex digits).
    pub prev_hash: [u8; 64],
    /// The `hash` it carries (hex digits).
    pub hash: [u8; 64],
    /// SHA-256 of `prev_hash` followed by the canonical bytes.
    pub digest: Digest32,
}

/// Hashes stored envelope bytes without decoding the payload, when they are exactly what
/// the store writes: the serde_json encoding of an [`Envelope`] whose payload is already
/// canonical. The canonical bytes are then the stored bytes without the `hash` member, so
/// they are hashed in place.
///
/// Deliberately strict: besides JSON's own rules it wants the fields in their order, no
/// whitespace, envelope strings without escapes, `hash` and `prev_hash` of 64 bytes, the
/// timestamp as chrono writes it, a valid stream id, and a payload that
/// [`is_canonical_json`] accepts. It answers `None` for anything else (including
/// everything that does not decode), which the caller decodes and hashes the ordinary way
/// ([`StoredSummary::of`]): the two ways agree on every input the fast one accepts,
/// because such an input is byte for byte what serializing its own decoding gives.
pub fn stored_summary_fast(bytes: &[u8]) -> Option<FastSummary> {
    // Outside strings, only ASCII passes; strings are checked to be UTF-8.
    let mut cursor = Cursor { bytes, at: 0 };
    cursor.expect("{\"position\":")?;
    let position = cursor.integer(u64::MAX)?;
    cursor.expect(",\"event_id\":")?;
    let event_id = cursor.uuid()?;
    cursor.expect(",\"stream\":")?;
    let stream_start = cursor.at + 1;
    let stream_id = std::str::from_utf8(cursor.plain_string()?).ok()?;
    if StreamId::invalid_because(stream_id).is_some() {
        return None;
    }
    let stream = stream_start..cursor.at - 1;
    cursor.expect(",\"version\":")?;
    let version = cursor.integer(u64::MAX)?;
    cursor.expect(",\"event_type\":")?;
    cursor.plain_string()?;
    cursor.expect(",\"schema_version\":")?;
    cursor.integer(u64::from(u32::MAX))?;
    cursor.expect(",\"recorded_at\":")?;
    if !is_canonical_timestamp(cursor.plain_string()?) {
        return None;
    }
    cursor.expect(",\"recorded_by\":")?;
    cursor.plain_string()?;
    cursor.expect(",\"command_id\":")?;
    if cursor.expect("null").is_none() {
        cursor.uuid()?;
    }
    cursor.expect(",\"prev_hash\":")?;
    let prev_hash = <[u8; 64]>::try_from(cursor.plain_string()?).ok()?;
    let hash_member = cursor.at;
    cursor.expect(",\"hash\":")?;
    let hash = <[u8; 64]>::try_from(cursor.plain_string()?).ok()?;
    let payload_member = cursor.at;
    cursor.expect(",\"payload\":")?;
    let payload = bytes[cursor.at..].strip_suffix(b"}")?;
    if !is_canonical_json(payload) {
        return None;
    }
    let mut hasher = Sha256::new();
    hasher.update(prev_hash);
    hasher.update(&bytes[..hash_member]);
    hasher.update(&bytes[payload_member..]);
    Some(FastSummary {
        position,
        event_id,
        stream,
        version,
        prev_hash,
        hash,
        digest: hasher.finalize().into(),
    })
}

/// Reads a stored envelope in the exact form serde_json writes it.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    #[inline]
    fn expect(&mut self, literal: &str) -> Option<()> {
        if self.bytes[self.at..].starts_with(literal.as_bytes()) {
            self.at += literal.len();
            Some(())
        } else {
            None
        }
    }

    /// A non-negative integer up to `max` as serde_json writes it: no sign, no leading
    /// zero, nothing after the digits that would make it a float.
    fn integer(&mut self, max: u64) -> Option<u64> {
        let bytes = self.bytes;
        let digits = bytes[self.at..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        let text = &bytes[self.at..self.at + digits];
        if text.is_empty() || (text[0] == b'0' && digits > 1) {
            return None;
        }
        let mut value: u64 = 0;
        for digit in text {
            value = value
                .checked_mul(10)?
                .checked_add(u64::from(digit - b'0'))?;
        }
        self.at += digits;
        (value <= max && !matches!(bytes.get(self.at), Some(b'.' | b'e' | b'E'))).then_some(value)
    }

    /// A string that serde_json writes as it is: no escape, no control character. Its
    /// raw bytes are then its contents, which are UTF-8.
    fn plain_string(&mut self) -> Option<&'a [u8]> {
        let bytes = self.bytes;
        if bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at + 1;
        let end = next_special(bytes, start)?;
        if bytes[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        let text = &bytes[start..end];
        is_utf8(text).then_some(text)
    }

    /// A UUID as it is serialized: hyphenated, lowercase.
    fn uuid(&mut self) -> Option<Uuid> {
        let text = self.plain_string()?;
        let canonical = text.len() == 36
            && text.iter().enumerate().all(|(index, byte)| match index {
                8 | 13 | 18 | 23 => *byte == b'-',
                _ => matches!(byte, b'0'..=b'9' | b'a'..=b'f'),
            });
        if !canonical {
            return None;
        }
        Uuid::try_parse_ascii(text).ok()
    }
}

fn is_utf8(bytes: &[u8]) -> bool {
    bytes.is_ascii() || std::str::from_utf8(bytes).is_ok()
}

/// Whether `text` is a valid UTC time exactly as chrono serializes a `DateTime<Utc>`:
/// `YYYY-MM-DDTHH:MM:SS`, then 3, 6 or 9 digits of fraction, the fewest that hold it
/// (none for a whole second), then `Z`. Years 1000 to 9999 only; no leap second.
fn is_canonical_timestamp(text: &[u8]) -> bool {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.get(range)?;
        digits.iter().try_fold(0u32, |value, digit| {
            digit
                .is_ascii_digit()
                .then(|| value * 10 + u32::from(digit - b'0'))
        })
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if text.len() < 20 || separators.iter().any(|&(at, byte)| text[at] != byte) {
        return false;
    }
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        number(0..4),
        number(5..7),
        number(8..10),
        number(11..13),
        number(14..16),
        number(17..19),
    ) else {
        return false;
    };
    let nanos = match &text[19..] {
        b"Z" => 0,
        [b'.', fraction @ .., b'Z'] if matches!(fraction.len(), 3 | 6 | 9) => {
            let Some(value) = number(20..20 + fraction.len()) else {
                return false;
            };
            let nanos = value * 10u32.pow(9 - fraction.len() as u32);
            let shortest = if nanos.is_multiple_of(1_000_000) {
                3
            } else if nanos.is_multiple_of(1_000) {
                6
            } else {
                9
            };
            if nanos == 0 || fraction.len() != shortest {
                return false;
            }
            nanos
        }
        _ => return false,
    };
    let Ok(year) = i32::try_from(year) else {
        return false;
    };
    (1000..=9999).contains(&year)
        && chrono::NaiveDate::from_ymd_opt(year, month, day).is_some()
        && second < 60
        && chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).is_some()
}

/// Nesting deeper than this is left to serde_json (whose own limit is 128).
const MAX_CANONICAL_DEPTH: usize = 64;

/// Whether `bytes` is one JSON value exactly as [`Canonical`] serializes the value it
/// decodes to. Deliberately strict: it accepts only what it can be sure of (object keys
/// without escapes, in strictly increasing byte order; integers of at most 18 digits;
/// strings whose only escapes are those serde_json writes; no whitespace), and refuses
/// the rest, which is then re-encoded to be hashed.
/// Outside strings, only ASCII passes; strings are checked to be UTF-8.
fn is_canonical_json(bytes: &[u8]) -> bool {
    let mut at = 0;
    canonical_value(bytes, &mut at, 0) && at == bytes.len()
}

fn canonical_value(bytes: &[u8], at: &mut usize, depth: usize) -> bool {
    let Some(&first) = bytes.get(*at) else {
        return false;
    };
    match first {
        b'{' => {
            if depth >= MAX_CANONICAL_DEPTH {
                return false;
            }
            *at += 1;
            if bytes.get(*at) == Some(&b'}') {
                *at += 1;
                return true;
            }
            let mut previous_key: Option<&[u8]> = None;
            loop {
                let Some(key) = canonical_key(bytes, at) else {
                    return false;
                };
                if previous_key.is_some_and(|previous| previous >= key) {
                    return false;
                }
                previous_key = Some(key);
                if bytes.get(*at) != Some(&b':') {
                    return false;
                }
                *at += 1;
                if !canonical_value(bytes, at, depth + 1) {
                    return false;
                }
                match bytes.get(*at) {
                    Some(b',') => *at += 1,
                    Some(b'}') => {
                        *at += 1;
                        return true;
                    }
                    _ => return false,
                }
            }
        }
        b'[' => {
            if depth >= MAX_CANONICAL_DEPTH {
                return false;
            }
            *at += 1;
            if bytes.get(*at) == Some(&b']') {
                *at += 1;
                return true;
            }
            loop {
                if !canonical_value(bytes, at, depth + 1) {
                    return false;
                }
                match bytes.get(*at) {
                    Some(b',') => *at += 1,
                    Some(b']') => {
                        *at += 1;
                        return true;
                    }
                    _ => return false,
                }
            }
        }
        b'"' => canonical_string(bytes, at),
        b't' => canonical_literal(bytes, at, b"true"),
        b'f' => canonical_literal(bytes, at, b"false"),
        b'n' => canonical_literal(bytes, at, b"null"),
        b'-' | b'0'..=b'9' => canonical_integer(bytes, at),
        _ => false,
    }
}

fn canonical_literal(bytes: &[u8], at: &mut usize, literal: &[u8]) -> bool {
    if bytes[*at..].starts_with(literal) {
        *at += literal.len();
        true
    } else {
        false
    }
}

/// An integer as serde_json writes an `i64` or `u64`: no `-0`, no leading zero, no
/// fraction or exponent. 18 digits at most, so that it fits either.
fn canonical_integer(bytes: &[u8], at: &mut usize) -> bool {
    let negative = bytes[*at] == b'-';
    let start = *at + usize::from(negative);
    let digits = bytes[start..]
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    let ok = match bytes[start..start + digits] {
        [] => false,
        [b'0'] => !negative,
        [b'0', ..] => false,
        _ => digits <= 18,
    };
    *at = start + digits;
    ok && !matches!(bytes.get(*at), Some(b'.' | b'e' | b'E'))
}

/// An object key: a string without escapes, whose raw bytes are then its decoded bytes.
fn canonical_key<'a>(bytes: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    if bytes.get(*at) != Some(&b'"') {
        return None;
    }
    let start = *at + 1;
    let end = next_special(bytes, start)?;
    if bytes[end] != b'"' {
        return None;
    }
    *at = end + 1;
    let key = &bytes[start..end];
    is_utf8(key).then_some(key)
}

/// A string value whose every escape is the one serde_json writes for that character
/// (`\"`, `\\`, `\b`, `\t`, `\n`, `\f`, `\r`, and `\u00xx` for the other control
/// characters); everything else, `/` and non-ASCII included, is written as itself.
fn canonical_string(bytes: &[u8], at: &mut usize) -> bool {
    let start = *at + 1;
    let mut index = start;
    loop {
        let Some(special) = next_special(bytes, index) else {
            return false;
        };
        index = special;
        match bytes[index] {
            b'"' => {
                *at = index + 1;
                return is_utf8(&bytes[start..index]);
            }
            b'\\' => {
                let length = match bytes.get(index + 1) {
                    Some(b'"' | b'\\' | b'b' | b't' | b'n' | b'f' | b'r') => 2,
                    Some(b'u') => match bytes.get(index + 2..index + 6) {
                        Some([b'0', b'0', high @ b'0'..=b'1', low]) => {
                            let code = (high - b'0') << 4
                                | match low {
                                    b'0'..=b'9' => low - b'0',
                                    b'a'..=b'f' => low - b'a' + 10,
                                    _ => return false,
                                };
                            if matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                                return false;
                            }
                            6
                        }
                        _ => return false,
                    },
                    _ => return false,
                };
                index += length;
            }
            // A control character.
            _ => return false,
        }
    }
}

/// Where the first quote, backslash or control character from `index` on is, 8 bytes
/// at a time.
fn next_special(bytes: &[u8], mut index: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    /// The high bit of every byte of `word` that is below `limit` (and of bytes after
    /// the first such one, possibly, but never before it).
    fn below(word: u64, limit: u8) -> u64 {
        word.wrapping_sub(ONES * u64::from(limit)) & !word & HIGHS
    }
    while let Some(chunk) = bytes.get(index..index + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let found = below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | below(word, 0x20);
        if found != 0 {
            return Some(index + (found.trailing_zeros() / 8) as usize);
        }
        index += 8;
    }
    let length = bytes[index..]
        .iter()
        .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)?;
    Some(index + length)
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

    /// Payloads of every shape the fast path has to get right; those from
    /// [`FAST_PAYLOADS`] on are left to the ordinary way.
    fn varied_payloads() -> Vec<Value> {
        vec![
            json!({}),
            json!([]),
            json!(null),
            json!("just a string"),
            json!({"b": 1, "a": {"d": [{"z": 1, "y": 2}], "c": null}}),
            json!({"name": "Алесь Бяляцкі", "emoji": "🕊", "slash": "a/b", "del": "\u{7f}"}),
            json!({"note": "line\nbreak \"quoted\" back\\slash\ttab\r\u{1}\u{1f}\u{8}\u{c}"}),
            json!({"numbers": [0, -5, 17, 123456789012345678_u64, -123456789012345678_i64]}),
            json!({"bools": [true, false, null], "nested": [[[{"k": [{}]}]]]}),
            json!({"Ключ": 1, "key": 2, "é": 3, "a b": 4, "": 5}),
            // Not on the fast path: 19 digits, floats, escaped keys.
            json!({"big": 1234567890123456789_u64, "min": i64::MIN, "max": u64::MAX}),
            json!({"float": 1.5, "whole float": 2.0, "tiny": 1e-7}),
            json!({"needs \"escape\"": 1}),
            json!({"ctrl\nkey": 1}),
        ]
    }

    /// How many of [`varied_payloads`] the fast path takes.
    const FAST_PAYLOADS: usize = 10;

    /// Envelopes of every shape the fast path has to get right.
    fn varied_envelopes() -> Vec<Envelope> {
        let payloads = varied_payloads();
        let times = [
            Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap(),
            Utc.timestamp_opt(1_700_000_000, 1_000_000).unwrap(),
            Utc.timestamp_opt(1_700_000_000, 123_456_000).unwrap(),
            Utc.timestamp_opt(1_700_000_000, 120_000_000).unwrap(),
            Utc.timestamp_opt(1_700_000_000, 1).unwrap(),
            Utc.timestamp_opt(1_700_000_000, 999_999_999).unwrap(),
            Utc.with_ymd_and_hms(999, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
        ];
        let mut envelopes = Vec::new();
        for (index, payload) in payloads.iter().enumerate() {
            for (which, time) in times.iter().enumerate() {
                let mut envelope = sample(payload.clone());
                envelope.position = (index * 10 + which) as u64 + 1;
                envelope.version = which as u64 + 1;
                envelope.recorded_at = *time;
                envelope.event_id = Uuid::from_u128(0xfedc_ba98_7654_3210 + index as u128);
                envelope.command_id = (which % 2 == 1).then(|| Uuid::from_u128(which as u128));
                envelope.stream = StreamId::new(format!("person-Ю-{index}")).unwrap();
                envelope.recorded_by = ["alice", "Аліса", "o'brien"][which % 3].into();
                envelope.prev_hash = envelope_hash(&envelope).unwrap();
                envelope.hash = envelope_hash(&envelope).unwrap();
                envelopes.push(envelope);
            }
        }
        envelopes
    }

    /// When the fast path answers, it says what decoding and re-encoding say.
    fn assert_agrees(bytes: &[u8]) -> bool {
        let Some(fast) = stored_summary_fast(bytes) else {
            return false;
        };
        let envelope: Envelope = serde_json::from_slice(bytes).unwrap_or_else(|error| {
            panic!(
                "the fast path took bytes that do not decode ({error}): {}",
                String::from_utf8_lossy(bytes)
            )
        });
        assert_eq!(
            serde_json::to_vec(&envelope).unwrap(),
            bytes,
            "the fast path took bytes that are not what their envelope encodes to"
        );
        assert_eq!(fast.digest, envelope_digest(&envelope).unwrap());
        assert_eq!(
            (fast.position, fast.event_id, fast.version),
            (envelope.position, envelope.event_id, envelope.version)
        );
        assert_eq!(
            &bytes[fast.stream.clone()],
            envelope.stream.as_str().as_bytes()
        );
        assert_eq!(fast.prev_hash.as_slice(), envelope.prev_hash.as_bytes());
        assert_eq!(fast.hash.as_slice(), envelope.hash.as_bytes());
        true
    }

    #[test]
    fn the_fast_path_hashes_what_the_store_writes_as_the_ordinary_way_does() {
        let mut n_fast = 0;
        for envelope in varied_envelopes() {
            let bytes = serde_json::to_vec(&envelope).unwrap();
            if assert_agrees(&bytes) {
                n_fast += 1;
                assert_eq!(
                    String::from_utf8(
                        hex_digest(&stored_summary_fast(&bytes).unwrap().digest).to_vec()
                    ),
                    Ok(envelope.hash.clone())
                );
            }
            let summary = StoredSummary::of(envelope.clone());
            assert_eq!(summary.digest, Ok(envelope_digest(&envelope).unwrap()));
        }
        // Years before 1000 (1 time of 8) are left to the ordinary way too.
        assert_eq!(n_fast, FAST_PAYLOADS * 7);
    }

    #[test]
    fn the_fast_path_takes_no_altered_bytes_that_it_would_hash_differently() {
        let envelopes = varied_envelopes();
        let mut n_taken = 0;
        for envelope in [
            &envelopes[5],
            &envelopes[42],
            &envelopes[50],
            &envelopes[76],
        ] {
            let bytes = serde_json::to_vec(envelope).unwrap();
            assert!(assert_agrees(&bytes));
            let insertions: [&[u8]; 14] = [
                b" ",
                b"\"",
                b"\\",
                b"0",
                b"-",
                b".",
                b"e",
                b",",
                b"}",
                b"]",
                b"a",
                b"\n",
                "é".as_bytes(),
                b"\x80",
            ];
            for at in 0..=bytes.len() {
                for insertion in insertions {
                    let mut altered = bytes.clone();
                    altered.splice(at..at, insertion.iter().copied());
                    n_taken += usize::from(assert_agrees(&altered));
                    if at < bytes.len() {
                        let mut altered = bytes.clone();
                        altered.splice(at..=at, insertion.iter().copied());
                        n_taken += usize::from(assert_agrees(&altered));
                    }
                }
                if at < bytes.len() {
                    let mut altered = bytes.clone();
                    altered.remove(at);
                    n_taken += usize::from(assert_agrees(&altered));
                }
            }
        }
        // Some alterations keep the canonical form (a changed digit, a letter in a string).
        assert!(n_taken > 100, "{n_taken}");
    }

    #[test]
    fn canonical_json_is_recognised_and_nothing_else() {
        for (index, payload) in varied_payloads().iter().enumerate() {
            let bytes = serde_json::to_vec(&Canonical(payload)).unwrap();
            assert_eq!(
                is_canonical_json(&bytes),
                index < FAST_PAYLOADS,
                "{}",
                String::from_utf8_lossy(&bytes)
            );
        }
        for text in [
            "{\"a\":1}",
            "[1,-2,\"x\",true,false,null,{},[]]",
            "\"a\\u0000b\\u001fc\\\"\\\\\\n\"",
            "\"é/🕊\u{7f}\"",
            "123456789012345678",
            "-123456789012345678",
        ] {
            assert!(is_canonical_json(text.as_bytes()), "{text}");
        }
        for text in [
            "",
            " 1",
            "{\"b\":1,\"a\":2}",
            "{\"a\":1,\"a\":2}",
            "{\"a\": 1}",
            "[1, 2]",
            "1.0",
            "1e3",
            "-0",
            "01",
            "1234567890123456789",
            "\"\\/\"",
            "\"\\u00e9\"",
            "\"\\u001F\"",
            "\"\\u000a\"",
            "\"\\u0022\"",
            "\"tab\there\"",
            "{\"a\\n\":1}",
            "tru",
            "nul",
            "[1,]",
            "{\"a\":1,}",
            "\"unterminated",
        ] {
            assert!(!is_canonical_json(text.as_bytes()), "{text}");
        }
        assert!(!is_canonical_json(b"\"\xff\""));
        assert!(!is_canonical_json(b"\"\xd0\""));
        let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
        assert!(!is_canonical_json(deep.as_bytes()));
        let shallow = format!("{}{}", "[".repeat(60), "]".repeat(60));
        assert!(is_canonical_json(shallow.as_bytes()));
    }

    #[test]
    fn timestamps_are_recognised_as_chrono_writes_them() {
        let mut nanos = 0u32;
        for step in 0..2000u32 {
            let time = Utc
                .timestamp_opt(i64::from(step) * 7_919_993 + 86_400 * 365 * 30, nanos)
                .unwrap();
            let text = serde_json::to_string(&time).unwrap();
            assert!(
                is_canonical_timestamp(text.trim_matches('"').as_bytes()),
                "{text}"
            );
            nanos = (nanos + 104_729_000 + step * 7) % 1_000_000_000;
            if step % 3 == 0 {
                nanos -= nanos % 1_000_000;
            } else if step % 3 == 1 {
                nanos -= nanos % 1000;
            }
        }
        for text in [
            "2024-05-01T12:00:00Z",
            "2024-05-01T12:00:00.100Z",
            "2024-05-01T12:00:00.120100Z",
            "2024-02-29T23:59:59.000000001Z",
        ] {
            assert!(is_canonical_timestamp(text.as_bytes()), "{text}");
        }
        for text in [
            "2024-05-01T12:00:00.000Z",
            "2024-05-01T12:00:00.100000Z",
            "2024-05-01T12:00:00.120000Z",
            "2024-05-01T12:00:00.1Z",
            "2024-05-01T12:00:00+00:00",
            "2024-05-01 12:00:00Z",
            "2024-05-01t12:00:00Z",
            "2024-05-01T12:00:00z",
            "2024-05-01T12:00:60Z",
            "2024-05-01T24:00:00Z",
            "2023-02-29T12:00:00Z",
            "2024-13-01T12:00:00Z",
            "0999-05-01T12:00:00Z",
            "+12024-05-01T12:00:00Z",
            "2024-5-01T12:00:00Z",
        ] {
            assert!(!is_canonical_timestamp(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn special_bytes_are_found_as_a_byte_loop_finds_them() {
        let alphabet = [
            b'a', b' ', b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xa0, 0xff, b'!',
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for length in 0..40 {
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..length)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        // Mostly plain bytes, so that the special ones come late too.
                        if state.is_multiple_of(5) {
                            alphabet[(state >> 8) as usize % alphabet.len()]
                        } else {
                            b'a' + (state >> 16) as u8 % 26
                        }
                    })
                    .collect();
                for from in 0..=length {
                    let expected = bytes[from..]
                        .iter()
                        .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)
                        .map(|at| from + at);
                    assert_eq!(
                        next_special(&bytes, from),
                        expected,
                        "{bytes:?} from {from}"
                    );
                }
            }
        }
    }
}
