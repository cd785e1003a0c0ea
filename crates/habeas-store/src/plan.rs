//! Deciding one append against the current log state: shared by every backend so that
//! conflicts, idempotence and the hash chain behave identically.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::append::{AppendMeta, AppendOutcome, AppendResult, ExpectedVersion, NewEvent};
use crate::envelope::Envelope;
use crate::error::StoreError;
use crate::hash::{GENESIS_HASH, envelope_hash};
use crate::stream_id::StreamId;

/// The end of the log: where the next event goes and what it links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTip {
    /// The last committed position; 0 for an empty log.
    pub head: u64,
    /// The hash of the event at `head`; the genesis hash for an empty log.
    pub last_hash: String,
}

impl LogTip {
    /// The tip of an empty log.
    pub fn empty() -> LogTip {
        LogTip {
            head: 0,
            last_hash: GENESIS_HASH.to_owned(),
        }
    }
}

/// What the planner needs to look up, including appends planned earlier in the same group.
pub trait AppendState {
    /// The stream's last version, `None` if it has no events.
    fn stream_version(&self, stream: &StreamId) -> Result<Option<u64>, StoreError>;
    /// The result of the append that used `command_id`, if any.
    fn command_result(&self, command_id: Uuid) -> Result<Option<AppendResult>, StoreError>;
    /// The position of the event with this id, if any.
    fn event_position(&self, event_id: Uuid) -> Result<Option<u64>, StoreError>;
}

/// One append request as the backends carry it.
#[derive(Debug)]
pub struct AppendRequest {
    /// The stream appended to.
    pub stream: StreamId,
    /// The version the caller expects the stream to be at.
    pub expected: ExpectedVersion,
    /// The events, in order.
    pub events: Vec<NewEvent>,
    /// Who records, and the command id.
    pub meta: AppendMeta,
}

/// The decision for one append.
#[derive(Debug)]
pub enum Plan {
    /// Nothing to write; answer with this outcome.
    Nothing(AppendOutcome),
    /// Write these envelopes; the new tip follows the last one.
    Write {
        /// The new envelopes, hashed and positioned.
        envelopes: Vec<Envelope>,
        /// The answer once they are durable.
        result: AppendResult,
        /// The tip after the last of them.
        tip: LogTip,
    },
}

/// Decides an append. Pure apart from the lookups: nothing is written.
///
/// In order: an empty append is refused, a known command id gives `AlreadyApplied`, an
/// event id used twice in the append or already stored is refused with
/// [`StoreError::DuplicateEventId`], a version mismatch gives `Conflict`.
pub fn plan_append(
    state: &impl AppendState,
    tip: &LogTip,
    request: AppendRequest,
    recorded_at: DateTime<Utc>,
) -> Result<Plan, StoreError> {
    if request.events.is_empty() {
        return Err(StoreError::NothingToAppend {
            stream: request.stream,
        });
    }
    if let Some(command_id) = request.meta.command_id
        && let Some(result) = state.command_result(command_id)?
    {
        return Ok(Plan::Nothing(AppendOutcome::AlreadyApplied(result)));
    }
    // After the command id, so that a retried command (same events, same ids) is
    // recognised as such; before the version, because a duplicate is a caller's bug (or
    // a retry without command id of an append that landed) whatever the stream holds.
    let mut ids_in_request = HashSet::with_capacity(request.events.len());
    for event in &request.events {
        if !ids_in_request.insert(event.event_id) {
            return Err(StoreError::DuplicateEventId {
                event_id: event.event_id,
                position: None,
            });
        }
        if let Some(position) = state.event_position(event.event_id)? {
            return Err(StoreError::DuplicateEventId {
                event_id: event.event_id,
                position: Some(position),
            });
        }
    }
    let actual = state.stream_version(&request.stream)?;
    if !request.expected.is_satisfied_by(actual) {
        return Ok(Plan::Nothing(AppendOutcome::Conflict {
            expected: request.expected,
            actual,
        }));
    }
    let mut version = actual.unwrap_or(0);
    let mut next_tip = tip.clone();
    let mut envelopes = Vec::with_capacity(request.events.len());
    for event in request.events {
        version += 1;
        next_tip.head += 1;
        let mut envelope = Envelope {
            position: next_tip.head,
            event_id: event.event_id,
            stream: request.stream.clone(),
            version,
            event_type: event.event_type,
            schema_version: event.schema_version,
            recorded_at,
            recorded_by: request.meta.recorded_by.clone(),
            command_id: request.meta.command_id,
            prev_hash: next_tip.last_hash.clone(),
            hash: String::new(),
            payload: event.payload,
        };
        envelope.hash = envelope_hash(&envelope)?;
        next_tip.last_hash.clone_from(&envelope.hash);
        envelopes.push(envelope);
    }
    let result = AppendResult {
        first_position: tip.head + 1,
        last_position: next_tip.head,
        stream_version: version,
        recorded_at,
        event_ids: envelopes.iter().map(|envelope| envelope.event_id).collect(),
    };
    Ok(Plan::Write {
        envelopes,
        result,
        tip: next_tip,
    })
}

