//! One writer at a time per stream within a process.
//!
//! The store's expected-version check is what keeps a stream consistent:
//! two writers that read the same version race, one appends, the other gets
//! a conflict, reloads and decides again. Between processes that is the only
//! way. Within one process (a server with many users on one person's case),
//! callers of the same stream take turns here instead, so that none of them
//! spends its bounded retries losing races to its own neighbours; writers of
//! different streams never wait for each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use habeas_store::StreamId;
use tokio::sync::OwnedMutexGuard;

/// The per-stream locks of one tracker (and its clones).
#[derive(Debug, Default)]
pub(crate) struct StreamLocks {
    /// A stream's lock lives as long as someone holds or waits for it; the
    /// map keeps only weak handles, pruned as it grows.
    locks: Mutex<HashMap<StreamId, Weak<tokio::sync::Mutex<()>>>>,
}

impl StreamLocks {
    /// Waits for the stream's turn; the turn ends when the guard is dropped.
    pub(crate) async fn lock(&self, stream: &StreamId) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self
                .locks
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(lock) = locks.get(stream).and_then(Weak::upgrade) {
                lock
            } else {
                if locks.len() >= 1024 {
                    locks.retain(|_, lock| lock.strong_count() > 0);
                }
                let lock = Arc::new(tokio::sync::Mutex::new(()));
                locks.insert(stream.clone(), Arc::downgrade(&lock));
                lock
            }
        };
        lock.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_stream_takes_turns_and_others_do_not_wait() {
        let locks = StreamLocks::default();
        let a = StreamId::new("person-a").expect("stream");
        let b = StreamId::new("person-b").expect("stream");
        let held = locks.lock(&a).await;
        // Another stream is free while `a` is held.
        drop(locks.lock(&b).await);
        // `a` itself is not.
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(20), locks.lock(&a));
        assert!(
            waiting.await.is_err(),
            "a second writer of one stream waited"
        );
        drop(held);
        drop(locks.lock(&a).await);
        // Nothing is held now: every entry can be pruned.
        let map = locks.locks.lock().expect("not poisoned");
        assert!(map.values().all(|lock| lock.strong_count() == 0));
    }
}
