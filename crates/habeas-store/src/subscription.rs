//! Catch-up-then-live subscriptions over any backend.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::watch;

use crate::envelope::Envelope;
use crate::error::StoreError;
use crate::store::EventStore;

/// How many events one catch-up read fetches.
const CATCH_UP_BATCH: usize = 256;

/// A cursor over the global log that first replays stored events, then waits for new ones.
///
/// It reads by position, so the switch from catch-up to live can neither skip nor repeat
/// an event: after delivering position `p` it asks for `p + 1`, and it waits only when
/// the store's durable head (published through a `watch` channel) is below that.
pub struct Subscription {
    store: Arc<dyn EventStore>,
    head: watch::Receiver<u64>,
    next_position: u64,
    buffer: VecDeque<Envelope>,
}

impl Subscription {
    /// A subscription reading `store` from `from_position` (0 or 1: from the start),
    /// woken by `head`, which must carry the store's durable head position and only grow.
    /// Backends call this from [`EventStore::subscribe`].
    pub fn new(
        store: Arc<dyn EventStore>,
        head: watch::Receiver<u64>,
        from_position: u64,
    ) -> Subscription {
        Subscription {
            store,
            head,
            next_position: from_position.max(1),
            buffer: VecDeque::new(),
        }
    }

    /// The position of the next event this subscription will deliver.
    pub fn next_position(&self) -> u64 {
        self.next_position
    }

    /// The next event, waiting for it if it is not committed yet. Cancel-safe: dropping
    /// the future loses no event.
    pub async fn next(&mut self) -> Result<Envelope, StoreError> {
        loop {
            if let Some(envelope) = self.buffer.pop_front() {
                self.next_position = envelope.position + 1;
                return Ok(envelope);
            }
            let batch = self
                .store
                .read_all(self.next_position, CATCH_UP_BATCH)
                .await?;
            if let Some(first) = batch.first() {
                if first.position != self.next_position {
                    return Err(StoreError::Corrupt {
                        position: self.next_position,
                        reason: format!(
                            "the log skips from position {} to {}",
                            self.next_position - 1,
                            first.position
                        ),
                    });
                }
                self.buffer.extend(batch);
                continue;
            }
            let wanted = self.next_position;
            self.head
                .wait_for(|head| *head >= wanted)
                .await
                .map_err(|_| StoreError::Closed)?;
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("next_position", &self.next_position)
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}
