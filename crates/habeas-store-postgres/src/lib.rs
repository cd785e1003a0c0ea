//! The PostgreSQL backend of the Habeas event store: [`PostgresStore`], one log in a
//! database that any number of processes share.
//!
//! # Main types
//!
//! - [`PostgresStore`] (with [`PostgresConfig`]): implements `habeas_store::EventStore`
//!   and passes the conformance suite (`habeas_store::conformance_tests!`).
//! - `testing` (cargo feature `testing`): a fresh database per test, on the server
//!   named by `HABEAS_TEST_POSTGRES_URL` or on a throwaway cluster this module starts.
//!
//! # Schema
//!
//! Everything lives in the schema `habeas` (see `sql.rs`): `store` (schema version and
//! the store's identity), `log_head` (the last position and its hash: the chain lock),
//! `events` (position primary key; `UNIQUE (stream, version)`, `UNIQUE (event_id)`;
//! the envelope's exact JSON bytes in `envelope bytea`, the form the hash chain is
//! checked against, so an export re-hashes byte for byte), `commands` (command id →
//! the append's result), `secrets` (private values beside the log, not events:
//! see `secrets.rs`). Triggers refuse `UPDATE`, `DELETE` and `TRUNCATE` on
//! `events`. The schema is created on first open (when asked) and migrated on open
//! under an advisory lock; a newer schema version is refused.
//!
//! # Appends, the chain lock and the locking order
//!
//! Positions are never taken from a sequence: a catch-up reader can see sequence
//! values with gaps and out of commit order. Each transaction that appends locks the
//! single `log_head` row `FOR UPDATE` first, decides against the state it then reads,
//! inserts, updates `log_head` and commits: positions and `prev_hash` are assigned
//! under one lock held until commit, so the committed log is always a gapless prefix
//! in commit order. Locking order in every writing transaction: `log_head`, then the
//! inserted rows of `events` and `commands`; readers lock nothing. Within one process,
//! concurrent appends are grouped into one transaction by a writer task (one commit,
//! one WAL flush, for up to [`PostgresConfig::max_appends_per_group`] appends); see
//! `writer.rs`.
//!
//! # Durability
//!
//! An append is acknowledged after its transaction's `COMMIT` returned, which with
//! PostgreSQL's default `synchronous_commit = on` means its WAL record is flushed (and,
//! with synchronous replication configured, replicated). Readers see only committed
//! rows. A transaction that failed or was cut off is rolled back whole by the server;
//! an append whose `COMMIT` was cut off (connection lost) is wholly present or wholly
//! absent: retry it with the same command id.
//!
//! # Subscriptions
//!
//! `LISTEN habeas_log` on a connection of its own plus a poll of the head on a timer
//! ([`PostgresConfig::poll_interval`]) wake subscribers; what they deliver is read by
//! position, so neither a lost notification nor a duplicate one changes what is
//! delivered (see `listen.rs`).
//!
//! # TLS
//!
//! rustls (ring provider), certificates always verified, roots from the system store
//! plus `sslrootcert=PATH` / `PGSSLROOTCERT`; plain for a server on this machine
//! unless `sslmode=require` (see `tls.rs`).
//!
//! # Runtime
//!
//! The store runs its connections, writer and listener on a two-thread runtime of its
//! own: it is called from any runtime (the CLI's current-thread one, a server's,
//! a test's), and its blocking [`PostgresStore::open`] can be called where opening a
//! sled store is.

mod error;
mod listen;
mod open;
mod pool;
mod secrets;
mod sql;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod tls;
mod verify;
mod writer;

pub use secrets::{SecretChange, SecretRow};
pub use store::{POSTGRES_SCHEMA_VERSION, PostgresConfig, PostgresStore};
