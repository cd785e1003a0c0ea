//! Checking a stored log: the report type and the check shared by every backend.

use std::collections::HashMap;
use std::fmt;

use uuid::Uuid;

use crate::envelope::Envelope;
use crate::hash::{Digest32, GENESIS_HASH, envelope_digest, hex_digest};

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

/// What the chain checks need of one stored event.
#[derive(Debug, Clone, Copy)]
pub struct EventFacts<'a> {
    /// The position the event carries.
    pub position: u64,
    /// Its stream id.
    pub stream: &'a str,
    /// Its version in the stream.
    pub version: u64,
    /// The `prev_hash` it carries (hex digits).
    pub prev_hash: &'a [u8],
    /// The `hash` it carries (hex digits).
    pub hash: &'a [u8],
}

impl<'a> EventFacts<'a> {
    /// The facts of a decoded envelope.
    pub fn of(envelope: &'a Envelope) -> EventFacts<'a> {
        EventFacts {
            position: envelope.position,
            stream: envelope.stream.as_str(),
            version: envelope.version,
            prev_hash: envelope.prev_hash.as_bytes(),
            hash: envelope.hash.as_bytes(),
        }
    }
}

/// What the verifier knows of one stream.
#[derive(Debug, Clone, Copy)]
struct StreamState {
    /// Streams are numbered in the order they first appear.
    index: usize,
    last_version: u64,
}

/// Checks envelopes one by one in key order.
#[derive(Debug)]
pub struct ChainVerifier {
    next_position: u64,
    prev_hash: Vec<u8>,
    streams: HashMap<Box<str>, StreamState>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// A verifier expecting position 1 after the genesis hash.
    pub fn new() -> ChainVerifier {
        ChainVerifier {
            next_position: 1,
            prev_hash: GENESIS_HASH.as_bytes().to_vec(),
            streams: HashMap::new(),
        }
    }

    /// Events accepted so far.
    pub fn n_events(&self) -> u64 {
        self.next_position - 1
    }

    /// Every stream with accepted events: its id and its number (see
    /// [`ChainVerifier::check_and_accept`]).
    pub fn streams(&self) -> impl Iterator<Item = (&str, usize)> {
        self.streams
            .iter()
            .map(|(stream, state)| (&**stream, state.index))
    }

