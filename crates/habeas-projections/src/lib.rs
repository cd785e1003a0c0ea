//! Habeas read models, fed from the event log in global order.
//!
//! # Main types
//!
//! - [`Projections`] (with [`ProjectionConfig`]): the projection database,
//!   a sled database of its own in the `projections/` folder of a data
//!   directory (beside the store's `events/`). Disposable: everything in it is
//!   rebuilt from the log. [`Projections::catch_up`] applies what the log
//!   holds beyond the checkpoint (the facade calls it before every answer),
//!   [`Projections::rebuild`] replays
//!   from position 1 into a shadow generation while the one in service keeps
//!   answering, and [`Projections::audit`]
//!   proves the read model against a replay of the log ([`AuditReport`],
//!   [`Difference`]).
//! - [`PersonStatus`]: the per-person status row (headline, custody and
//!   since when, facility, legal state, restrictions in force, episodes,
//!   figures, last change and last position, statements naming the person),
//!   read with [`Projections::status`].
//! - The person index: [`Projections::find`] resolves an id, a slug, a name
//!   or any alias, ignoring case and accents ([`fold`]) into a [`Found`].
//! - The roster index: [`Projections::roster`] lists people by headline
//!   ([`RosterFilter`]) from an index keyed by headline, without scanning
//!   every row.
//! - [`ProjectionError`]: the one error type.
//!
//! # Checkpoint and atomicity
//!
//! The projector applies the log one page at a time. Every change a page
//! makes (rows, every index entry) and the new checkpoint
//! (the last applied position, with that envelope's hash) go into one
//! `sled::Batch`, written with one `apply_batch` on the one tree of the
//! current generation. sled recovers a batch all-or-nothing and recovers its
//! log as a prefix, so after a crash the database holds exactly the read
//! model of the checkpoint it holds: an event is never half applied, never
//! applied without the checkpoint covering it and never covered without being
//! applied. Catch-up restarts after the checkpoint and skips what it covers,
//! so nothing is skipped or applied twice. No `fsync` is needed for that:
//! losing the tail of the projection log only moves the checkpoint back.
//! The stored hash lets catch-up notice a log that is not the one applied
//! (a store restored from an older backup) and refuse instead of mixing two
//! logs.
//!
//! Each generation of the read models is a sled database of its own in
//! `generation-<n>/`, and the `CURRENT` file names the one in service.
//!
//! # Two ways to write: applying and building
//!
//! - *Applying* (catch-up): the generation in service is
//!   brought up to the head page by page, each page in one atomic batch with
//!   its checkpoint, as above. Appliers take turns.
//! - *Building* (a rebuild, and the first catch-up of an empty database,
//!   which would otherwise apply the whole log page by page): generation
//!   `n + 1` is filled from the log while generation `n` stays in service,
//!   read and applied to as usual. As nothing reads the new generation
//!   before the switch, a build gathers the log in chunks
//!   ([`ProjectionConfig::rebuild_chunk_events`]) and writes each chunk key
//!   by key, its checkpoint last, instead of one atomic batch per page, on a
//!   writer thread of its own while the next chunk is derived (the deriving
//!   side reads through the chunk still being written). Only its last step
//!   takes the appliers' turn: catching the new generation up to the head
//!   (what was appended during the build), flushing it, and replacing
//!   `CURRENT` atomically. Generation `n` is then deleted once no reader
//!   holds it, so the space of the replaced read models goes back to the
//!   file system (sled never shrinks a file, and zeroes its free segments at
//!   every open; see `generation.rs`). An interrupted build leaves
//!   generation `n` in service, and its leftovers are deleted on the next
//!   open.
//!
//! Either way the database ends up with the same bytes: how the log was cut
//! into pages and chunks changes nothing (`tests/batching.rs`), and the
//! stored rows are pinned by golden files (`tests/golden.rs`).
//!
//! # Off the executor
//!
//! The async methods run their sled reads and writes, and the deriving of
//! many rows, on tokio's blocking pool or on the projector's own threads, so
//! that a server's executor threads never wait on the disk. The synchronous
//! methods ([`Projections::find`], [`Projections::person`] and the like)
//! read sled on the caller's thread.
//!
//! # Reading the log
//!
//! Replays read stored envelopes ([`habeas_store::EventStore::read_all_stored`])
//! and decode each straight into the fields and event type the projector
//! needs, without a `serde_json::Value` of the payload in between. The
//! reading stage decodes the envelope's fields (it needs the stream and
//! version to fetch priors) and leaves the payload as text; the worker reads
//! it into the event type as it derives the batch (`replay.rs`).
//!
//! # Time
//!
//! A status depends on the day it describes: day counts grow, restrictions
//! with an end date expire. Each row keeps the domain's
//! [`Standing`](habeas_domain::status::Standing) (the person's facts walked)
//! as of the first day on which every recorded fact counts
//! ([`Window::valid_from`]); read on that day or any later one it gives
//! exactly what `status()` over the whole stream gives, so a row read on a
//! later day never shows a stale headline or day count, and no answer
//! depends on the day the projector ran: a rebuild on any day writes the same
//! bytes. For a day before `valid_from` (facts that had not happened yet) the
//! person's stream is read from the log and derived again. The row also
//! stores the first day its headline may change
//! ([`Window::headline_until`], when a restriction expires); the roster reads
//! the headline index plus the (few) rows whose headline window does not
//! cover the day.
//!
//! Known-at (transaction time) is not modelled here: the read model answers
//! "as known at its checkpoint"; earlier knowledge is a replay of the facade.
//!
//! # No copy of the streams
//!
//! Deriving a row needs the person's whole stream (a fact recorded late may
//! have happened first; a correction may change any earlier fact). The read
//! model keeps no copy of it: when a page (or a build's chunk) is the first
//! to touch a stream, the replay reads that stream's earlier events from the
//! store (`replay::priors`). In a build from a log whose people were
//! recorded together that is rare; keeping copies made the projection
//! database several times larger and its writes most of a rebuild's cost
//! (BENCHMARKS.md, "Rebuild").

mod apply;
mod audit;
mod blocking;
mod decode;
mod derive;
mod error;
mod generation;
mod keys;
mod lookup;
mod names;
mod projections;
mod replay;
mod roster;
mod row;
mod writes;

pub use audit::{AuditReport, Difference};
pub use decode::recorded;
pub use error::ProjectionError;
pub use lookup::{Found, MatchedBy};
pub use names::{fold, plain_slug, slug_candidates};
pub use projections::{PROJECTIONS_FORMAT_VERSION, ProjectionConfig, Projections};
pub use roster::RosterFilter;
pub use row::{
    CustodyRow, CustodyState, DayWindow, Days, EpisodeRow, FiguresRow, Fraction, IdentityRow,
    LegalRow, LegalState, PersonStatus, RecognitionRow, RestrictionRow, Window,
};
