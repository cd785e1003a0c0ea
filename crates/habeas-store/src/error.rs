//! The one error type of the store: storage failures, never domain rejections.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::stream_id::StreamId;

/// Everything that can go wrong while opening, writing or reading a store.
///
/// Expected outcomes of an append (a version conflict, a command already applied) are
/// not errors: they are variants of [`crate::AppendOutcome`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The location holds something that is not a Habeas store (a directory with
    /// other files, a database with other tables); nothing was changed in it.
    #[error("{store} is not a habeas store: {reason}")]
    NotAHabeasStore {
        /// Where the store was looked for: a path, or a database URL without its
        /// password.
        store: String,
        /// What was found there instead, and what to pass instead.
        reason: String,
    },

    /// The store was written by a newer Habeas with a format this build cannot read;
    /// nothing was changed.
    #[error(
        "the store at {store} has format version {found} but this build supports up to \
         {supported}; upgrade habeas to open it"
    )]
    NewerFormat {
        /// Where the store is.
        store: String,
        /// The format version found in the store.
        found: u32,
        /// The newest format version this build understands.
        supported: u32,
    },

    /// Another process holds the store's exclusive lock (a single-process backend);
    /// nothing was changed.
    #[error(
        "the store at {store} is locked: another habeas process is using it; \
         stop that process (or wait for it to finish) and retry"
    )]
    Locked {
        /// Where the store is.
        store: String,
    },

    /// The device holding the store is full (`ENOSPC`).
    ///
    /// From `open`: nothing was opened; free space and open again. From `append`: the
    /// group commit holding this append failed, so the store now refuses every further
    /// append with [`StoreError::WriterFailed`] until it is reopened. Appends acknowledged
    /// before are durable; an append answered with this error was not acknowledged and,
    /// after reopening, is either wholly present or wholly absent: retry it with the same
    /// command id (it is then not written twice).
    #[error(
        "no space left on device while writing {location}: free disk space, then reopen the \
         store and retry; appends acknowledged before this error are safe, and an append that \
         got this error is stored wholly or not at all (retry it with the same command id)"
    )]
    DiskFull {
        /// The store, or the file of it that could not be written.
        location: String,
    },

    /// The store is not in a state any Habeas ever leaves it in. For the sled backend:
    /// the `db` or `conf` file is missing, empty, truncated or not a regular file, the
    /// `HABEAS_STORE` marker is unreadable, or the database holds no Habeas data. The
    /// store was not opened. When the damage is found before the backend opens its
    /// files (every sled case but the last), nothing was changed.
    #[error(
        "the store at {store} is damaged: {reason}; restore it from a backup, and keep a \
         copy of the damaged store for investigation"
    )]
    Damaged {
        /// Where the store is.
        store: String,
        /// What is wrong, naming the file or table concerned.
        reason: String,
    },

    /// The store's server could not be reached or refused the connection (a database
    /// backend); nothing was changed.
    #[error("cannot reach the store at {store}: {reason}")]
    Unavailable {
        /// Where the store is (a URL without its password).
        store: String,
        /// What failed, and what to check.
        reason: String,
    },

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

    /// The store refuses appends until it is reopened: a group commit failed, or sled
    /// failed a lookup while appends were decided (sled's in-process state may then be
    /// ahead of the disk, so nothing more may be decided against it), or the store was
    /// opened with events missing or undecodable at the end of its log. Appends acknowledged before are durable. Reads keep working,
    /// except that once sled itself failed to write its log it may refuse reads too, with
    /// the same error ([`StoreError::DiskFull`] for a full device), until the store is
    /// reopened.
    ///
    /// The appends of the failed group itself get this error too, except when the
    /// device was full: they then get [`StoreError::DiskFull`] (as does an append whose
    /// lookup sled failed).
    #[error(
        "the store accepts no more appends until it is reopened: {reason}; appends \
         acknowledged before are durable"
    )]
    WriterFailed {
        /// Why, and what to do before reopening.
        reason: String,
    },

    /// An event of the append has the id of an event already stored, or of another event
    /// of the same append; nothing was written. Event ids are unique in a store.
    #[error("{}", duplicate_event_id_message(event_id, position))]
    DuplicateEventId {
        /// The id used twice.
        event_id: Uuid,
        /// Where the event holding that id is stored; `None` when the id appears twice
        /// within the refused append itself.
        position: Option<u64>,
    },

    /// A restore was refused: the envelope at `position` does not continue the stored
    /// log (wrong position, `prev_hash` or hash, a stream version gap, a reused event or
    /// command id). Nothing of that restore call was written.
    #[error("restore refused at position {position}: {reason}; nothing of this batch was written")]
    RestoreRefused {
        /// The position the refused envelope carries (or should have carried).
        position: u64,
        /// What is wrong with it.
        reason: String,
    },

    /// An error reported by the backend's engine (sled, the database driver) that is
    /// none of the above.
    #[error("{backend} error: {source}; if it persists, run verify and restore from a backup")]
    Backend {
        /// Which engine: `sled`, `postgres`.
        backend: &'static str,
        /// The engine's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    /// Wraps an I/O error with the path it happened on; a full device becomes
    /// [`StoreError::DiskFull`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        let path = path.into();
        if is_disk_full(&source) {
            return StoreError::DiskFull {
                location: StoreError::location(&path),
            };
        }
        StoreError::Io { path, source }
    }

    /// A store's location as errors name it: a path as the user wrote it.
    pub fn location(path: &Path) -> String {
        path.display().to_string()
    }
}

