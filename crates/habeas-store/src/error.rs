//! The one error type of the store: storage failures, never domain rejections.

use std::path::PathBuf;

use crate::stream_id::StreamId;

/// Everything that can go wrong while opening, writing or reading a store.
///
/// Expected outcomes of an append (a version conflict, a command already applied) are
/// not errors: they are variants of [`crate::AppendOutcome`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The directory exists, is not empty and holds no Habeas store marker; nothing was
    /// changed in it.
    #[error(
        "{} is not a habeas store (it is not empty and has no HABEAS_STORE marker); \
         pass an empty or missing directory to create a new store",
        .0.display()
    )]
    NotAHabeasStore(PathBuf),

    /// The store was written by a newer Habeas with a format this build cannot read;
    /// nothing was changed.
    #[error(
        "the store at {} has format version {found} but this build supports up to {supported}; \
         upgrade habeas to open it",
        path.display()
    )]
    NewerFormat {
        /// The store directory.
        path: PathBuf,
        /// The format version found in the store.
        found: u32,
        /// The newest format version this build understands.
        supported: u32,
    },

    /// Another process holds the store's exclusive lock; nothing was changed.
    #[error(
        "the store at {} is locked: another habeas process is using it; \
         stop that process (or wait for it to finish) and retry",
        .0.display()
    )]
    Locked(PathBuf),

    /// An operating-system error on a file of the store.
    #[error("i/o error on {}: {source}; check the path, permissions and free disk space", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A stored event could not be decoded; run `verify` to locate every damaged event.
    #[error(
        "the stored event at position {position} is corrupt: {reason}; run verify and restore from a backup"
    )]
    Corrupt {
        /// Global position of the damaged event; 0 when the damage is in an index or
        /// command entry that names no position.
        position: u64,
        /// What is wrong.
        reason: String,
    },

    /// The upcaster refused a stored event.
    #[error(
        "cannot upcast event at position {position} ({event_type} schema version {schema_version}): \
         {reason}; this build needs an upcaster for that schema version"
    )]
    Upcast {
        /// Global position of the event.
        position: u64,
        /// Its stored event type.
        event_type: String,
        /// Its stored schema version.
        schema_version: u32,
        /// The upcaster's explanation.
        reason: String,
    },

    /// A stream id was empty, too long or contained a control character.
    #[error("invalid stream id {stream:?}: {reason}")]
    InvalidStreamId {
        /// The rejected text.
        stream: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// `append` was called with no events; there is nothing to commit.
    #[error("nothing to append to stream {stream}: pass at least one event")]
    NothingToAppend {
        /// The stream named in the call.
        stream: StreamId,
    },

    /// An envelope or append result could not be encoded as JSON.
    #[error("cannot encode {what} as json: {source}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },

    /// The store's writer has stopped (the store is being dropped); reopen the store.
    #[error("the store is closed; reopen it to continue")]
    Closed,

    /// A group commit failed part-way, so the writer refuses further appends: the
    /// in-process state may be ahead of the disk. Reopen the store; appends that were
    /// acknowledged before the failure are durable.
    #[error(
        "the store stopped accepting appends after a failed commit ({reason}); reopen the store"
    )]
    WriterFailed {
        /// The failure that stopped the writer.
        reason: String,
    },

    /// An error reported by sled that is none of the above.
    #[error("sled error: {0}; if it persists, run verify and restore from a backup")]
    Sled(#[from] sled::Error),
}

impl StoreError {
    /// Wraps an I/O error with the path it happened on.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}
