//! Restoring a `habeas export` (one [`Envelope`] JSON per line) into an empty store,
//! reproducing the log exactly: positions, event ids, stream versions, `recorded_at`,
//! `recorded_by`, command ids, payloads and hashes.
//!
//! Two streaming passes, so that a file of millions of lines is never held in memory and
//! is still refused as a whole when any line is bad:
//!
//! 1. [`verify_export`] reads every line and checks the hash chain (with the store's own
//!    [`envelope_hash`] and [`GENESIS_HASH`]), positions gapless from 1, stream versions
//!    gapless per stream and event ids unique. The first bad line refuses the file with
//!    its line number and what is wrong; nothing has been written.
//! 2. [`restore_export`] then reads the file again and hands the envelopes to
//!    [`EventStore::restore`] in chunks (each one atomic and durable; the store checks
//!    them again). If this pass fails (an I/O error, a full disk, the file changed since
//!    pass 1), the store holds a verified prefix of the log and the error says so: restore
//!    into a new directory.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use habeas_store::{Envelope, EventStore, GENESIS_HASH, StoreError, StreamId, envelope_hash};
use uuid::Uuid;

/// Envelopes per [`EventStore::restore`] call (one atomic, durable group each).
pub const DEFAULT_CHUNK: usize = 10_000;

/// Why a restore was refused or stopped.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The export file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line of the export is not a valid continuation of the log; nothing was written.
    #[error("line {line}: {reason}; the export was refused as a whole and nothing was written")]
    BadLine {
        /// 1-based line number of the first bad line.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The file holds no envelope.
    #[error("{} holds no events: nothing to restore", path.display())]
    Empty {
        /// The export file.
        path: PathBuf,
    },
    /// The target store already holds events.
    #[error(
        "restore needs an empty store: use a new --db (this store already holds {head} events)"
    )]
    NotEmpty {
        /// The target store's head.
        head: u64,
    },
    /// The store failed before anything was written.
    #[error("{0}")]
    Store(#[source] StoreError),
    /// The second (writing) pass failed after the whole file had been verified.
    #[error(
        "restoring stopped at line {line}: {source}; the store now holds only the first \
         {restored} events of the export (a verified prefix): restore into a new, empty \
         directory (a new --db) rather than this one"
    )]
    WriteFailed {
        /// The first line of the chunk that failed (or the line being read).
        line: u64,
        /// Events durably restored before the failure.
        restored: u64,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// What the verifying pass found in a good export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCheck {
    /// Number of envelopes (= the last position).
    pub n_events: u64,
    /// Hash of the last envelope ([`GENESIS_HASH`] when there is none).
    pub last_hash: String,
}

/// Whether a line is an export envelope rather than an import command: a JSON object
/// with `position`, `hash` and `prev_hash`.
pub fn looks_like_export(first_line: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(first_line.trim()) {
        Ok(serde_json::Value::Object(map)) => ["position", "hash", "prev_hash"]
            .iter()
            .all(|key| map.contains_key(*key)),
        _ => false,
    }
}

/// Whether the first non-blank line of the file at `path` looks like an export line.
pub fn file_is_export(path: &Path) -> Result<bool, RestoreError> {
    let read_error = |source| RestoreError::Read {
        path: path.to_owned(),
        source,
    };
    let reader = BufReader::new(File::open(path).map_err(read_error)?);
    for line in reader.lines() {
        let line = line.map_err(read_error)?;
        if !line.trim().is_empty() {
            return Ok(looks_like_export(&line));
        }
    }
    Ok(false)
}

/// Reads the non-blank lines of an export as `(line number, envelope)`.
struct Lines<R> {
    path: PathBuf,
    reader: R,
    line: u64,
    bytes: u64,
    buffer: String,
}

impl<R: BufRead> Lines<R> {
    fn new(path: &Path, reader: R) -> Self {
        Lines {
            path: path.to_owned(),
            reader,
            line: 0,
            bytes: 0,
            buffer: String::new(),
        }
    }

    /// The next envelope, `None` at the end of the file.
    fn next_envelope(&mut self) -> Result<Option<(u64, Envelope)>, RestoreError> {
        loop {
            self.buffer.clear();
            let read =
                self.reader
                    .read_line(&mut self.buffer)
                    .map_err(|source| match source.kind() {
                        std::io::ErrorKind::InvalidData => RestoreError::BadLine {
                            line: self.line + 1,
                            reason: "not UTF-8 text".into(),
                        },
                        _ => RestoreError::Read {
                            path: self.path.clone(),
                            source,
                        },
                    })?;
            if read == 0 {
                return Ok(None);
            }
            self.line += 1;
            self.bytes += read as u64;
            let text = self.buffer.trim();
            if text.is_empty() {
                continue;
            }
            let envelope =
                serde_json::from_str::<Envelope>(text).map_err(|error| RestoreError::BadLine {
                    line: self.line,
                    reason: format!("not an export envelope: {error}"),
                })?;
            return Ok(Some((self.line, envelope)));
        }
    }
}

