//! The key layout of one generation tree: keys prefixed by kind, integers and
//! dates big-endian so that scans come out in order.
//!
//! | key | value |
//! |---|---|
//! | `c` | checkpoint: last applied position (u64 BE) then the hash of that envelope |
//! | `p/` person (16 bytes) | the person's stored row (standing, window, slug, statements), JSON |
//! | `t/` person (16 bytes) | statements naming the person, JSON |
//! | `h/` headline (1 byte) person | empty: the roster index |
//! | `n/` folded name `\0` person | empty: the name and alias index |
//! | `s/` slug | person (16 bytes) |
//! | `f/` valid-from day (4 bytes) person | empty: rows not exact before that day |
//! | `r/` headline-until day (4 bytes) person | empty: headlines that expire |
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
pub(crate) const VALID_FROM: &[u8] = b"f/";
pub(crate) const HEADLINE_UNTIL: &[u8] = b"r/";
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

pub(crate) fn headline_prefix(headline: Headline) -> Vec<u8> {
    with(HEADLINE, &[&[headline_code(headline)]])
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

pub(crate) fn valid_from(day: NaiveDate, id: PersonId) -> Vec<u8> {
    with(VALID_FROM, &[&day_bytes(day), id.as_uuid().as_bytes()])
}

pub(crate) fn headline_until(day: NaiveDate, id: PersonId) -> Vec<u8> {
    with(HEADLINE_UNTIL, &[&day_bytes(day), id.as_uuid().as_bytes()])
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
