//! The Habeas application facade.
//!
//! [`tracker::Tracker`] wires the pure domain ([`habeas_domain`]) to an event
//! store ([`habeas_store::EventStore`]): it loads a stream's history, lets
//! `decide` judge a command, appends with the expected version and retries on
//! conflict; it answers status and history questions by replaying streams.
//! Finding people, listing them and rosters come from the read models of
//! [`habeas_projections`], brought up to date before each such answer; the
//! types a caller needs are re-exported here ([`PersonStatus`],
//! [`RosterFilter`], [`AuditReport`]).
//! [`people::PersonIndex`] resolves what users type (an id, a slug, a name or
//! any alias, ignoring case and accents) to a person. [`demo`] holds the
//! worked example of `docs/domain.md` as commands. [`holder`] notes which
//! process holds a data directory open, for another that finds it locked.

pub mod codec;
pub mod demo;
pub mod error;
pub mod holder;
pub mod open;
pub mod people;
pub mod reports;
mod stream_locks;
pub mod tracker;

pub use habeas_projections::{AuditReport, Difference, PersonStatus, RosterFilter};