/// Pass 1: checks a whole export without writing anything. `progress(bytes_read)` is
/// called from time to time.
pub fn verify_export(
    path: &Path,
    reader: impl BufRead,
    progress: &mut dyn FnMut(u64),
) -> Result<ExportCheck, RestoreError> {
    let mut lines = Lines::new(path, reader);
    let mut last_hash = GENESIS_HASH.to_owned();
    let mut n_events = 0u64;
    let mut versions: HashMap<StreamId, u64> = HashMap::new();
    let mut ids: HashSet<Uuid> = HashSet::new();
    while let Some((line, envelope)) = lines.next_envelope()? {
        let bad = |reason: String| RestoreError::BadLine { line, reason };
        let expected = n_events + 1;
        if envelope.position != expected {
            return Err(bad(format!(
                "position {} where {expected} was expected: a line is missing, inserted or \
                 out of order",
                envelope.position
            )));
        }
        if envelope.prev_hash != last_hash {
            return Err(bad(format!(
                "prev_hash does not match the hash of the line before ({last_hash}): a line \
                 is missing, inserted or out of order"
            )));
        }
        let computed = envelope_hash(&envelope).map_err(RestoreError::Store)?;
        if envelope.hash != computed {
            return Err(bad(format!(
                "the hash does not match the content of the line (expected {computed}, found \
                 {}): the event was altered",
                envelope.hash
            )));
        }
        let version = versions.entry(envelope.stream.clone()).or_insert(0);
        if envelope.version != *version + 1 {
            return Err(bad(format!(
                "stream {} jumps from version {} to {}",
                envelope.stream, version, envelope.version
            )));
        }
        *version = envelope.version;
        if !ids.insert(envelope.event_id) {
            return Err(bad(format!(
                "event id {} was already used by an earlier line",
                envelope.event_id
            )));
        }
        n_events = expected;
        last_hash = envelope.hash;
        if n_events.is_multiple_of(4096) {
            progress(lines.bytes);
        }
    }
    progress(lines.bytes);
    Ok(ExportCheck {
        n_events,
        last_hash,
    })
}

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    /// Events restored (= the new head).
    pub n_events: u64,
}

/// Progress callbacks of [`restore_export`]: `verifying(bytes_read, file_bytes)` during
/// pass 1, `writing(events_written, events_total)` during pass 2.
pub struct RestoreProgress<'a> {
    /// Pass 1.
    pub verifying: &'a mut dyn FnMut(u64, u64),
    /// Pass 2.
    pub writing: &'a mut dyn FnMut(u64, u64),
}

/// Restores the export at `path` into `store`, which must be empty: verifies the whole
/// file, then writes it in chunks of `chunk` envelopes (see the module docs).
pub async fn restore_export(
    store: &dyn EventStore,
    path: &Path,
    chunk: usize,
    progress: RestoreProgress<'_>,
) -> Result<RestoreSummary, RestoreError> {
    let open = || {
        let file = File::open(path).map_err(|source| RestoreError::Read {
            path: path.to_owned(),
            source,
        })?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok::<_, RestoreError>((
            Box::new(BufReader::with_capacity(1 << 20, file)) as Box<dyn BufRead + Send>,
            size,
        ))
    };
    restore_export_from(store, path, &open, chunk, progress).await
}

/// Opens the lines of an export afresh, with the size to show progress against: the
/// file itself, or the file decrypted as it is read (an encrypted backup, which is so
/// never written to disk in clear).
pub type OpenExport<'a> =
    dyn Fn() -> Result<(Box<dyn BufRead + Send>, u64), RestoreError> + Sync + 'a;

