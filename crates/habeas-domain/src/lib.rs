//! The Habeas domain core: what can be recorded about a person's case, which
//! records the rules allow, and what status follows from them.
//!
//! - [`id`]: [`id::PersonId`], [`id::EventId`], [`id::StatementId`], [`id::CommandId`];
//!   [`subject::Subject`]: whose stream an event is in, and the stream names.
//! - [`stored::StoredEvent`]: the one way a stored event becomes a
//!   [`history::RecordedEvent`] (upcast, then decoded).
//! - [`names`]: folding names for case- and accent-insensitive matching, slugs.
//! - [`date::PartialDate`]: dates known to the year, month or day; never a
//!   fake day. [`term::Term`]: sentence lengths.
//! - [`facts`]: sources, confidence and visibility every fact carries.
//! - [`event::Event`]: the past-tense catalogue; [`command::Command`] and
//!   [`command::Action`]: the imperative requests.
//! - [`amendment::Amendment`]: what a correction changes on a recorded fact.
//! - [`decide::decide`]: every rule, checked over the whole timeline with the
//!   new fact placed at its date; [`history::evolve`]: the fold, with no rules.
//! - [`status::status`]: the derived status at a valid time (`as_of`) as known
//!   at a transaction time (`known_at`), with [`figures`] as honest ranges;
//!   [`provenance::strip`] drops from recorded events what it never reads.
//!
//! There is no I/O, no clock, no randomness and no async here: time and ids
//! arrive inside commands and recorded events. Serde derives are the only
//! concession to the edges, because the serialized form of an event is the
//! stored contract and is pinned by golden files next to the types.

pub mod amendment;
pub mod command;
pub mod date;
pub mod decide;
pub mod error;
pub mod event;
pub mod facts;
pub mod figures;
pub mod history;
pub mod id;
pub mod names;
pub mod provenance;
pub mod redaction;
pub mod status;
pub mod stored;
pub mod subject;
pub mod term;
pub mod timeline;
pub mod upcast;