/// The commit time of a group: now, truncated to microseconds so every backend
/// (including PostgreSQL's `timestamptz`) stores and hashes the same value.
pub fn commit_time() -> DateTime<Utc> {
    let now = Utc::now();
    let micros = now.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(now)
}

/// The decision for one restore: what to write besides the envelopes themselves.
#[derive(Debug)]
pub struct RestorePlan {
    /// The tip after the last restored envelope.
    pub tip: LogTip,
    /// The command-id entries to write (new or extended), in order.
    pub commands: Vec<(Uuid, AppendResult)>,
}

/// Checks that `envelopes` continue the log at `tip` verbatim (see
/// [`crate::EventStore::restore`]). Pure apart from the lookups: nothing is written.
pub fn plan_restore(
    state: &impl AppendState,
    tip: &LogTip,
    envelopes: &[Envelope],
) -> Result<RestorePlan, StoreError> {
    let mut next_tip = tip.clone();
    let mut versions: Vec<(StreamId, u64)> = Vec::new();
    let mut version_index: std::collections::HashMap<StreamId, usize> =
        std::collections::HashMap::new();
    let mut ids = HashSet::with_capacity(envelopes.len());
    let mut commands: Vec<(Uuid, AppendResult)> = Vec::new();
    let mut command_ids = HashSet::new();
    // The stream of the previous envelope (for command-id continuity).
    let mut previous: Option<(Option<Uuid>, StreamId, DateTime<Utc>)> = None;
    for envelope in envelopes {
        let position = next_tip.head + 1;
        let refuse = |reason: String| StoreError::RestoreRefused { position, reason };
        if envelope.position != position {
            return Err(refuse(format!(
                "expected position {position}, found {}",
                envelope.position
            )));
        }
        if envelope.prev_hash != next_tip.last_hash {
            return Err(refuse(format!(
                "prev_hash {} does not match the hash of the previous event, {}",
                envelope.prev_hash, next_tip.last_hash
            )));
        }
        let computed = envelope_hash(envelope)?;
        if envelope.hash != computed {
            return Err(refuse(format!(
                "hash {} does not match its content (computed {computed}): the event was altered",
                envelope.hash
            )));
        }
        let last_version = match version_index.get(&envelope.stream) {
            Some(index) => versions[*index].1,
            None => state.stream_version(&envelope.stream)?.unwrap_or(0),
        };
        if envelope.version != last_version + 1 {
            return Err(refuse(format!(
                "stream {} is at version {last_version}, so this event must have version {}, \
                 not {}",
                envelope.stream,
                last_version + 1,
                envelope.version
            )));
        }
        match version_index.get(&envelope.stream) {
            Some(index) => versions[*index].1 = envelope.version,
            None => {
                version_index.insert(envelope.stream.clone(), versions.len());
                versions.push((envelope.stream.clone(), envelope.version));
            }
        }
        if !ids.insert(envelope.event_id) {
            return Err(refuse(format!(
                "event id {} is used twice in this batch",
                envelope.event_id
            )));
        }
        if let Some(stored) = state.event_position(envelope.event_id)? {
            return Err(refuse(format!(
                "event id {} is already used by the event at position {stored}",
                envelope.event_id
            )));
        }
        if let Some(command_id) = envelope.command_id {
            let continues = previous.as_ref().is_some_and(|(command, stream, at)| {
                *command == Some(command_id)
                    && *stream == envelope.stream
                    && *at == envelope.recorded_at
            });
            if continues {
                if let Some((_, result)) = commands.last_mut() {
                    result.last_position = position;
                    result.stream_version = envelope.version;
                    result.event_ids.push(envelope.event_id);
                }
            } else if let Some(stored) = state.command_result(command_id)? {
                // The first event of this batch may continue an append whose first events
                // were restored by an earlier call.
                let continues_stored = commands.is_empty()
                    && stored.last_position == tip.head
                    && stored.recorded_at == envelope.recorded_at
                    && stored.stream_version + 1 == envelope.version;
                if !continues_stored {
                    return Err(refuse(format!(
                        "command id {command_id} was already used by the append at positions \
                         {}..={}",
                        stored.first_position, stored.last_position
                    )));
                }
                command_ids.insert(command_id);
                let mut result = stored;
                result.last_position = position;
                result.stream_version = envelope.version;
                result.event_ids.push(envelope.event_id);
                commands.push((command_id, result));
            } else if !command_ids.insert(command_id) {
                return Err(refuse(format!(
                    "command id {command_id} was already used by an earlier append of this batch"
                )));
            } else {
                commands.push((
                    command_id,
                    AppendResult {
                        first_position: position,
                        last_position: position,
                        stream_version: envelope.version,
                        recorded_at: envelope.recorded_at,
                        event_ids: vec![envelope.event_id],
                    },
                ));
            }
        }
        previous = Some((
            envelope.command_id,
            envelope.stream.clone(),
            envelope.recorded_at,
        ));
        next_tip.head = position;
        next_tip.last_hash.clone_from(&envelope.hash);
    }
    Ok(RestorePlan {
        tip: next_tip,
        commands,
    })
}