/// [`restore_export`] from what `open` reads (called once per pass; `path` names the
/// file in errors).
pub async fn restore_export_from(
    store: &dyn EventStore,
    path: &Path,
    open: &OpenExport<'_>,
    chunk: usize,
    progress: RestoreProgress<'_>,
) -> Result<RestoreSummary, RestoreError> {
    let head = store.head().await.map_err(RestoreError::Store)?;
    if head != 0 {
        return Err(RestoreError::NotEmpty { head });
    }
    let (reader, size) = open()?;
    let check = verify_export(path, reader, &mut |bytes| (progress.verifying)(bytes, size))?;
    if check.n_events == 0 {
        return Err(RestoreError::Empty {
            path: path.to_owned(),
        });
    }

    let (reader, _) = open()?;
    let mut lines = Lines::new(path, reader);
    let chunk = chunk.max(1);
    let mut batch = Vec::with_capacity(chunk.min(check.n_events as usize));
    let mut batch_line = 0u64;
    let mut restored = 0u64;
    let stopped = |line: u64, restored: u64, source: Box<dyn std::error::Error + Send + Sync>| {
        RestoreError::WriteFailed {
            line,
            restored,
            source,
        }
    };
    loop {
        let next = lines
            .next_envelope()
            .map_err(|error| stopped(lines.line + 1, restored, Box::new(error)))?;
        let done = next.is_none();
        if let Some((line, envelope)) = next {
            if batch.is_empty() {
                batch_line = line;
            }
            batch.push(envelope);
        }
        if batch.len() >= chunk || (done && !batch.is_empty()) {
            let n = batch.len() as u64;
            let head = store
                .restore(std::mem::take(&mut batch))
                .await
                .map_err(|error| stopped(batch_line, restored, Box::new(error)))?;
            restored += n;
            if head != restored {
                return Err(stopped(
                    batch_line,
                    head,
                    format!("the store's head is {head} after restoring {restored} events").into(),
                ));
            }
            (progress.writing)(restored, check.n_events);
        }
        if done {
            break;
        }
    }
    if restored != check.n_events {
        return Err(stopped(
            lines.line,
            restored,
            format!(
                "the file changed since it was verified: {} events then, {restored} now",
                check.n_events
            )
            .into(),
        ));
    }
    Ok(RestoreSummary { n_events: restored })
}

#[cfg(test)]
mod tests {
    use habeas_store::{AppendMeta, ExpectedVersion, MemoryStore, NewEvent};
    use serde_json::json;

    use super::*;

    async fn source_export() -> String {
        let store = MemoryStore::new();
        for round in 0..4 {
            for name in ["person-a", "person-b"] {
                let events = (0..3)
                    .map(|n| NewEvent {
                        event_id: Uuid::now_v7(),
                        event_type: "Noted".into(),
                        schema_version: 1,
                        payload: json!({ "round": round, "n": n }),
                    })
                    .collect();
                store
                    .append(
                        &StreamId::new(name).unwrap(),
                        ExpectedVersion::Any,
                        events,
                        AppendMeta {
                            recorded_by: "test".into(),
                            command_id: Some(Uuid::now_v7()),
                        },
                    )
                    .await
                    .unwrap();
            }
        }
        store
            .read_all(1, 1000)
            .await
            .unwrap()
            .iter()
            .map(|envelope| serde_json::to_string(envelope).unwrap() + "\n")
            .collect()
    }

    fn temp_file(text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("habeas-restore-{}.jsonl", Uuid::now_v7()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[tokio::test]
    async fn chunks_that_split_commands_restore_verbatim() {
        let text = source_export().await;
        let path = temp_file(&text);
        assert!(file_is_export(&path).unwrap());
        let store = MemoryStore::new();
        let (mut verified, mut written) = (Vec::new(), Vec::new());
        let summary = restore_export(
            &store,
            &path,
            4,
            RestoreProgress {
                verifying: &mut |done, total| verified.push((done, total)),
                writing: &mut |done, total| written.push((done, total)),
            },
        )
        .await
        .unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(summary.n_events, 24);
        assert_eq!(written.first(), Some(&(4, 24)));
        assert_eq!(written.last(), Some(&(24, 24)));
        assert_eq!(
            verified.last().map(|(done, total)| done == total),
            Some(true)
        );
        let again: String = store
            .read_all(1, 1000)
            .await
            .unwrap()
            .iter()
            .map(|envelope| serde_json::to_string(envelope).unwrap() + "\n")
            .collect();
        assert_eq!(again, text);
        assert!(store.verify().await.unwrap().first_problem.is_none());
    }

    #[test]
    fn a_command_line_is_not_an_export_and_a_duplicate_id_names_its_line() {
        assert!(!looks_like_export(
            r#"{"person": "Rong Chhun", "action": "register_person"}"#
        ));
        assert!(!looks_like_export("not json"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let text = runtime.block_on(source_export());
        let mut lines: Vec<Envelope> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        // Line 5 reuses the event id of line 1, with a chain recomputed to match.
        lines[4].event_id = lines[0].event_id;
        for index in 4..lines.len() {
            lines[index].prev_hash = lines[index - 1].hash.clone();
            lines[index].hash = envelope_hash(&lines[index]).unwrap();
        }
        let text: String = lines
            .iter()
            .map(|envelope| serde_json::to_string(envelope).unwrap() + "\n")
            .collect();
        let path = Path::new("test.jsonl");
        match verify_export(path, text.as_bytes(), &mut |_| {}) {
            Err(RestoreError::BadLine { line: 5, reason }) => {
                assert!(reason.contains("already used"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        match verify_export(path, "{\"position\": 1}\n".as_bytes(), &mut |_| {}) {
            Err(RestoreError::BadLine { line: 1, .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}
