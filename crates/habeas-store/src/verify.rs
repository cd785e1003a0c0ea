//! Checking a stored log: the report type and the check shared by every backend.

use std::collections::HashMap;
use std::fmt;

use crate::envelope::Envelope;
use crate::hash::{GENESIS_HASH, envelope_hash};
use crate::stream_id::StreamId;

/// The result of walking the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Events checked before the first problem (all of them when there is none).
    pub n_events: u64,
    /// The first thing found wrong, in position order; `None` when the log is intact.
    pub first_problem: Option<VerifyProblem>,
}

impl VerifyReport {
    /// Whether the log passed every check.
    pub fn is_ok(&self) -> bool {
        self.first_problem.is_none()
    }
}

/// What is wrong at one position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyProblem {
    /// The first global position where the log is not as it should be.
    pub position: u64,
    /// The kind of damage.
    pub kind: ProblemKind,
    /// A sentence naming the values involved.
    pub detail: String,
}

impl fmt::Display for VerifyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "position {}: {}", self.position, self.detail)
    }
}

/// The kinds of damage `verify` detects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The stored bytes are not a valid envelope.
    Undecodable,
    /// No event is stored at this position although later ones are (or the recorded head says so).
    Missing,
    /// The event stored under this position says it is at another position.
    PositionMismatch,
    /// `prev_hash` is not the hash of the previous event.
    BrokenLink,
    /// `hash` does not match the envelope's contents.
    HashMismatch,
    /// The stream version is not the previous version of that stream plus one.
    StreamVersionGap,
    /// An index (the stream index, or the event-id index of the sled backend) does not
    /// point at this event; this includes an event whose id is also the id of an earlier
    /// event.
    IndexMismatch,
}

/// Checks envelopes one by one in key order.
#[derive(Debug)]
pub(crate) struct ChainVerifier {
    next_position: u64,
    prev_hash: String,
    stream_versions: HashMap<StreamId, u64>,
}

impl ChainVerifier {
    pub(crate) fn new() -> ChainVerifier {
        ChainVerifier {
            next_position: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            stream_versions: HashMap::new(),
        }
    }

    /// Events accepted so far.
    pub(crate) fn n_events(&self) -> u64 {
        self.next_position - 1
    }

    /// Checks that an event stored under `key_position` may follow the ones before.
    pub(crate) fn check_key(&self, key_position: u64) -> Result<(), VerifyProblem> {
        if key_position != self.next_position {
            return Err(VerifyProblem {
                position: self.next_position,
                kind: ProblemKind::Missing,
                detail: format!(
                    "no event is stored at position {} (the next stored event is at {key_position})",
                    self.next_position
                ),
            });
        }
        Ok(())
    }

    /// Reports stored bytes that could not be decoded.
    pub(crate) fn undecodable(&self, key_position: u64, reason: &str) -> VerifyProblem {
        if let Err(problem) = self.check_key(key_position) {
            return problem;
        }
        VerifyProblem {
            position: key_position,
            kind: ProblemKind::Undecodable,
            detail: format!("the stored bytes are not a valid envelope: {reason}"),
        }
    }

    /// Checks the envelope stored under `key_position`; call [`ChainVerifier::accept`]
    /// next if every other check of the backend passes too.
    pub(crate) fn check(
        &self,
        key_position: u64,
        envelope: &Envelope,
    ) -> Result<(), VerifyProblem> {
        self.check_key(key_position)?;
        let problem = |kind, detail| {
            Err(VerifyProblem {
                position: key_position,
                kind,
                detail,
            })
        };
        if envelope.position != key_position {
            return problem(
                ProblemKind::PositionMismatch,
                format!(
                    "the event stored at position {key_position} says it is at position {}",
                    envelope.position
                ),
            );
        }
        if envelope.prev_hash != self.prev_hash {
            return problem(
                ProblemKind::BrokenLink,
                format!(
                    "prev_hash is {} but the previous event's hash is {}",
                    envelope.prev_hash, self.prev_hash
                ),
            );
        }
        match envelope_hash(envelope) {
            Ok(hash) if hash == envelope.hash => {}
            Ok(hash) => {
                return problem(
                    ProblemKind::HashMismatch,
                    format!(
                        "stored hash is {} but the contents hash to {hash}: the event was altered",
                        envelope.hash
                    ),
                );
            }
            Err(error) => return problem(ProblemKind::Undecodable, error.to_string()),
        }
        let last_version = self
            .stream_versions
            .get(&envelope.stream)
            .copied()
            .unwrap_or(0);
        if envelope.version != last_version + 1 {
            return problem(
                ProblemKind::StreamVersionGap,
                format!(
                    "stream {} goes from version {last_version} to {}",
                    envelope.stream, envelope.version
                ),
            );
        }
        Ok(())
    }

    /// Takes a checked envelope as the new end of the verified log.
    pub(crate) fn accept(&mut self, envelope: &Envelope) {
        self.stream_versions
            .insert(envelope.stream.clone(), envelope.version);
        self.prev_hash.clone_from(&envelope.hash);
        self.next_position += 1;
    }

    /// Checks that the log does not stop before `recorded_head`.
    pub(crate) fn check_end(&self, recorded_head: u64) -> Result<(), VerifyProblem> {
        if recorded_head >= self.next_position {
            return Err(VerifyProblem {
                position: self.next_position,
                kind: ProblemKind::Missing,
                detail: format!(
                    "the log ends at position {} but the store recorded head {recorded_head}",
                    self.next_position - 1
                ),
            });
        }
        Ok(())
    }
}

/// Checks that the event-id index, which gives `indexed` for the envelope's id, points at
/// the envelope. Every event id is indexed, and only once, so an event whose id an earlier
/// event already has is caught here too.
pub(crate) fn check_event_id_index(
    envelope: &Envelope,
    indexed: Option<u64>,
) -> Result<(), VerifyProblem> {
    if indexed == Some(envelope.position) {
        return Ok(());
    }
    let detail = match indexed {
        Some(other) if other < envelope.position => format!(
            "event id {} is indexed at position {other}: either the index was altered or an \
             earlier event has the same id",
            envelope.event_id
        ),
        Some(other) => format!(
            "the event-id index entry for {} points at position {other} instead of this event",
            envelope.event_id
        ),
        None => format!(
            "event id {} is missing from the event-id index",
            envelope.event_id
        ),
    };
    Err(VerifyProblem {
        position: envelope.position,
        kind: ProblemKind::IndexMismatch,
        detail,
    })
}