/// Whether an I/O error says the device is full. Some engines re-create the errors they
/// keep (sled: `io::Error::new(kind, ..)`), which keeps the kind but drops the OS error
/// number, so both are checked.
pub fn is_disk_full(error: &std::io::Error) -> bool {
    /// `ENOSPC` on Linux, the BSDs and macOS.
    const ENOSPC: i32 = 28;
    error.kind() == std::io::ErrorKind::StorageFull
        || (cfg!(unix) && error.raw_os_error() == Some(ENOSPC))
}

fn duplicate_event_id_message(event_id: &Uuid, position: &Option<u64>) -> String {
    match position {
        Some(position) => format!(
            "event id {event_id} is already used by the event stored at position {position}; \
             nothing was written: if this retries an append that did land, it is already \
             stored (pass a command id to get AlreadyApplied instead), otherwise give each \
             new event a fresh id"
        ),
        None => format!(
            "event id {event_id} appears twice in this append; nothing was written: give \
             each event a fresh id"
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn full_devices_are_recognised_with_or_without_the_os_error_number() {
        assert!(is_disk_full(&io::Error::from_raw_os_error(28)));
        // What sled hands back for an error it stored and cloned.
        let cloned = io::Error::new(io::ErrorKind::StorageFull, "Os { code: 28, .. }");
        assert!(is_disk_full(&cloned));
        assert!(!is_disk_full(&io::Error::from(
            io::ErrorKind::PermissionDenied
        )));
        let error = StoreError::io("/srv/store/db", io::Error::from_raw_os_error(28));
        assert!(
            matches!(&error, StoreError::DiskFull { location } if location == "/srv/store/db"),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(
            text.starts_with(
                "no space left on device while writing /srv/store/db: free disk space"
            ),
            "{text}"
        );
    }

    #[test]
    fn duplicate_event_ids_say_where_and_what_to_do() {
        let id = Uuid::nil();
        let stored = StoreError::DuplicateEventId {
            event_id: id,
            position: Some(7),
        }
        .to_string();
        assert!(
            stored.contains("already used by the event stored at position 7"),
            "{stored}"
        );
        let twice = StoreError::DuplicateEventId {
            event_id: id,
            position: None,
        }
        .to_string();
        assert!(twice.contains("appears twice in this append"), "{twice}");
    }
}
