//! Whose stream an event belongs to, and the one codec between a subject and
//! the name of its stream in the log.
//!
//! The store knows streams only by name; every reader that needs to know
//! whether a stream is a person's or a statement's (the facade, the read
//! models, the benchmarks) asks [`Subject::of_stream`], so the naming scheme
//! lives here once.

use std::fmt;

use crate::id::{PersonId, StatementId};

/// The prefix of a person's stream name: `person-<uuid>`.
const PERSON_PREFIX: &str = "person-";
/// The prefix of a statement's stream name: `statement-<uuid>`.
const STATEMENT_PREFIX: &str = "statement-";

/// Whose case or which statement a stream (and each event in it) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// A person's stream: their registration and every development in their case.
    Person(PersonId),
    /// A statement's stream: one statement, which may name several people.
    Statement(StatementId),
}

impl Subject {
    /// The name of the subject's stream in the log.
    pub fn stream_name(&self) -> String {
        self.to_string()
    }

    /// The subject whose stream has this name, or `None` for a stream that
    /// belongs to no person or statement (other streams may share the log,
    /// e.g. a server's accounts; readers of the domain skip them).
    pub fn of_stream(name: &str) -> Option<Subject> {
        if let Some(id) = name.strip_prefix(PERSON_PREFIX) {
            id.parse().ok().map(Subject::Person)
        } else if let Some(id) = name.strip_prefix(STATEMENT_PREFIX) {
            id.parse().ok().map(Subject::Statement)
        } else {
            None
        }
    }

    /// The person, when the subject is one.
    pub fn person(&self) -> Option<PersonId> {
        match self {
            Subject::Person(id) => Some(*id),
            Subject::Statement(_) => None,
        }
    }
}

impl fmt::Display for Subject {
    /// Writes the stream name: `person-<uuid>` or `statement-<uuid>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Person(id) => write!(f, "{PERSON_PREFIX}{id}"),
            Subject::Statement(id) => write!(f, "{STATEMENT_PREFIX}{id}"),
        }
    }
}

impl From<PersonId> for Subject {
    fn from(id: PersonId) -> Subject {
        Subject::Person(id)
    }
}

impl From<StatementId> for Subject {
    fn from(id: StatementId) -> Subject {
        Subject::Statement(id)
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn stream_names_round_trip_and_foreign_streams_are_none() {
        let uuid = Uuid::from_u128(0x0192_f0c1_7d4e_7a3b_9c2d_1e2f_3a4b_5c6d);
        let person = Subject::Person(PersonId::from_uuid(uuid));
        let statement = Subject::Statement(StatementId::from_uuid(uuid));
        // (stream name, the subject it names)
        let cases = [
            ("person-0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6d", Some(person)),
            (
                "statement-0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6d",
                Some(statement),
            ),
            ("person-not-a-uuid", None),
            ("account-0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6d", None),
            ("Person-0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6d", None),
            ("", None),
        ];
        for (name, expected) in cases {
            assert_eq!(Subject::of_stream(name), expected, "{name}");
            if let Some(subject) = expected {
                assert_eq!(subject.stream_name(), name);
            }
        }
        assert_eq!(person.person(), Some(PersonId::from_uuid(uuid)));
        assert_eq!(statement.person(), None);
    }
}
