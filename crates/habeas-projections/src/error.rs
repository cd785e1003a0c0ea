//! The crate's one error type.

use std::path::PathBuf;

use habeas_store::StoreError;

/// Why a projection operation failed.
///
/// The projections are rebuildable from the log, so most remedies end in
/// "rebuild": nothing here can lose a recorded fact.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectionError {
    /// Reading the event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),

    /// The projection database failed.
    #[error(
        "projection database error: {0}; if it persists, delete the projections directory and rebuild"
    )]
    Sled(#[from] sled::Error),

    /// A file or directory of the projection database could not be used.
    #[error("i/o error on {}: {source}; check the path and permissions", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The directory is not empty and does not hold a projection database.
    #[error(
        "{} is not a habeas projections directory (it is not empty and holds no sled database); \
         pass the `projections` folder of a habeas data directory",
        .0.display()
    )]
    NotProjections(PathBuf),

    /// The directory holds a projection database of a newer format.
    #[error(
        "the projections at {} have format version {found} but this build supports up to {supported}; \
         upgrade habeas, or delete the directory and rebuild",
        path.display()
    )]
    NewerFormat {
        /// The projections directory.
        path: PathBuf,
        /// The format found.
        found: u32,
        /// The newest format this build reads.
        supported: u32,
    },

    /// A stored event could not be read as a domain event.
    #[error(
        "the event at position {position} cannot be read as a domain event: {reason}; verify the store, and restore from a backup if it is damaged"
    )]
    Unreadable {
        /// Its global position.
        position: u64,
        /// Why.
        reason: String,
    },

    /// The log handed to the projector skips positions.
    #[error(
        "the projections expected position {expected} next but were given {found}; \
         feed them from their checkpoint (catch_up) or rebuild"
    )]
    Gap {
        /// The position after the checkpoint.
        expected: u64,
        /// The position received.
        found: u64,
    },

    /// The projections have applied events the store does not hold, or other
    /// events at the same positions: they belong to another log (for example,
    /// the store was restored from an older backup).
    #[error(
        "the projections do not match the event store ({reason}); \
         rebuild them from the log"
    )]
    Diverged {
        /// What does not match.
        reason: String,
    },

    /// A stored read-model entry cannot be decoded.
    #[error("the read-model entry {key} is corrupt: {reason}; run the audit, then rebuild")]
    Corrupt {
        /// Which entry, as printable text.
        key: String,
        /// Why.
        reason: String,
    },

    /// A read-model entry could not be encoded.
    #[error("cannot encode {what} as json: {source}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },

    /// The projector's worker thread stopped without an answer.
    #[error("the projection worker stopped unexpectedly ({0}); retry, or rebuild")]
    Worker(String),
}

impl ProjectionError {
    /// The error for an i/o failure on `path`, for `map_err`.
    pub(crate) fn io(
        path: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> ProjectionError + '_ {
        move |source| ProjectionError::Io {
            path: path.to_owned(),
            source,
        }
    }
}