    /// Checks that an event stored under `key_position` may follow the ones before.
    pub fn check_key(&self, key_position: u64) -> Result<(), VerifyProblem> {
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
    pub fn undecodable(&self, key_position: u64, reason: &str) -> VerifyProblem {
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
    pub fn check(&self, key_position: u64, envelope: &Envelope) -> Result<(), VerifyProblem> {
        let facts = EventFacts::of(envelope);
        self.check_link(key_position, facts, || {
            envelope_digest(envelope).map_err(|error| error.to_string())
        })?;
        let last_version = self
            .streams
            .get(facts.stream)
            .map_or(0, |state| state.last_version);
        check_version(key_position, facts, last_version)
    }

    /// Takes a checked envelope as the new end of the verified log.
    pub fn accept(&mut self, envelope: &Envelope) {
        let facts = EventFacts::of(envelope);
        match self.streams.get_mut(facts.stream) {
            Some(state) => state.last_version = facts.version,
            None => {
                self.add_stream(facts);
            }
        }
        self.advance(facts);
    }

    /// [`ChainVerifier::check`] and then [`ChainVerifier::accept`] of an event known by
    /// its facts, for a backend with no other check to make first. `digest` gives what
    /// its hash should be, or why that cannot be computed. On success, the number of its
    /// stream: streams are numbered from 0 in the order they first appear.
    pub fn check_and_accept(
        &mut self,
        key_position: u64,
        facts: EventFacts<'_>,
        digest: impl FnOnce() -> Result<Digest32, String>,
    ) -> Result<usize, VerifyProblem> {
        self.check_link(key_position, facts, digest)?;
        let index = match self.streams.get_mut(facts.stream) {
            Some(state) => {
                check_version(key_position, facts, state.last_version)?;
                state.last_version = facts.version;
                state.index
            }
            None => {
                check_version(key_position, facts, 0)?;
                self.add_stream(facts)
            }
        };
        self.advance(facts);
        Ok(index)
    }

    /// The checks that do not involve the stream: key, position, link and hash.
    fn check_link(
        &self,
        key_position: u64,
        facts: EventFacts<'_>,
        digest: impl FnOnce() -> Result<Digest32, String>,
    ) -> Result<(), VerifyProblem> {
        self.check_key(key_position)?;
        let problem = |kind, detail| {
            Err(VerifyProblem {
                position: key_position,
                kind,
                detail,
            })
        };
        if facts.position != key_position {
            return problem(
                ProblemKind::PositionMismatch,
                format!(
                    "the event stored at position {key_position} says it is at position {}",
                    facts.position
                ),
            );
        }
        if facts.prev_hash != self.prev_hash {
            return problem(
                ProblemKind::BrokenLink,
                format!(
                    "prev_hash is {} but the previous event's hash is {}",
                    String::from_utf8_lossy(facts.prev_hash),
                    String::from_utf8_lossy(&self.prev_hash)
                ),
            );
        }
        match digest() {
            Ok(digest) => {
                let hash = hex_digest(&digest);
                if hash.as_slice() != facts.hash {
                    return problem(
                        ProblemKind::HashMismatch,
                        format!(
                            "stored hash is {} but the contents hash to {}: the event was altered",
                            String::from_utf8_lossy(facts.hash),
                            String::from_utf8_lossy(&hash)
                        ),
                    );
                }
            }
            Err(error) => return problem(ProblemKind::Undecodable, error),
        }
        Ok(())
    }

    fn add_stream(&mut self, facts: EventFacts<'_>) -> usize {
        let index = self.streams.len();
        self.streams.insert(
            facts.stream.into(),
            StreamState {
                index,
                last_version: facts.version,
            },
        );
        index
    }

    fn advance(&mut self, facts: EventFacts<'_>) {
        self.prev_hash.clear();
        self.prev_hash.extend_from_slice(facts.hash);
        self.next_position += 1;
    }

    /// Checks that the log does not stop before `recorded_head`.
    pub fn check_end(&self, recorded_head: u64) -> Result<(), VerifyProblem> {
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

/// Checks that an event's version follows its stream's `last_version`.
fn check_version(
    key_position: u64,
    facts: EventFacts<'_>,
    last_version: u64,
) -> Result<(), VerifyProblem> {
    if facts.version != last_version + 1 {
        return Err(VerifyProblem {
            position: key_position,
            kind: ProblemKind::StreamVersionGap,
            detail: format!(
                "stream {} goes from version {last_version} to {}",
                facts.stream, facts.version
            ),
        });
    }
    Ok(())
}

/// Checks that the event-id index, which gives `indexed` for the envelope's id, points at
/// the envelope. Every event id is indexed, and only once, so an event whose id an earlier
/// event already has is caught here too.
pub fn check_event_id_index(
    envelope: &Envelope,
    indexed: Option<u64>,
) -> Result<(), VerifyProblem> {
    check_event_id_entry(envelope.event_id, envelope.position, indexed)
}

/// [`check_event_id_index`] of the event at `position` with id `event_id`.
pub fn check_event_id_entry(
    event_id: Uuid,
    position: u64,
    indexed: Option<u64>,
) -> Result<(), VerifyProblem> {
    if indexed == Some(position) {
        return Ok(());
    }
    let detail = match indexed {
        Some(other) if other < position => format!(
            "event id {event_id} is indexed at position {other}: either the index was altered or an \
             earlier event has the same id"
        ),
        Some(other) => format!(
            "the event-id index entry for {event_id} points at position {other} instead of this event"
        ),
        None => format!("event id {event_id} is missing from the event-id index"),
    };
    Err(VerifyProblem {
        position,
        kind: ProblemKind::IndexMismatch,
        detail,
    })
}
