//! The Habeas event store: an append-only, hash-chained log of events grouped in streams.
//!
//! # Main types
//!
//! - [`EventStore`]: the async trait every backend implements: `append`, `read_stream`,
//!   `read_all`, `head`, `subscribe`, `verify`, and `restore` (append already-hashed
//!   envelopes of an export verbatim, re-checked, in one atomic commit).
//! - [`SledStore`] (with [`SledConfig`]): the on-disk backend; [`MemoryStore`]: the
//!   in-memory one with identical semantics. A PostgreSQL backend can implement the same
//!   trait and run the same `conformance` suite (module and `conformance_tests!` macro,
//!   behind the cargo feature `conformance`).
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
//! and start at 1. Both are assigned by the store's single writer (not by sled's id
//! generator, which jumps by about two million on every reopen). All events of one append
//! get one contiguous range of positions. An append of zero events is refused with
//! [`StoreError::NothingToAppend`], so every successful append names a non-empty range.
//!
//! # Event ids
//!
//! Every stored event has its own `event_id`. An append that reuses the id of a stored
//! event, or that uses one id for two of its events, is refused with
//! [`StoreError::DuplicateEventId`] and writes nothing; the check comes after the
//! command-id check, so a retried command (same command id, same events) still gets
//! `AlreadyApplied`. Of concurrent appends sharing an id, exactly one lands. The sled
//! backend keeps an event-id index in the same atomic batch as the events, and `verify`
//! checks it ([`ProblemKind::IndexMismatch`] at an event the index does not point at,
//! which includes an event carrying an earlier event's id).
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
//! - if a commit fails, none of that group's appends is acknowledged: they get
//!   [`StoreError::DiskFull`] when the device was full, [`StoreError::WriterFailed`]
//!   otherwise. See "When a commit fails" below.
//!
//! [`MemoryStore`] has the same semantics minus durability.
//!
//! # When a commit fails (sled backend): a full disk, an I/O error
//!
//! A failed group commit (or sled failing a lookup while appends are decided, which it
//! does once it has failed to write its log) stops the writer for good: every later
//! `append` on that open
//! store (any handle) gets [`StoreError::WriterFailed`], whose message gives the cause
//! and says to reopen the store. The reason is that sled 0.34 cannot roll back a batch
//! it has applied in memory but failed to write, so later appends must not be decided
//! against that state (a conflict check or a position could depend on writes that never
//! reach the disk). `head` keeps working and reads, subscriptions and `verify` show only
//! acknowledged events, but once sled itself has failed to write its log it keeps that
//! error and may return it from reads too (it consolidates pages on read, which writes):
//! they then fail with the same [`StoreError::DiskFull`] until the store is reopened.
//!
//! What the user sees and does when the disk fills up:
//!
//! 1. the append(s) being committed fail with [`StoreError::DiskFull`]: "no space left
//!    on device while writing `<store>`: free disk space, then reopen the store and
//!    retry; …";
//! 2. any later append fails with [`StoreError::WriterFailed`]: "the store accepts no
//!    more appends until it is reopened: a write failed because the device is full
//!    (…); free disk space first; appends acknowledged before are durable"; reads may
//!    fail with `DiskFull`;
//! 3. reopening while the device is still full fails with `DiskFull` too (or the first
//!    append after it does);
//! 4. once there is room, the store reopens with every acknowledged append; an append
//!    that got an error is there wholly or not at all, so retry it with the same
//!    command id: it is then either written or answered `AlreadyApplied`, never doubled.
//!
//! This is pinned by `tests/full_disk.rs` (a real tmpfs filled to the last page).
//!
//! # Opening (sled backend)
//!
//! A directory is a store when it holds the `HABEAS_STORE` marker. A new store is
//! created so that the marker appears last (it is written as `HABEAS_STORE.tmp` and
//! renamed once sled's files and the format key are durable), so a store interrupted
//! while being created is finished by the next open, and a marked store whose `db` or
//! `conf` file is missing, empty, truncated or not a file, or whose marker is
//! unreadable, is damage: it is refused with [`StoreError::Damaged`] before sled touches
//! anything (sled would otherwise start an empty database in its place). A database
//! that sled opens but that holds no Habeas data (the `db` file overwritten) is refused
//! too, but sled has by then discarded what it could not read. Damage that leaves sled a
//! consistent older state (a `db` cut back to an earlier segment, with its recorded head)
//! cannot be told from an older store; keeping backups (and comparing heads) is the
//! answer there.
//!
//! # Key layout (sled backend)
//!
//! One sled tree, keys prefixed by kind, integers big-endian so scans are ordered:
//! `e/<position>` → envelope JSON, `s/<stream>\0<version>` → position,
//! `c/<command id>` → `AppendResult` JSON, `i/<event id>` → position,
//! `m/format` → format version, `m/head` → last committed position (lets `verify`
//! notice a truncated tail). A `HABEAS_STORE` marker file in the directory names it a
//! Habeas store and carries its format version, so a foreign or newer directory is
//! refused before sled touches it.
//!
//! Format 2 (this build, [`SLED_FORMAT_VERSION`]) added the `i/` index. A format-1 store
//! is upgraded when opened: its event ids are indexed (the first event with an id keeps
//! it; `verify` names any later one), then the format key and the marker say 2, so an
//! older build, which would not maintain the index, refuses it as a newer format.
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
pub use envelope::{Envelope, StoredBytes, StoredEnvelope};
pub use error::StoreError;
pub use hash::{GENESIS_HASH, canonical_bytes, envelope_hash};
pub use memory::MemoryStore;
pub use sled_store::{
    SLED_FORMAT_VERSION, SLED_RELEASE_TIMEOUT, SledConfig, SledLockRelease, SledStore,
    is_sled_lock_error, wait_for_sled_release,
};
pub use store::EventStore;
pub use stream_id::{MAX_STREAM_ID_BYTES, StreamId};
pub use subscription::Subscription;
pub use upcast::Upcaster;
pub use verify::{ProblemKind, VerifyProblem, VerifyReport};
