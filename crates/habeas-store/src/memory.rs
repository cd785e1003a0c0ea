//! The in-memory backend: the same semantics as the sled backend, nothing on disk.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use tokio::sync::watch;
use uuid::Uuid;

use crate::append::{AppendMeta, AppendOutcome, AppendResult, ExpectedVersion, NewEvent};
use crate::envelope::{Envelope, StoredEnvelope};
use crate::error::StoreError;
use crate::plan::{
    AppendRequest, AppendState, LogTip, Plan, commit_time, plan_append, plan_restore,
};
use crate::store::EventStore;
use crate::stream_id::StreamId;
use crate::subscription::Subscription;
use crate::upcast::{Upcaster, upcast_envelope};
use crate::verify::{ChainVerifier, VerifyReport, check_event_id_index};

/// An event store held in memory, for tests and tools. Cloning gives another handle to
/// the same log.
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<MemoryInner>,
}

struct MemoryInner {
    log: Mutex<MemoryLog>,
    head: watch::Sender<u64>,
    upcaster: Option<Arc<dyn Upcaster>>,
}

#[derive(Default)]
struct MemoryLog {
    /// `events[i]` is at position `i + 1`, in stored (not upcast) form.
    events: Vec<Envelope>,
    /// Positions of each stream's events, in version order.
    streams: HashMap<StreamId, Vec<u64>>,
    commands: HashMap<Uuid, AppendResult>,
    /// Position of every event, by event id.
    event_positions: HashMap<Uuid, u64>,
}

impl AppendState for MemoryLog {
    fn stream_version(&self, stream: &StreamId) -> Result<Option<u64>, StoreError> {
        Ok(self
            .streams
            .get(stream)
            .map(|positions| positions.len() as u64))
    }

    fn command_result(&self, command_id: Uuid) -> Result<Option<AppendResult>, StoreError> {
        Ok(self.commands.get(&command_id).cloned())
    }

    fn event_position(&self, event_id: Uuid) -> Result<Option<u64>, StoreError> {
        Ok(self.event_positions.get(&event_id).copied())
    }
}

impl MemoryStore {
    /// An empty store whose reads return stored payloads as they are.
    pub fn new() -> MemoryStore {
        MemoryStore::with_upcaster(None)
    }

    /// An empty store whose reads pass every envelope through `upcaster`.
    pub fn with_upcaster(upcaster: Option<Arc<dyn Upcaster>>) -> MemoryStore {
        MemoryStore {
            inner: Arc::new(MemoryInner {
                log: Mutex::new(MemoryLog::default()),
                head: watch::Sender::new(0),
                upcaster,
            }),
        }
    }

    fn log(&self) -> MutexGuard<'_, MemoryLog> {
        // Nothing panics while the lock is held, so a poisoned lock still guards a
        // consistent log.
        self.inner
            .log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn upcast(&self, envelope: Envelope) -> Result<Envelope, StoreError> {
        upcast_envelope(self.inner.upcaster.as_deref(), envelope)
    }
}

impl Default for MemoryStore {
    fn default() -> MemoryStore {
        MemoryStore::new()
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("head", &*self.inner.head.borrow())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl EventStore for MemoryStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        meta: AppendMeta,
    ) -> Result<AppendOutcome, StoreError> {
        let request = AppendRequest {
            stream: stream.clone(),
            expected,
            events,
            meta,
        };
        let mut log = self.log();
        let tip = match log.events.last() {
            Some(last) => LogTip {
                head: last.position,
                last_hash: last.hash.clone(),
            },
            None => LogTip::empty(),
        };
        let command_id = request.meta.command_id;
        match plan_append(&*log, &tip, request, commit_time())? {
            Plan::Nothing(outcome) => Ok(outcome),
            Plan::Write {
                envelopes,
                result,
                tip,
            } => {
                let positions = log.streams.entry(stream.clone()).or_default();
                positions.extend(envelopes.iter().map(|envelope| envelope.position));
                for envelope in &envelopes {
                    log.event_positions
                        .insert(envelope.event_id, envelope.position);
                }
                log.events.extend(envelopes);
                if let Some(command_id) = command_id {
                    log.commands.insert(command_id, result.clone());
                }
                // Published under the log's lock: two appends publishing
                // after it could land out of order and move the head back.
                self.inner.head.send_replace(tip.head);
                drop(log);
                Ok(AppendOutcome::Appended(result))
            }
        }
    }

