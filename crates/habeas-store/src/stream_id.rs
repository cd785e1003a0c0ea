//! Stream identifiers.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// The longest stream id accepted, in bytes.
pub const MAX_STREAM_ID_BYTES: usize = 256;

/// The name of one stream, e.g. `person-<uuid>` or `statement-<uuid>`.
///
/// Invariant: non-empty, at most [`MAX_STREAM_ID_BYTES`] bytes, no control characters
/// (the sled key layout relies on the absence of `\0`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StreamId(String);

impl StreamId {
    /// Checks and wraps a stream name.
    pub fn new(stream: impl Into<String>) -> Result<StreamId, StoreError> {
        let stream = stream.into();
        match StreamId::invalid_because(&stream) {
            Some(reason) => Err(StoreError::InvalidStreamId { stream, reason }),
            None => Ok(StreamId(stream)),
        }
    }

    /// Why `stream` is not a valid stream id, if it is not.
    pub(crate) fn invalid_because(stream: &str) -> Option<&'static str> {
        if stream.is_empty() {
            Some("it is empty")
        } else if stream.len() > MAX_STREAM_ID_BYTES {
            Some("it is longer than 256 bytes")
        } else if stream.chars().any(char::is_control) {
            Some("it contains a control character")
        } else {
            None
        }
    }

    /// The stream name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for StreamId {
    type Error = StoreError;

    fn try_from(stream: String) -> Result<StreamId, StoreError> {
        StreamId::new(stream)
    }
}

impl From<StreamId> for String {
    fn from(stream: StreamId) -> String {
        stream.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_names_and_rejects_empty_long_and_control() {
        assert_eq!(StreamId::new("person-1").unwrap().as_str(), "person-1");
        assert!(StreamId::new("").is_err());
        assert!(StreamId::new("a\0b").is_err());
        assert!(StreamId::new("a\nb").is_err());
        assert!(StreamId::new("x".repeat(257)).is_err());
        assert!(StreamId::new("x".repeat(256)).is_ok());
        let decoded: Result<StreamId, _> = serde_json::from_str("\"\"");
        assert!(decoded.is_err());
    }
}
