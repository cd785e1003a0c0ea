//! The sled key layout: one tree, keys prefixed by kind, integers big-endian so that
//! scans come out in order.
//!
//! | key | value |
//! |---|---|
//! | `e/` position (u64 BE) | envelope JSON (stored form) |
//! | `s/` stream `\0` version (u64 BE) | position (u64 BE) |
//! | `c/` command id (16 bytes) | `AppendResult` JSON |
//! | `i/` event id (16 bytes) | position (u64 BE) of the event with that id |
//! | `m/format` | format version (u32 BE) |
//! | `m/head` | last committed position (u64 BE), written with every group |

use uuid::Uuid;

use habeas_store::StreamId;

pub(crate) const EVENT_PREFIX: &[u8] = b"e/";
pub(crate) const EVENT_ID_PREFIX: &[u8] = b"i/";
pub(crate) const FORMAT_KEY: &[u8] = b"m/format";
pub(crate) const HEAD_KEY: &[u8] = b"m/head";

pub(crate) fn event_key(position: u64) -> Vec<u8> {
    let mut key = EVENT_PREFIX.to_vec();
    key.extend_from_slice(&position.to_be_bytes());
    key
}

/// The position in an `e/` key, `None` if the key is not one.
pub(crate) fn position_of_event_key(key: &[u8]) -> Option<u64> {
    let bytes = key.strip_prefix(EVENT_PREFIX)?;
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// The prefix of every index key of `stream`. Stream ids hold no `\0`, so no stream's
/// prefix is a prefix of another's.
pub(crate) fn stream_prefix(stream: &StreamId) -> Vec<u8> {
    let mut key = b"s/".to_vec();
    key.extend_from_slice(stream.as_str().as_bytes());
    key.push(0);
    key
}

pub(crate) fn stream_key(stream: &StreamId, version: u64) -> Vec<u8> {
    let mut key = stream_prefix(stream);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

/// The version at the end of an `s/` key.
pub(crate) fn version_of_stream_key(key: &[u8]) -> Option<u64> {
    let start = key.len().checked_sub(8)?;
    Some(u64::from_be_bytes(key[start..].try_into().ok()?))
}

pub(crate) fn command_key(command_id: Uuid) -> Vec<u8> {
    let mut key = b"c/".to_vec();
    key.extend_from_slice(command_id.as_bytes());
    key
}

pub(crate) fn event_id_key(event_id: Uuid) -> Vec<u8> {
    let mut key = EVENT_ID_PREFIX.to_vec();
    key.extend_from_slice(event_id.as_bytes());
    key
}

pub(crate) fn decode_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_sort_by_position_and_round_trip() {
        assert!(event_key(255) < event_key(256));
        assert!(event_key(1) < event_key(u64::MAX));
        assert_eq!(position_of_event_key(&event_key(77)), Some(77));
        assert_eq!(position_of_event_key(b"s/x"), None);
    }

    #[test]
    fn stream_keys_sort_by_version_and_do_not_overlap() {
        let abc = StreamId::new("abc").unwrap();
        let abcd = StreamId::new("abcd").unwrap();
        assert!(stream_key(&abc, 9) < stream_key(&abc, 10));
        assert!(!stream_key(&abcd, 1).starts_with(&stream_prefix(&abc)));
        assert_eq!(version_of_stream_key(&stream_key(&abc, 42)), Some(42));
    }

    #[test]
    fn event_id_keys_are_prefix_and_raw_uuid_bytes() {
        let id = Uuid::from_u128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10);
        let key = event_id_key(id);
        assert_eq!(&key[..2], b"i/");
        assert_eq!(&key[2..], id.as_bytes());
    }
}
