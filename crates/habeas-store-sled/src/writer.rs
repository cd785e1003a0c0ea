//! The single writer thread: group commit of appends.
//!
//! Appends arrive on a channel. The writer takes the first waiting append and every
//! other one already queued (up to a limit), decides each in order against the log as
//! left by the earlier ones of the group, writes all their keys in one `apply_batch`
//! (recovered all-or-nothing by sled), flushes, fsyncs (see `durability`), publishes the
//! new durable head and only then answers every append of the group.
//!
//! If the commit fails, no append of the group is acknowledged and the writer refuses
//! every later append with `WriterFailed` until the store is reopened: sled's in-memory
//! tree may now hold keys that are not durable (sled 0.34 cannot roll back an applied
//! batch), and deciding later appends against them could acknowledge an append whose
//! conflict check or positions depend on writes that never reach the disk. The appends
//! of the failed group get `DiskFull` when the device was full, `WriterFailed` otherwise.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use crate::durability::DurableFiles;
use crate::keys;
use habeas_store::Envelope;
use habeas_store::StoreError;
use habeas_store::StreamId;
use habeas_store::plan::{
    AppendRequest, AppendState, LogTip, Plan, commit_time, plan_append, plan_restore,
};
use habeas_store::{AppendOutcome, AppendResult};

/// One queued append and where to send its answer.
pub(crate) struct WriteRequest {
    pub(crate) request: AppendRequest,
    pub(crate) reply: oneshot::Sender<Result<AppendOutcome, StoreError>>,
}

/// One queued restore (already-hashed envelopes written verbatim) and its answer.
pub(crate) struct RestoreRequest {
    pub(crate) envelopes: Vec<Envelope>,
    pub(crate) reply: oneshot::Sender<Result<u64, StoreError>>,
}

/// What travels on the writer's channel.
pub(crate) enum Request {
    Append(WriteRequest),
    Restore(RestoreRequest),
}

pub(crate) struct Writer {
    /// The store directory, for error messages.
    pub(crate) path: PathBuf,
    pub(crate) tree: sled::Tree,
    pub(crate) files: DurableFiles,
    pub(crate) tip: LogTip,
    pub(crate) head: Arc<watch::Sender<u64>>,
    pub(crate) max_group: usize,
    /// Set when a commit failed: sled's in-memory state may then hold keys that are not
    /// durable, so no further append may be decided against it.
    pub(crate) failure: Option<String>,
}

/// Lookups against the tree plus the appends decided earlier in the current group.
struct GroupState<'a> {
    path: &'a Path,
    tree: &'a sled::Tree,
    stream_versions: HashMap<StreamId, u64>,
    commands: HashMap<Uuid, AppendResult>,
    event_positions: HashMap<Uuid, u64>,
}

impl AppendState for GroupState<'_> {
    fn stream_version(&self, stream: &StreamId) -> Result<Option<u64>, StoreError> {
        if let Some(version) = self.stream_versions.get(stream) {
            return Ok(Some(*version));
        }
        match self
            .tree
            .scan_prefix(keys::stream_prefix(stream))
            .next_back()
        {
            None => Ok(None),
            Some(entry) => {
                let (key, _) = entry.map_err(|error| crate::error::from_sled(self.path, error))?;
                let version =
                    keys::version_of_stream_key(&key).ok_or_else(|| StoreError::Corrupt {
                        position: 0,
                        reason: format!("malformed index key for stream {stream}"),
                    })?;
                Ok(Some(version))
            }
        }
    }

    fn command_result(&self, command_id: Uuid) -> Result<Option<AppendResult>, StoreError> {
        if let Some(result) = self.commands.get(&command_id) {
            return Ok(Some(result.clone()));
        }
        let stored = self
            .tree
            .get(keys::command_key(command_id))
            .map_err(|error| crate::error::from_sled(self.path, error))?;
        match stored {
            None => Ok(None),
            Some(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|error| StoreError::Corrupt {
                        position: 0,
                        reason: format!(
                            "the stored result of command {command_id} is not valid: {error}"
                        ),
                    })
            }
        }
    }

    fn event_position(&self, event_id: Uuid) -> Result<Option<u64>, StoreError> {
        if let Some(position) = self.event_positions.get(&event_id) {
            return Ok(Some(*position));
        }
        let stored = self
            .tree
            .get(keys::event_id_key(event_id))
            .map_err(|error| crate::error::from_sled(self.path, error))?;
        match stored {
            None => Ok(None),
            Some(bytes) => keys::decode_u64(&bytes)
                .map(Some)
                .ok_or_else(|| StoreError::Corrupt {
                    position: 0,
                    reason: format!("the event-id index entry of {event_id} is malformed"),
                }),
        }
    }
}

