//! Replaying the log into a generation tree, in two stages on two threads:
//! the caller's task reads pages of envelopes from the store, with the
//! earlier events of each stream a batch touches (its priors: rows are
//! derived from whole streams), while a worker thread decodes the previous
//! page into domain events and applies it. A bounded channel keeps at most
//! two pages in flight.
//!
//! Into the tree in service each page is applied as it comes, in one atomic
//! batch with its checkpoint. Into a rebuild's unpublished generation the
//! worker gathers pages into chunks of up to `chunk_events` events and
//! writes each chunk directly (see `writes.rs`): a person whose ten events
//! are spread over the log is then derived and written once per chunk rather
//! than once per page, which is most of a rebuild's work.

use std::collections::HashSet;

use habeas_store::{Envelope, EventStore};
use tokio::sync::{mpsc, oneshot};

use crate::apply::{DecodedBatch, Subject, apply, checkpoint};
use crate::error::ProjectionError;
use crate::writes::WriteMode;

/// How the worker writes: page by page atomically, or in chunks directly.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// How many events one read of the log fetches.
    pub(crate) page_size: usize,
    /// How pages are written.
    pub(crate) mode: WriteMode,
    /// In [`WriteMode::Direct`], the most events gathered before a write.
    pub(crate) chunk_events: usize,
}

/// A page for the worker.
struct Page {
    envelopes: Vec<Envelope>,
    /// The events before the page of the streams it is the first in its
    /// batch to touch.
    priors: Vec<Envelope>,
    /// Whether the batch ends with this page (it is then applied).
    ends_batch: bool,
}

/// The events before `page` of every projected stream in it that `seen`
/// (the streams the current batch has touched) does not hold yet; adds
/// those streams to `seen`.
pub(crate) async fn priors(
    store: &dyn EventStore,
    page: &[Envelope],
    seen: &mut HashSet<Subject>,
) -> Result<Vec<Envelope>, ProjectionError> {
    let mut priors = Vec::new();
    for envelope in page {
        let Some(subject) = Subject::of_stream(envelope.stream.as_str()) else {
            continue;
        };
        if !seen.insert(subject) || envelope.version <= 1 {
            continue;
        }
        let earlier = store.read_stream(&envelope.stream, 1).await?;
        let before = earlier
            .into_iter()
            .take_while(|earlier| earlier.version < envelope.version);
        let start = priors.len();
        priors.extend(before);
        let found = priors.len() - start;
        if found as u64 != envelope.version - 1 {
            return Err(ProjectionError::Unreadable {
                position: envelope.position,
                reason: format!(
                    "stream {} has {found} events before version {}",
                    envelope.stream, envelope.version
                ),
            });
        }
    }
    Ok(priors)
}

/// Applies every event of `store` after `tree`'s checkpoint to `tree`.
/// `progress(done, total)` is called with the position applied each time the
/// worker has written a page (or a chunk), and once at the end (`total` is
/// the head when last asked). Returns the checkpoint reached.
pub(crate) async fn replay(
    tree: sled::Tree,
    store: &dyn EventStore,
    plan: Plan,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<u64, ProjectionError> {
    let page_size = plan.page_size.max(1);
    let chunk_events = match plan.mode {
        WriteMode::Atomic => 0,
        WriteMode::Direct => plan.chunk_events,
    };
    let (mut next, _) = checkpoint(&tree)?;
    next += 1;
    let mut total = store.head().await?;
    let (pages, mut inbox) = mpsc::channel::<Page>(2);
    let (answer, result) = oneshot::channel();
    let (applied_to, mut applied) = mpsc::unbounded_channel::<u64>();
    let worker_tree = tree.clone();
    std::thread::Builder::new()
        .name("habeas-projector".into())
        .spawn(move || {
            let mut reached = Ok(0);
            let mut pending = DecodedBatch::default();
            loop {
                let page = inbox.blocking_recv();
                let ended = page.is_none();
                let mut ends_batch = ended;
                if let Some(page) = page {
                    ends_batch |= page.ends_batch;
                    match DecodedBatch::decode(page.envelopes, page.priors) {
                        Ok(page) => pending.extend(page),
                        Err(error) => {
                            reached = Err(error);
                            break;
                        }
                    }
                }
                if ends_batch && !pending.is_empty() {
                    reached = apply(&worker_tree, std::mem::take(&mut pending), plan.mode);
                    match &reached {
                        Ok(position) => {
                            let _ = applied_to.send(*position);
                        }
                        Err(_) => break,
                    }
                }
                if ended {
                    break;
                }
            }
            // Let go of the database before answering: a caller that drops
            // the projections next must find them closed (file lock released).
            drop(worker_tree);
            drop(applied_to);
            let _ = answer.send(reached);
        })
        .map_err(|error| ProjectionError::Worker(error.to_string()))?;
    let reading = async {
        let mut seen: HashSet<Subject> = HashSet::new();
        let mut in_batch = 0;
        loop {
            let page = store.read_all(next, page_size).await?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            next = last.position + 1;
            if last.position > total {
                total = store.head().await?;
            }
            let priors = priors(store, &page, &mut seen).await?;
            in_batch += page.len();
            let ends_batch = in_batch >= chunk_events;
            if ends_batch {
                seen.clear();
                in_batch = 0;
            }
            let page = Page {
                envelopes: page,
                priors,
                ends_batch,
            };
            if pages.send(page).await.is_err() {
                // The worker stopped on an error; its answer says which.
                return Ok(());
            }
            let mut latest = None;
            while let Ok(position) = applied.try_recv() {
                latest = Some(position);
            }
            if let Some(done) = latest {
                progress(done, total.max(done));
            }
        }
    };
    let read: Result<(), ProjectionError> = reading.await;
    // Whatever happened, wait for the worker: no batch may still be applying
    // once the caller gives up its turn. Until it ends, show what it applies.
    drop(pages);
    while let Some(done) = applied.recv().await {
        progress(done, total.max(done));
    }
    let reached = result
        .await
        .map_err(|_| ProjectionError::Worker("it ended without an answer".into()))?;
    read?;
    reached?;
    let (checkpoint, _) = checkpoint(&tree)?;
    progress(checkpoint, total.max(checkpoint));
    Ok(checkpoint)
}
