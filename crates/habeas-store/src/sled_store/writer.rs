//! The single writer thread: group commit of appends.
//!
//! Appends arrive on a channel. The writer takes the first waiting append and every
//! other one already queued (up to a limit), decides each in order against the log as
//! left by the earlier ones of the group, writes all their keys in one `apply_batch`
//! (recovered all-or-nothing by sled), flushes, fsyncs (see `durability`), publishes the
//! new durable head and only then answers every append of the group.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc;

use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use crate::append::{AppendOutcome, AppendResult};
use crate::error::StoreError;
use crate::plan::{AppendRequest, AppendState, LogTip, Plan, commit_time, plan_append};
use crate::sled_store::durability::DurableFiles;
use crate::sled_store::keys;
use crate::stream_id::StreamId;

/// One queued append and where to send its answer.
pub(crate) struct WriteRequest {
    pub(crate) request: AppendRequest,
    pub(crate) reply: oneshot::Sender<Result<AppendOutcome, StoreError>>,
}

pub(crate) struct Writer {
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
    tree: &'a sled::Tree,
    stream_versions: HashMap<StreamId, u64>,
    commands: HashMap<Uuid, AppendResult>,
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
                let (key, _) = entry?;
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
        match self.tree.get(keys::command_key(command_id))? {
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
}

impl Writer {
    /// Runs until every sender is gone.
    pub(crate) fn run(mut self, requests: mpsc::Receiver<WriteRequest>) {
        while let Ok(first) = requests.recv() {
            let mut group = vec![first];
            while group.len() < self.max_group {
                match requests.try_recv() {
                    Ok(request) => group.push(request),
                    Err(_) => break,
                }
            }
            self.commit_group(group);
        }
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
            tree: &self.tree,
            stream_versions: HashMap::new(),
            commands: HashMap::new(),
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
                        let mut entries = Vec::with_capacity(envelopes.len() * 2 + 1);
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
                .map_err(StoreError::from)
                .and_then(|_| self.files.sync());
            if let Err(error) = committed {
                let reason = error.to_string();
                self.failure = Some(reason.clone());
                // Every answer of the group may depend on the failed writes (a conflict
                // or an already-applied command decided against them), so none stands.
                for (reply, _) in answers {
                    let _ = reply.send(Err(StoreError::WriterFailed {
                        reason: reason.clone(),
                    }));
                }
                return;
            }
            self.head.send_replace(tip.head);
            self.tip = tip;
        }
        for (reply, answer) in answers {
            // The caller may have stopped waiting; the append is durable either way.
            let _ = reply.send(answer);
        }
    }
}