impl Writer {
    /// Runs until every sender is gone.
    pub(crate) fn run(mut self, requests: mpsc::Receiver<Request>) {
        let mut pending: Option<Request> = None;
        loop {
            let first = match pending.take() {
                Some(request) => request,
                None => match requests.recv() {
                    Ok(request) => request,
                    Err(_) => return,
                },
            };
            match first {
                // A restore is a group of its own, committed in queue order.
                Request::Restore(restore) => self.commit_restore(restore),
                Request::Append(first) => {
                    let mut group = vec![first];
                    while group.len() < self.max_group {
                        match requests.try_recv() {
                            Ok(Request::Append(request)) => group.push(request),
                            Ok(restore @ Request::Restore(_)) => {
                                pending = Some(restore);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    self.commit_group(group);
                }
            }
        }
    }

    /// Checks and writes one restore: every key in one batch, flushed and synced, before
    /// the answer; a failed commit stops the writer as for appends.
    fn commit_restore(&mut self, RestoreRequest { envelopes, reply }: RestoreRequest) {
        if let Some(reason) = &self.failure {
            let _ = reply.send(Err(StoreError::WriterFailed {
                reason: reason.clone(),
            }));
            return;
        }
        if envelopes.is_empty() {
            let _ = reply.send(Ok(self.tip.head));
            return;
        }
        let state = GroupState {
            path: &self.path,
            tree: &self.tree,
            stream_versions: HashMap::new(),
            commands: HashMap::new(),
            event_positions: HashMap::new(),
        };
        let planned = plan_restore(&state, &self.tip, &envelopes).and_then(|plan| {
            let mut batch = sled::Batch::default();
            for envelope in &envelopes {
                let bytes = serde_json::to_vec(envelope).map_err(|source| StoreError::Encode {
                    what: "envelope",
                    source,
                })?;
                batch.insert(keys::event_key(envelope.position), bytes);
                batch.insert(
                    keys::stream_key(&envelope.stream, envelope.version),
                    envelope.position.to_be_bytes().to_vec(),
                );
                batch.insert(
                    keys::event_id_key(envelope.event_id),
                    envelope.position.to_be_bytes().to_vec(),
                );
            }
            for (command_id, result) in &plan.commands {
                let bytes = serde_json::to_vec(result).map_err(|source| StoreError::Encode {
                    what: "append result",
                    source,
                })?;
                batch.insert(keys::command_key(*command_id), bytes);
            }
            batch.insert(keys::HEAD_KEY, plan.tip.head.to_be_bytes().to_vec());
            Ok((plan.tip, batch))
        });
        let (tip, batch) = match planned {
            Ok(planned) => planned,
            Err(error) => {
                if matches!(
                    error,
                    StoreError::DiskFull { .. } | StoreError::Backend { .. }
                ) {
                    self.failure = Some(match &error {
                        StoreError::DiskFull { location } => disk_full_reason(location),
                        other => format!("sled failed: {other}"),
                    });
                }
                let _ = reply.send(Err(error));
                return;
            }
        };
        let committed = self
            .tree
            .apply_batch(batch)
            .and_then(|()| self.tree.flush())
            .map_err(|error| crate::error::from_sled(&self.path, error))
            .and_then(|_| self.files.sync());
        if let Err(error) = committed {
            self.failure = Some(match &error {
                StoreError::DiskFull { location } => disk_full_reason(location),
                other => format!("a commit failed: {other}"),
            });
            let _ = reply.send(Err(error));
            return;
        }
        self.head.send_replace(tip.head);
        self.tip = tip;
        let _ = reply.send(Ok(self.tip.head));
    }

    fn commit_group(&mut self, group: Vec<WriteRequest>) {
        if let Some(reason) = &self.failure {
            for write in group {
                let _ = write.reply.send(Err(StoreError::WriterFailed {
                    reason: reason.clone(),
                }));
            }
            return;
        }
        let recorded_at = commit_time();
        let mut state = GroupState {
            path: &self.path,
            tree: &self.tree,
            stream_versions: HashMap::new(),
            commands: HashMap::new(),
            event_positions: HashMap::new(),
        };
        let mut tip = self.tip.clone();
        let mut batch = sled::Batch::default();
        let mut answers = Vec::with_capacity(group.len());
        for WriteRequest { request, reply } in group {
            let stream = request.stream.clone();
            let command_id = request.meta.command_id;
            let answer = plan_append(&state, &tip, request, recorded_at).and_then(|plan| {
                match plan {
                    Plan::Nothing(outcome) => Ok(outcome),
                    Plan::Write {
                        envelopes,
                        result,
                        tip: next_tip,
                    } => {
                        // Encode everything before touching the batch so that a failure
                        // leaves no part of this append in it.
                        let mut entries = Vec::with_capacity(envelopes.len() * 3 + 1);
                        for envelope in &envelopes {
                            let bytes = serde_json::to_vec(envelope).map_err(|source| {
                                StoreError::Encode {
                                    what: "envelope",
                                    source,
                                }
                            })?;
                            entries.push((keys::event_key(envelope.position), bytes));
                            entries.push((
                                keys::stream_key(&stream, envelope.version),
                                envelope.position.to_be_bytes().to_vec(),
                            ));
                            entries.push((
                                keys::event_id_key(envelope.event_id),
                                envelope.position.to_be_bytes().to_vec(),
                            ));
                        }
                        if let Some(command_id) = command_id {
                            let bytes = serde_json::to_vec(&result).map_err(|source| {
                                StoreError::Encode {
                                    what: "append result",
                                    source,
                                }
                            })?;
                            entries.push((keys::command_key(command_id), bytes));
                            state.commands.insert(command_id, result.clone());
                        }
                        for (key, value) in entries {
                            batch.insert(key, value);
                        }
                        for envelope in &envelopes {
                            state
                                .event_positions
                                .insert(envelope.event_id, envelope.position);
                        }
                        state.stream_versions.insert(stream, result.stream_version);
                        tip = next_tip;
                        Ok(AppendOutcome::Appended(result))
                    }
                }
            });
            answers.push((reply, answer));
        }

        if tip.head != self.tip.head {
            batch.insert(keys::HEAD_KEY, tip.head.to_be_bytes().to_vec());
            let committed = self
                .tree
                .apply_batch(batch)
                .and_then(|()| self.tree.flush())
                .map_err(|error| crate::error::from_sled(&self.path, error))
                .and_then(|_| self.files.sync());
            if let Err(error) = committed {
                let disk_full = match &error {
                    StoreError::DiskFull { location } => Some(location.clone()),
                    _ => None,
                };
                let reason = match &disk_full {
                    Some(location) => disk_full_reason(location),
                    None => format!("a commit failed: {error}"),
                };
                self.failure = Some(reason.clone());
                // Every answer of the group may depend on the failed writes (a conflict
                // or an already-applied command decided against them), so none stands.
                for (reply, _) in answers {
                    let _ = reply.send(Err(match &disk_full {
                        Some(location) => StoreError::DiskFull {
                            location: location.clone(),
                        },
                        None => StoreError::WriterFailed {
                            reason: reason.clone(),
                        },
                    }));
                }
                return;
            }
            self.head.send_replace(tip.head);
            self.tip = tip;
        }
        // sled failing a lookup (it keeps a failed log write as an error for every later
        // call) stops the writer like a failed commit, even when nothing else in the
        // group was written: the appends that met it are answered with it.
        if self.failure.is_none()
            && let Some(error) = answers.iter().find_map(|(_, answer)| match answer {
                Err(error @ (StoreError::DiskFull { .. } | StoreError::Backend { .. })) => {
                    Some(error)
                }
                _ => None,
            })
        {
            self.failure = Some(match error {
                StoreError::DiskFull { location } => disk_full_reason(location),
                other => format!("sled failed: {other}"),
            });
        }
        for (reply, answer) in answers {
            // The caller may have stopped waiting; the append is durable either way.
            let _ = reply.send(answer);
        }
    }
}

fn disk_full_reason(location: &str) -> String {
    format!(
        "a write failed because the device is full (no space left on device while writing \
         {location}); free disk space first"
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use habeas_store::{AppendMeta, ExpectedVersion, NewEvent};

    fn request(
        stream: &str,
        event_id: Uuid,
    ) -> (
        WriteRequest,
        oneshot::Receiver<Result<AppendOutcome, StoreError>>,
    ) {
        let (reply, answer) = oneshot::channel();
        let request = AppendRequest {
            stream: StreamId::new(stream).expect("stream"),
            expected: ExpectedVersion::Any,
            events: vec![NewEvent {
                event_id,
                event_type: "Noted".into(),
                schema_version: 1,
                payload: json!({}),
            }],
            meta: AppendMeta {
                recorded_by: "test".into(),
                command_id: None,
            },
        };
        (WriteRequest { request, reply }, answer)
    }

    #[test]
    fn an_id_used_earlier_in_the_same_group_is_refused() {
        let directory = tempfile::tempdir().expect("tempdir");
        let db = sled::open(directory.path()).expect("sled");
        let mut writer = Writer {
            path: directory.path().to_owned(),
            tree: (*db).clone(),
            files: DurableFiles::open(directory.path()).expect("files"),
            tip: LogTip::empty(),
            head: Arc::new(watch::Sender::new(0)),
            max_group: 16,
            failure: None,
        };
        let shared = Uuid::now_v7();
        let (first, mut first_answer) = request("a", shared);
        let (second, mut second_answer) = request("b", shared);
        let (third, mut third_answer) = request("c", Uuid::now_v7());
        writer.commit_group(vec![first, second, third]);
        assert!(matches!(
            first_answer.try_recv(),
            Ok(Ok(AppendOutcome::Appended(_)))
        ));
        let refused = second_answer.try_recv();
        assert!(
            matches!(
                &refused,
                Ok(Err(StoreError::DuplicateEventId { event_id, position: Some(1) }))
                    if *event_id == shared
            ),
            "{refused:?}"
        );
        let third = third_answer.try_recv();
        assert!(
            matches!(&third, Ok(Ok(AppendOutcome::Appended(result))) if result.first_position == 2),
            "{third:?}"
        );
        assert_eq!(*writer.head.borrow(), 2);
        let indexed = writer
            .tree
            .get(keys::event_id_key(shared))
            .expect("get")
            .and_then(|bytes| keys::decode_u64(&bytes));
        assert_eq!(indexed, Some(1));
    }
}
