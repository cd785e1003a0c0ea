//! The key layout of one generation tree: keys prefixed by kind, integers and
//! dates big-endian so that scans come out in order.
//!
//! | key | value |
//! |---|---|
//! | `c` | checkpoint: last applied position (u64 BE) then the hash of that envelope |
//! | `p/` person (16 bytes) | the person's stored row (standing, window, slug, statements), JSON |
//! | `t/` person (16 bytes) | statements naming the person, JSON |
//! | `h/` headline (1 byte) person | the row's window: valid-from day (4 bytes), then the headline-until day (4 bytes) if any: the roster index |
//! | `n/` folded name `\0` person | empty: the name and alias index |
//! | `s/` slug | person (16 bytes) |
//! | `a/` person (16 bytes) statement (16 bytes) | empty: every statement that ever named the person |

use chrono::{Datelike, NaiveDate};
use habeas_domain::id::{PersonId, StatementId};
use habeas_domain::status::Headline;
use uuid::Uuid;

pub(crate) const CHECKPOINT: &[u8] = b"c";
pub(crate) const PERSON: &[u8] = b"p/";
pub(crate) const STATEMENTS: &[u8] = b"t/";
pub(crate) const HEADLINE: &[u8] = b"h/";
pub(crate) const NAME: &[u8] = b"n/";
pub(crate) const SLUG: &[u8] = b"s/";
pub(crate) const NAMED: &[u8] = b"a/";

fn with(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut key = prefix.to_vec();
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

pub(crate) fn person(id: PersonId) -> Vec<u8> {
    with(PERSON, &[id.as_uuid().as_bytes()])
}

pub(crate) fn statements(id: PersonId) -> Vec<u8> {
    with(STATEMENTS, &[id.as_uuid().as_bytes()])
}

pub(crate) fn named_prefix(person: PersonId) -> Vec<u8> {
    with(NAMED, &[person.as_uuid().as_bytes()])
}

pub(crate) fn named(person: PersonId, statement: StatementId) -> Vec<u8> {
    with(
        NAMED,
        &[person.as_uuid().as_bytes(), statement.as_uuid().as_bytes()],
    )
}

/// The person of an index key: after the prefix for `a/`, at the end for
/// the others.
pub(crate) fn person_of_index_key(key: &[u8]) -> Option<PersonId> {
    if key.starts_with(NAMED) {
        let bytes: [u8; 16] = key.get(NAMED.len()..NAMED.len() + 16)?.try_into().ok()?;
        Some(PersonId::from_uuid(Uuid::from_bytes(bytes)))
    } else {
        person_at_end(key)
    }
}

/// The statement id at the end of an `a/` key.
pub(crate) fn statement_at_end(key: &[u8]) -> Option<StatementId> {
    let start = key.len().checked_sub(16)?;
    let bytes: [u8; 16] = key[start..].try_into().ok()?;
    Some(StatementId::from_uuid(Uuid::from_bytes(bytes)))
}

pub(crate) fn headline_code(headline: Headline) -> u8 {
    Headline::ALL
        .iter()
        .position(|h| *h == headline)
        .and_then(|idx| u8::try_from(idx).ok())
        .unwrap_or(u8::MAX)
}

pub(crate) fn headline(headline: Headline, id: PersonId) -> Vec<u8> {
    with(
        HEADLINE,
        &[&[headline_code(headline)], id.as_uuid().as_bytes()],
    )
}

pub(crate) fn name_prefix(folded: &str) -> Vec<u8> {
    with(NAME, &[folded.as_bytes(), &[0]])
}

pub(crate) fn name(folded: &str, id: PersonId) -> Vec<u8> {
    with(NAME, &[folded.as_bytes(), &[0], id.as_uuid().as_bytes()])
}

pub(crate) fn slug(slug: &str) -> Vec<u8> {
    with(SLUG, &[slug.as_bytes()])
}

/// Days since the common era, sign bit flipped, big-endian: sorts like dates.
pub(crate) fn day_bytes(day: NaiveDate) -> [u8; 4] {
    ((day.num_days_from_ce() as u32) ^ 0x8000_0000).to_be_bytes()
}

/// The value of a headline index entry: the days between which the
/// headline holds as indexed.
pub(crate) fn headline_window(valid_from: NaiveDate, headline_until: Option<NaiveDate>) -> Vec<u8> {
    let mut value = day_bytes(valid_from).to_vec();
    if let Some(until) = headline_until {
        value.extend_from_slice(&day_bytes(until));
    }
    value
}

/// The days of a headline index entry's value (see [`headline_window`]).
pub(crate) fn decode_headline_window(value: &[u8]) -> Option<(NaiveDate, Option<NaiveDate>)> {
    let day = |bytes: &[u8]| -> Option<NaiveDate> {
        let days = u32::from_be_bytes(bytes.try_into().ok()?) ^ 0x8000_0000;
        NaiveDate::from_num_days_from_ce_opt(days as i32)
    };
    match value.len() {
        4 => Some((day(value)?, None)),
        8 => Some((day(&value[..4])?, Some(day(&value[4..])?))),
        _ => None,
    }
}

/// The person id at the end of an index key.
pub(crate) fn person_at_end(key: &[u8]) -> Option<PersonId> {
    let start = key.len().checked_sub(16)?;
    let bytes: [u8; 16] = key[start..].try_into().ok()?;
    Some(PersonId::from_uuid(Uuid::from_bytes(bytes)))
}

pub(crate) fn person_from_value(value: &[u8]) -> Option<PersonId> {
    let bytes: [u8; 16] = value.try_into().ok()?;
    Some(PersonId::from_uuid(Uuid::from_bytes(bytes)))
}

/// The checkpoint value: position, then the envelope hash.
pub(crate) fn checkpoint_value(position: u64, hash: &str) -> Vec<u8> {
    let mut value = position.to_be_bytes().to_vec();
    value.extend_from_slice(hash.as_bytes());
    value
}

pub(crate) fn decode_checkpoint(value: &[u8]) -> Option<(u64, String)> {
    let (position, hash) = value.split_at_checked(8)?;
    Some((
        u64::from_be_bytes(position.try_into().ok()?),
        String::from_utf8(hash.to_vec()).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_keys_sort_like_days() {
        let a: NaiveDate = "1999-12-31".parse().unwrap();
        let b: NaiveDate = "2000-01-01".parse().unwrap();
        assert!(day_bytes(a) < day_bytes(b));
    }

    #[test]
    fn headline_windows_round_trip() {
        let a: NaiveDate = "0001-01-01".parse().unwrap();
        let b: NaiveDate = "2031-02-28".parse().unwrap();
        for window in [(a, None), (b, None), (a, Some(b)), (b, Some(b))] {
            let value = headline_window(window.0, window.1);
            assert_eq!(decode_headline_window(&value), Some(window));
        }
        assert_eq!(decode_headline_window(b"abc"), None);
    }

    #[test]
    fn checkpoint_round_trips() {
        let value = checkpoint_value(42, "abc");
        assert_eq!(decode_checkpoint(&value), Some((42, "abc".to_owned())));
        assert_eq!(decode_checkpoint(b"short"), None);
    }

    #[test]
    fn every_headline_has_a_code() {
        for headline in Headline::ALL {
            assert!(headline_code(headline) < 10);
        }
    }
}
