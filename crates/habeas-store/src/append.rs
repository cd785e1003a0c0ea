//! What a caller passes to `append` and what it gets back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The caller's belief about a stream's current version, checked atomically with the append.
///
/// Stream versions are 1-based: the first event of a stream has version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the stream's version is.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last version must be exactly this; `Exact(0)` means the stream must
    /// not exist yet, like [`ExpectedVersion::NoStream`], so that "read the version,
    /// append with `Exact`" loops need no special case.
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream whose last version is `actual` (`None`: no such stream) satisfies this.
    pub fn is_satisfied_by(self, actual: Option<u64>) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual.is_none(),
            ExpectedVersion::Exact(expected) => actual.unwrap_or(0) == expected,
        }
    }
}

/// One event to append; the store adds the envelope fields around it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// Unique id chosen by the caller.
    pub event_id: Uuid,
    /// Past-tense event type name, e.g. `Detained`.
    pub event_type: String,
    /// Schema version of `payload` for this event type.
    pub schema_version: u32,
    /// The event body.
    pub payload: Value,
}

/// Facts about an append that are recorded in every envelope it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMeta {
    /// Who entered the events.
    pub recorded_by: String,
    /// Id of the command that produced the events: a retried command with the same id is
    /// recognised and not written twice.
    pub command_id: Option<Uuid>,
}

/// Where an append landed. Stored for command ids, so it is serde-derived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendResult {
    /// Global position of the first event written.
    pub first_position: u64,
    /// Global position of the last event written; the range is contiguous.
    pub last_position: u64,
    /// The stream's version after the append (the version of its last event).
    pub stream_version: u64,
    /// Commit time, shared by every event of the append.
    pub recorded_at: DateTime<Utc>,
    /// Ids of the events written, in order.
    pub event_ids: Vec<Uuid>,
}

/// The result of an append that did not fail: callers match on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    /// The events are durable at the given positions.
    Appended(AppendResult),
    /// The stream's version did not match; nothing was written.
    Conflict {
        /// What the caller expected.
        expected: ExpectedVersion,
        /// The stream's actual last version (`None`: the stream does not exist).
        actual: Option<u64>,
    },
    /// The command id was applied before; nothing was written and this is the earlier
    /// append's result.
    AlreadyApplied(AppendResult),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_version_rules() {
        assert!(ExpectedVersion::Any.is_satisfied_by(None));
        assert!(ExpectedVersion::Any.is_satisfied_by(Some(3)));
        assert!(ExpectedVersion::NoStream.is_satisfied_by(None));
        assert!(!ExpectedVersion::NoStream.is_satisfied_by(Some(1)));
        assert!(ExpectedVersion::Exact(0).is_satisfied_by(None));
        assert!(ExpectedVersion::Exact(2).is_satisfied_by(Some(2)));
        assert!(!ExpectedVersion::Exact(2).is_satisfied_by(Some(3)));
        assert!(!ExpectedVersion::Exact(2).is_satisfied_by(None));
    }
}