    async fn restore(&self, envelopes: Vec<Envelope>) -> Result<u64, StoreError> {
        let mut log = self.log();
        let tip = match log.events.last() {
            Some(last) => LogTip {
                head: last.position,
                last_hash: last.hash.clone(),
            },
            None => LogTip::empty(),
        };
        if envelopes.is_empty() {
            return Ok(tip.head);
        }
        let plan = plan_restore(&*log, &tip, &envelopes)?;
        for envelope in &envelopes {
            log.streams
                .entry(envelope.stream.clone())
                .or_default()
                .push(envelope.position);
            log.event_positions
                .insert(envelope.event_id, envelope.position);
        }
        log.events.extend(envelopes);
        log.commands.extend(plan.commands);
        self.inner.head.send_replace(plan.tip.head);
        drop(log);
        Ok(plan.tip.head)
    }

    async fn read_stream(
        &self,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<Envelope>, StoreError> {
        let stored: Vec<Envelope> = {
            let log = self.log();
            let Some(positions) = log.streams.get(stream) else {
                return Ok(Vec::new());
            };
            let skip = usize::try_from(from_version.saturating_sub(1)).unwrap_or(usize::MAX);
            positions
                .iter()
                .skip(skip)
                .filter_map(|position| log.events.get(index_of(*position)).cloned())
                .collect()
        };
        stored
            .into_iter()
            .map(|envelope| self.upcast(envelope))
            .collect()
    }

    async fn read_all(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<Envelope>, StoreError> {
        let stored: Vec<Envelope> = {
            let log = self.log();
            log.events
                .iter()
                .skip(index_of(from_position.max(1)))
                .take(limit)
                .cloned()
                .collect()
        };
        stored
            .into_iter()
            .map(|envelope| self.upcast(envelope))
            .collect()
    }

    async fn read_all_stored(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<StoredEnvelope>, StoreError> {
        let log = self.log();
        log.events
            .iter()
            .skip(index_of(from_position.max(1)))
            .take(limit)
            .map(StoredEnvelope::encode)
            .collect()
    }

    async fn read_event(&self, event_id: Uuid) -> Result<Option<Envelope>, StoreError> {
        let stored = {
            let log = self.log();
            log.event_positions
                .get(&event_id)
                .map(|position| log.events[index_of(*position)].clone())
        };
        stored.map(|envelope| self.upcast(envelope)).transpose()
    }

    async fn head(&self) -> Result<u64, StoreError> {
        Ok(*self.inner.head.borrow())
    }

    async fn subscribe(&self, from_position: u64) -> Result<Subscription, StoreError> {
        Ok(Subscription::new(
            Arc::new(self.clone()),
            self.inner.head.subscribe(),
            from_position,
        ))
    }

    async fn verify_with_progress(
        &self,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<VerifyReport, StoreError> {
        let (events, event_positions) = {
            let log = self.log();
            (log.events.clone(), log.event_positions.clone())
        };
        let total = events.len() as u64;
        let mut verifier = ChainVerifier::new();
        for (index, envelope) in (1u64..).zip(&events) {
            let checked = verifier.check(index, envelope).and_then(|()| {
                check_event_id_index(envelope, event_positions.get(&envelope.event_id).copied())
            });
            if let Err(problem) = checked {
                return Ok(VerifyReport {
                    n_events: verifier.n_events(),
                    first_problem: Some(problem),
                });
            }
            verifier.accept(envelope);
            if verifier.n_events().is_multiple_of(1024) {
                progress(verifier.n_events(), total);
            }
        }
        progress(total, total);
        Ok(VerifyReport {
            n_events: verifier.n_events(),
            first_problem: None,
        })
    }
}

fn index_of(position: u64) -> usize {
    usize::try_from(position.saturating_sub(1)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod conformance_tests {
    use std::sync::Arc;

    use super::MemoryStore;
    use crate::conformance::Harness;
    use crate::upcast::Upcaster;

    async fn open(upcaster: Option<Arc<dyn Upcaster>>) -> Harness {
        Harness {
            store: Arc::new(MemoryStore::with_upcaster(upcaster)),
            keep_alive: Box::new(()),
        }
    }

    crate::conformance_tests!(open);
}
