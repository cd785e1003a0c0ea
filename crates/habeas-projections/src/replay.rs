//! Replaying the log into a generation tree, in two stages on two threads:
//! the caller's task reads pages from the store and decodes them into domain
//! events (the same work as a plain scan of the log), while a worker thread
//! applies the previous page. A bounded channel keeps at most two decoded
//! pages in flight.

use habeas_store::EventStore;
use tokio::sync::{mpsc, oneshot};

use crate::apply::{DecodedBatch, apply, checkpoint};
use crate::error::ProjectionError;

/// Applies every event of `store` after `tree`'s checkpoint to `tree`.
/// `progress(done, total)` is called after each page handed to the worker
/// and once at the end (`total` is the head when last asked). Returns the
/// checkpoint reached.
pub(crate) async fn replay(
    tree: sled::Tree,
    store: &dyn EventStore,
    page_size: usize,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<u64, ProjectionError> {
    let page_size = page_size.max(1);
    let (mut next, _) = checkpoint(&tree)?;
    next += 1;
    let mut total = store.head().await?;
    let (pages, mut inbox) = mpsc::channel::<DecodedBatch>(2);
    let (answer, result) = oneshot::channel();
    let worker_tree = tree.clone();
    std::thread::Builder::new()
        .name("habeas-projector".into())
        .spawn(move || {
            let mut reached = Ok(0);
            while let Some(batch) = inbox.blocking_recv() {
                reached = apply(&worker_tree, batch);
                if reached.is_err() {
                    break;
                }
            }
            // Let go of the database before answering: a caller that drops
            // the projections next must find them closed (file lock released).
            drop(worker_tree);
            let _ = answer.send(reached);
        })
        .map_err(|error| ProjectionError::Worker(error.to_string()))?;
    let reading = async {
        loop {
            let page = store.read_all(next, page_size).await?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            next = last.position + 1;
            if last.position > total {
                total = store.head().await?;
            }
            let done = last.position;
            let batch = DecodedBatch::decode(page)?;
            if pages.send(batch).await.is_err() {
                // The worker stopped on an error; its answer says which.
                return Ok(());
            }
            progress(done, total.max(done));
        }
    };
    let read: Result<(), ProjectionError> = reading.await;
    // Whatever happened, wait for the worker: no batch may still be applying
    // once the caller gives up its turn.
    drop(pages);
    let reached = result
        .await
        .map_err(|_| ProjectionError::Worker("it ended without an answer".into()))?;
    read?;
    reached?;
    let (checkpoint, _) = checkpoint(&tree)?;
    progress(checkpoint, total.max(checkpoint));
    Ok(checkpoint)
}
