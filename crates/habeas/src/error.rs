//! The facade's one error type: domain rejections kept apart from storage
//! failures, so the CLI can map each to its exit code.

use habeas_domain::error::DomainError;
use habeas_store::StoreError;

/// Why a tracker operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    /// The rules refuse the command; nothing was recorded.
    #[error(transparent)]
    Rejected(#[from] DomainError),
    /// The store failed; see the message for what to do.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The read models failed; they are derived data: `habeas rebuild`.
    /// (A store failure met by the read models is a [`TrackerError::Store`].)
    #[error(transparent)]
    Projections(habeas_projections::ProjectionError),
    /// There is no store at the location, and the caller did not ask to
    /// create one (a mistyped path must not leave an empty store behind).
    #[error("no store at {location}")]
    NoStore {
        /// Where it was looked for.
        location: String,
    },
    /// A record merged into itself.
    #[error(
        "{reference:?} is {name} already: merge a duplicate into another person's record (`habeas person merge DUPLICATE --into PERSON`)"
    )]
    MergeIntoItself {
        /// What was typed.
        reference: String,
        /// Who it names.
        name: String,
    },
    /// No person matches the reference.
    #[error("no person matches {reference:?}{}", suggest(.suggestions))]
    UnknownPerson {
        /// What the user typed.
        reference: String,
        /// The closest names, best first.
        suggestions: Vec<String>,
    },
    /// Several people match the reference.
    #[error("{reference:?} matches {} people: {}; use the id or slug to choose", .candidates.len(), listed(.candidates))]
    AmbiguousPerson {
        /// What the user typed.
        reference: String,
        /// Each candidate as `name (slug, id)`, all of them (the message
        /// names the first [`CANDIDATES_NAMED`]).
        candidates: Vec<String>,
    },
    /// A stored event could not be read as a domain event.
    #[error(
        "stored event at position {position} cannot be read: {reason}; verify the store, and restore from a backup if it is damaged"
    )]
    Unreadable {
        /// Its global position.
        position: u64,
        /// Why.
        reason: String,
    },
    /// No stored event has this id.
    #[error("no event {event} in this store: a person's history lists the ids of their events")]
    UnknownEvent {
        /// The id asked for.
        event: habeas_domain::id::EventId,
    },
    /// The event is not a dated fact that can be corrected or retracted.
    #[error(
        "event {event} is not a dated fact (a details change, a correction or a retraction cannot be corrected or retracted; a registration cannot be corrected, and can be retracted only while nothing is recorded on the person)"
    )]
    NotAFact {
        /// The id asked for.
        event: habeas_domain::id::EventId,
    },
    /// The correction asked for changes nothing, or a field the event lacks.
    #[error(transparent)]
    Amendment(#[from] habeas_domain::amendment::AmendmentError),
    /// Other writers kept changing the stream; the command was not recorded.
    #[error("the case of {stream} kept changing while recording ({attempts} attempts): try again")]
    Contention {
        /// The stream.
        stream: String,
        /// How many times it was tried.
        attempts: u32,
    },
}

/// How many of an ambiguous reference's candidates the message names: a
/// common name in a large roster matches hundreds of people, and a wall of
/// names helps no one choose.
pub const CANDIDATES_NAMED: usize = 10;

fn listed(candidates: &[String]) -> String {
    let named = candidates[..candidates.len().min(CANDIDATES_NAMED)].join(", ");
    match candidates.len().saturating_sub(CANDIDATES_NAMED) {
        0 => named,
        more => format!("{named} and {more} more"),
    }
}

fn suggest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

impl From<habeas_projections::ProjectionError> for TrackerError {
    /// A store failure met while reading the log for the read models (or the
    /// projections locked by another process) stays a store failure.
    fn from(error: habeas_projections::ProjectionError) -> Self {
        match error {
            habeas_projections::ProjectionError::Store(store) => TrackerError::Store(store),
            other => TrackerError::Projections(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ambiguous(n: usize) -> String {
        TrackerError::AmbiguousPerson {
            reference: "Thida Kem".into(),
            candidates: (0..n)
                .map(|idx| format!("Thida Kem (thida-kem-{idx}, id{idx})"))
                .collect(),
        }
        .to_string()
    }

    #[test]
    fn an_ambiguous_reference_names_its_first_candidates_and_counts_the_rest() {
        // (candidates, named in the message, says how many more)
        let cases = [
            (2, 2, None),
            (CANDIDATES_NAMED, CANDIDATES_NAMED, None),
            (CANDIDATES_NAMED + 1, CANDIDATES_NAMED, Some(1)),
            (434, CANDIDATES_NAMED, Some(434 - CANDIDATES_NAMED)),
        ];
        for (n, named, more) in cases {
            let message = ambiguous(n);
            assert!(
                message.starts_with(&format!("\"Thida Kem\" matches {n} people: ")),
                "{message}"
            );
            assert_eq!(message.matches("(thida-kem-").count(), named, "{message}");
            match more {
                Some(more) => assert!(message.contains(&format!("and {more} more; ")), "{message}"),
                None => assert!(!message.contains(" more; "), "{message}"),
            }
            assert!(
                message.ends_with("use the id or slug to choose"),
                "{message}"
            );
        }
    }
}
