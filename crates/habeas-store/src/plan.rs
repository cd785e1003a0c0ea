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
pub(crate) struct LogTip {
    pub(crate) head: u64,
    pub(crate) last_hash: String,
}

impl LogTip {
    pub(crate) fn empty() -> LogTip {
        LogTip {
            head: 0,
            last_hash: GENESIS_HASH.to_owned(),
        }
    }
}

/// What the planner needs to look up, including appends planned earlier in the same group.
pub(crate) trait AppendState {
    /// The stream's last version, `None` if it has no events.
    fn stream_version(&self, stream: &StreamId) -> Result<Option<u64>, StoreError>;
    /// The result of the append that used `command_id`, if any.
    fn command_result(&self, command_id: Uuid) -> Result<Option<AppendResult>, StoreError>;
    /// The position of the event with this id, if any.
    fn event_position(&self, event_id: Uuid) -> Result<Option<u64>, StoreError>;
}

/// One append request as the backends carry it.
#[derive(Debug)]
pub(crate) struct AppendRequest {
    pub(crate) stream: StreamId,
    pub(crate) expected: ExpectedVersion,
    pub(crate) events: Vec<NewEvent>,
    pub(crate) meta: AppendMeta,
}

/// The decision for one append.
#[derive(Debug)]
pub(crate) enum Plan {
    /// Nothing to write; answer with this outcome.
    Nothing(AppendOutcome),
    /// Write these envelopes; the new tip follows the last one.
    Write {
        envelopes: Vec<Envelope>,
        result: AppendResult,
        tip: LogTip,
    },
}

/// Decides an append. Pure apart from the lookups: nothing is written.
///
/// In order: an empty append is refused, a known command id gives `AlreadyApplied`, an
/// event id used twice in the append or already stored is refused with
/// [`StoreError::DuplicateEventId`], a version mismatch gives `Conflict`.
pub(crate) fn plan_append(
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
pub(crate) fn commit_time() -> DateTime<Utc> {
    let now = Utc::now();
    let micros = now.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(now)
}
