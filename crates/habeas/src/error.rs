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
    /// No person matches the reference.
    #[error("no person matches {reference:?}{}", suggest(.suggestions))]
    UnknownPerson {
        /// What the user typed.
        reference: String,
        /// The closest names, best first.
        suggestions: Vec<String>,
    },
    /// Several people match the reference.
    #[error("{reference:?} matches several people: {}; use the id or slug to choose", .candidates.join(", "))]
    AmbiguousPerson {
        /// What the user typed.
        reference: String,
        /// Each candidate as `name (slug, id)`.
        candidates: Vec<String>,
    },
    /// A stored event could not be read as a domain event.
    #[error("stored event at position {position} cannot be read: {reason}; run `habeas verify`")]
    Unreadable {
        /// Its global position.
        position: u64,
        /// Why.
        reason: String,
    },
    /// Other writers kept changing the stream; the command was not recorded.
    #[error("the case of {stream} kept changing while recording ({attempts} attempts): try again")]
    Contention {
        /// The stream.
        stream: String,
        /// How many times it was tried.
        attempts: u32,
    },
}

fn suggest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        "; list people with `habeas person list`".to_owned()
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
