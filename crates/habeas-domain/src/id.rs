//! Identifiers: newtypes over UUIDs so a person id can never be passed where an
//! event id is expected.
//!
//! The domain never generates ids (that needs a clock and randomness); the shell
//! creates v7 UUIDs and hands them in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID made by the caller (v7 in production, any version in tests).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| IdParseError {
                    what: $what,
                    value: s.to_owned(),
                })
            }
        }
    };
}

uuid_id!(
    /// A person whose case is documented; their events live in stream `person-<id>`.
    PersonId,
    "person id"
);
uuid_id!(
    /// One stored event, as named by corrections, retractions and the audit trail.
    EventId,
    "event id"
);
uuid_id!(
    /// A statement, which may concern several people; it lives in stream `statement-<id>`.
    StatementId,
    "statement id"
);
uuid_id!(
    /// A command, so that a retried command is recognised and applied once.
    CommandId,
    "command id"
);

impl PersonId {
    /// The name of this person's event stream.
    pub fn stream_name(&self) -> String {
        crate::subject::Subject::Person(*self).stream_name()
    }
}

impl StatementId {
    /// The name of this statement's event stream.
    pub fn stream_name(&self) -> String {
        crate::subject::Subject::Statement(*self).stream_name()
    }
}

/// A string that is not a UUID was given where an id was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{value:?} is not a valid {what}: expected a UUID such as 0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6d"
)]
pub struct IdParseError {
    what: &'static str,
    value: String,
}
