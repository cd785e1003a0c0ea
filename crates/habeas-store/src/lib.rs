//! The Habeas event store: an append-only, hash-chained log of events grouped in streams.
//!
//! # Main types
//!
//! - [`EventStore`]: the async trait every backend implements: `append`, `read_stream`,
//!   `read_all`, `head`, `subscribe`, `verify`.
//! - [`SledStore`] (with [`SledConfig`]): the on-disk backend; [`MemoryStore`]: the
//!   in-memory one with identical semantics. A PostgreSQL backend can implement the same
//!   trait and run the same `conformance` suite (module and `conformance_tests!` macro,
//!   behind the cargo feature `conformance`).
//! - [`Envelope`]: the stored form of one event (and the export line format);
//!   [`NewEvent`] and [`AppendMeta`] are what callers pass in; [`StreamId`] names a stream.
//! - [`AppendOutcome`]: `Appended`, `Conflict` (expected version did not hold) or
//!   `AlreadyApplied` (the command id was seen before): expected results are values.
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
//! and start at 1. Both are assigned by the store's single writer (not by sled's id
//! generator, which jumps by about two million on every reopen). All events of one append
//! get one contiguous range of positions. An append of zero events is refused with
//! [`StoreError::NothingToAppend`], so every successful append names a non-empty range.
//!
//! # Durability contract (sled backend)
//!
//! When `append` returns `Ok(AppendOutcome::Appended(_))`, the events are on stable
//! storage: they survive a crash of the process and a power loss, provided the disk
//! honours `fsync` (flushes its write cache on it) and the filesystem is not lying about
//! it. Concretely, the single writer thread collects every append waiting for it (up to
//! [`SledConfig::max_appends_per_group`]), decides each in order, writes the keys of the
//! whole group with one `sled::Tree::apply_batch` (which sled recovers all-or-nothing),
//! calls `flush`, then `fsync`s (`File::sync_all`) the `db` file, every other file sled
//! created or changed (`conf`, `snap.*`, `blobs/*`) and the directories whose entries
//! changed, because sled 0.34's flush only uses `sync_file_range` (spacejam/sled#1452).
//! Only then are the appends of the group answered. Consequences:
//!
//! - an acknowledged append is never lost, and an unacknowledged one is either wholly
//!   present or wholly absent after a crash (never partly);
//! - readers (`read_*`, `head`, subscriptions) see only acknowledged-durable events;
//! - `Conflict` and `AlreadyApplied` answers are also given only after the group is durable;
//! - if a commit fails, that group's appends get [`StoreError::WriterFailed`] and the
//!   store refuses further appends until reopened (reads keep working).
//!
//! [`MemoryStore`] has the same semantics minus durability.
//!
//! # Key layout (sled backend)
//!
//! One sled tree, keys prefixed by kind, integers big-endian so scans are ordered:
//! `e/<position>` → envelope JSON, `s/<stream>\0<version>` → position,
//! `c/<command id>` → `AppendResult` JSON, `m/format` → format version,
//! `m/head` → last committed position (lets `verify` notice a truncated tail).
//! A `HABEAS_STORE` marker file in the directory names it a Habeas store and carries its
//! format version, so a foreign or newer directory is refused before sled touches it.
//!
//! Chosen over several trees in a multi-tree transaction after a timing of both
//! (400 groups of 32 appends, three keys per append, ~500-byte values, on this project's
//! 2-core ext4 build machine, sled at opt-level 2; three runs):
//!
//! | layout | no flush, µs/group | `flush` per group, µs/group |
//! |---|---|---|
//! | (a) one tree, prefixed keys, `apply_batch` | 843–1157 | 940–968 |
//! | (b) three trees, `Transactional` | 822–941 | 1036–1281 |
//!
//! They cost the same within noise (and an `fsync` per group dwarfs both on real disks),
//! so the simpler one wins: a single writer needs no optimistic transaction with retries,
//! `apply_batch` is one atomic unit in sled's log, and one tree keeps every scan in one
//! ordered key space.

mod append;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod envelope;
mod error;
mod hash;
mod memory;
mod plan;
mod sled_store;
mod store;
mod stream_id;
mod subscription;
mod upcast;
mod verify;

pub use append::{AppendMeta, AppendOutcome, AppendResult, ExpectedVersion, NewEvent};
pub use envelope::Envelope;
pub use error::StoreError;
pub use hash::{GENESIS_HASH, canonical_bytes, envelope_hash};
pub use memory::MemoryStore;
pub use sled_store::{SLED_FORMAT_VERSION, SledConfig, SledStore};
pub use store::EventStore;
pub use stream_id::{MAX_STREAM_ID_BYTES, StreamId};
pub use subscription::Subscription;
pub use upcast::Upcaster;
pub use verify::{ProblemKind, VerifyProblem, VerifyReport};
