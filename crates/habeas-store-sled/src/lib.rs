//! The sled backend of the Habeas event store: [`SledStore`], a store in one
//! directory, written by one group-committing thread and durable before it answers.
//!
//! # Main types
//!
//! - [`SledStore`] (with [`SledConfig`]): implements `habeas_store::EventStore` and
//!   passes the conformance suite (`habeas_store::conformance_tests!`).
//! - [`SledLockRelease`], [`wait_for_sled_release`], [`is_sled_lock_error`]: sled keeps
//!   its directory lock a few milliseconds after the last handle is gone; closing waits
//!   for it, so a reopen in the same process is not mistaken for another process.
//!
//! One process at a time holds a store (sled's `flock` on `db`); another gets
//! `StoreError::Locked` before anything is touched.
//!
//! # Durability contract
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
//!   [`habeas_store::StoreError::DiskFull`] when the device was full, [`habeas_store::StoreError::WriterFailed`]
//!   otherwise. See "When a commit fails" below.
//!
//! `habeas_store::MemoryStore` has the same semantics minus durability.
//!
//! # When a commit fails: a full disk, an I/O error
//!
//! A failed group commit (or sled failing a lookup while appends are decided, which it
//! does once it has failed to write its log) stops the writer for good: every later
//! `append` on that open
//! store (any handle) gets [`habeas_store::StoreError::WriterFailed`], whose message gives the cause
//! and says to reopen the store. The reason is that sled 0.34 cannot roll back a batch
//! it has applied in memory but failed to write, so later appends must not be decided
//! against that state (a conflict check or a position could depend on writes that never
//! reach the disk). `head` keeps working and reads, subscriptions and `verify` show only
//! acknowledged events, but once sled itself has failed to write its log it keeps that
//! error and may return it from reads too (it consolidates pages on read, which writes):
//! they then fail with the same [`habeas_store::StoreError::DiskFull`] until the store is reopened.
//!
//! What the user sees and does when the disk fills up:
//!
//! 1. the append(s) being committed fail with [`habeas_store::StoreError::DiskFull`]: "no space left
//!    on device while writing `<store>`: free disk space, then reopen the store and
//!    retry; …";
//! 2. any later append fails with [`habeas_store::StoreError::WriterFailed`]: "the store accepts no
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
//! # Opening
//!
//! A directory is a store when it holds the `HABEAS_STORE` marker. A new store is
//! created so that the marker appears last (it is written as `HABEAS_STORE.tmp` and
//! renamed once sled's files and the format key are durable), so a store interrupted
//! while being created is finished by the next open, and a marked store whose `db` or
//! `conf` file is missing, empty, truncated or not a file, or whose marker is
//! unreadable, is damage: it is refused with [`habeas_store::StoreError::Damaged`] before sled touches
//! anything (sled would otherwise start an empty database in its place). A database
//! that sled opens but that holds no Habeas data (the `db` file overwritten) is refused
//! too, but sled has by then discarded what it could not read. Damage that leaves sled a
//! consistent older state (a `db` cut back to an earlier segment, with its recorded head)
//! cannot be told from an older store; keeping backups (and comparing heads) is the
//! answer there.
//!
//! # Key layout
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

mod durability;
mod error;
mod keys;
mod lock;
mod open;
mod store;
mod verify;
mod writer;

pub use lock::{SLED_RELEASE_TIMEOUT, SledLockRelease, is_sled_lock_error, wait_for_sled_release};
pub use store::{SLED_FORMAT_VERSION, SledConfig, SledStore};
