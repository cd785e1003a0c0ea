//! The `EventStore` trait every backend implements.

use async_trait::async_trait;
use uuid::Uuid;

use crate::append::{AppendMeta, AppendOutcome, ExpectedVersion, NewEvent};
use crate::envelope::{Envelope, StoredEnvelope};
use crate::error::StoreError;
use crate::stream_id::StreamId;
use crate::subscription::Subscription;
use crate::verify::VerifyReport;

/// An append-only, hash-chained log of events grouped in streams.
///
/// Readers only ever see durable events: an event is returned by a read, counted by
/// [`EventStore::head`] or delivered to a subscription only after the append that wrote
/// it was acknowledged.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Appends `events` to `stream` atomically if `expected` holds and `meta.command_id`
    /// was not seen before.
    ///
    /// All events of one call get one contiguous range of global positions, consecutive
    /// stream versions and the same `recorded_at`. A version mismatch returns
    /// [`AppendOutcome::Conflict`] and a known command id returns
    /// [`AppendOutcome::AlreadyApplied`] (checked first, whatever `expected` says); both
    /// write nothing. An empty `events` is refused with [`StoreError::NothingToAppend`]:
    /// an append always writes at least one event, so its result always names a range.
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        meta: AppendMeta,
    ) -> Result<AppendOutcome, StoreError>;

    /// The events of `stream` with version `from_version` or later (1 is the first),
    /// upcast, in version order. An unknown stream gives an empty list.
    async fn read_stream(
        &self,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<Envelope>, StoreError>;

    /// At most `limit` events with global position `from_position` or later (1 is the
    /// first; 0 reads from the start), upcast, in position order.
    async fn read_all(&self, from_position: u64, limit: usize)
    -> Result<Vec<Envelope>, StoreError>;

    /// [`EventStore::read_all`] as stored: the JSON of each envelope, neither
    /// decoded nor upcast, for readers that decode only what they need and
    /// upcast themselves. Stores that keep envelopes decoded encode them.
    async fn read_all_stored(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<StoredEnvelope>, StoreError> {
        let envelopes = self.read_all(from_position, limit).await?;
        envelopes.iter().map(StoredEnvelope::encode).collect()
    }

    /// The event with id `event_id`, upcast, or `None` when no stored event has that
    /// id. Corrections and retractions name only the event they target; this finds
    /// its stream without scanning the log (an index lookup in every backend).
    async fn read_event(&self, event_id: Uuid) -> Result<Option<Envelope>, StoreError>;

    /// Appends already-hashed envelopes verbatim (positions, versions, `recorded_at`,
    /// `recorded_by`, command ids, payloads and hashes as given): the restore half of an
    /// export. Returns the new head.
    ///
    /// `envelopes[0]` must be at `head + 1` and link to the last stored hash
    /// ([`crate::GENESIS_HASH`] when the store is empty); every envelope is re-checked
    /// (its hash, its link, gapless positions and stream versions, an event id not used
    /// before, a command id only shared with the envelopes just before it in the same
    /// stream). The first that fails refuses the whole call with
    /// [`StoreError::RestoreRefused`] and nothing is written. Otherwise every envelope
    /// and index entry (the command-id results are rebuilt from consecutive envelopes
    /// sharing a command id, and extended across calls) is written in one atomic,
    /// durable commit. An empty `envelopes` writes nothing and returns the head.
    async fn restore(&self, envelopes: Vec<Envelope>) -> Result<u64, StoreError>;

    /// The last global position (0 when the store is empty).
    async fn head(&self) -> Result<u64, StoreError>;

    /// Every event from `from_position` on (0 or 1: from the start): first those already
    /// stored, then new ones as they are committed, without gap or duplicate.
    async fn subscribe(&self, from_position: u64) -> Result<Subscription, StoreError>;

    /// Walks the whole stored log (not upcast) and checks the hash chain, positions and
    /// stream versions; calls `progress(done, total)` from time to time.
    async fn verify_with_progress(
        &self,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<VerifyReport, StoreError>;

    /// [`EventStore::verify_with_progress`] without progress reports.
    async fn verify(&self) -> Result<VerifyReport, StoreError> {
        self.verify_with_progress(&mut |_, _| {}).await
    }
}
