//! The Habeas event store: an append-only, hash-chained log of events grouped in streams.
//!
//! # Main types
//!
//! - [`EventStore`]: the async trait every backend implements: `append`, `read_stream`,
//!   `read_all`, `head`, `subscribe`, `verify`, and `restore` (append already-hashed
//!   envelopes of an export verbatim, re-checked, in one atomic commit).
//! - [`MemoryStore`]: the in-memory backend, with the semantics every backend shares.
//!   Other backends live in their own crates and run the same `conformance` suite
//!   (module and `conformance_tests!` macro, behind the cargo feature `conformance`).
//! - [`Envelope`]: the stored form of one event (and the export line format);
//!   [`NewEvent`] and [`AppendMeta`] are what callers pass in; [`StreamId`] names a stream.
//! - [`AppendOutcome`]: `Appended`, `Conflict` (expected version did not hold) or
//!   `AlreadyApplied` (the command id was seen before): expected results are values.
//!   Reusing an event id is a caller's bug and an error, [`StoreError::DuplicateEventId`]
//!   (see "Event ids" below).
//! - [`Subscription`]: catch-up then live delivery of the global log, by position.
//! - [`VerifyReport`]: what `verify` found; the hash chain is defined in [`envelope_hash`].
//! - [`Upcaster`]: turns stored payloads of old schema versions into current ones on read.
//! - [`StoreError`]: the one error type.
//!
//! The store knows nothing of the domain: payloads are opaque JSON values.
//!
//! # Positions and versions
//!
//! Global positions are gapless and start at 1; stream versions are gapless per stream
//! and start at 1. Both are assigned under the store's one writer lock (never by an
//! engine's id generator: sled's jumps by about two million on every reopen, and a
//! database sequence can be read with gaps). All events of one append
//! get one contiguous range of positions. An append of zero events is refused with
//! [`StoreError::NothingToAppend`], so every successful append names a non-empty range.
//!
//! # Event ids
//!
//! Every stored event has its own `event_id`. An append that reuses the id of a stored
//! event, or that uses one id for two of its events, is refused with
//! [`StoreError::DuplicateEventId`] and writes nothing; the check comes after the
//! command-id check, so a retried command (same command id, same events) still gets
//! `AlreadyApplied`. Of concurrent appends sharing an id, exactly one lands. A backend
//! keeps its event-id index in the same atomic write as the events, and `verify`
//! checks it ([`ProblemKind::IndexMismatch`] at an event the index does not point at,
//! which includes an event carrying an earlier event's id).
//!
//! # Backends
//!
//! This crate holds no backend that needs a database engine. The sled backend is
//! `habeas-store-sled`, the PostgreSQL one `habeas-store-postgres`; each reuses the
//! rules kept here so that every backend decides alike: [`plan`] (deciding an append or
//! a restore against the log's state: conflicts, idempotence, duplicate ids, the next
//! hashes), [`verify`] ([`verify::ChainVerifier`], the hash chain checked in order),
//! [`hash`] (canonical bytes and digests), [`upcast_envelope`], and the conformance
//! suite, which a backend runs with one line: `habeas_store::conformance_tests!(open);`.
//!
//! # Durability
//!
//! When `append` returns `Ok(AppendOutcome::Appended(_))`, a durable backend has put
//! the events on stable storage; readers (`read_*`, `head`, subscriptions) see only
//! acknowledged events; an append that failed is stored wholly or not at all, so it may
//! be retried with the same command id. Each backend documents how it keeps this.
//! [`MemoryStore`] has the same semantics minus durability.

mod append;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod envelope;
mod error;
pub mod hash;
mod memory;
pub mod plan;
mod store;
mod stream_id;
mod subscription;
mod upcast;
pub mod verify;

pub use append::{AppendMeta, AppendOutcome, AppendResult, ExpectedVersion, NewEvent};
pub use envelope::{Envelope, StoredBytes, StoredEnvelope};
pub use error::{StoreError, is_disk_full};
pub use hash::{GENESIS_HASH, canonical_bytes, envelope_hash};
pub use memory::MemoryStore;
pub use store::EventStore;
pub use stream_id::{MAX_STREAM_ID_BYTES, StreamId};
pub use subscription::Subscription;
pub use upcast::{Upcaster, upcast_envelope};
pub use verify::{ProblemKind, VerifyProblem, VerifyReport};
