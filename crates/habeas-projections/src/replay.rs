//! Replaying the log into a generation tree, in stages on their own threads:
//! the caller's task reads pages of stored envelopes from the store, has
//! their fields decoded on the blocking pool (payloads stay text) and adds
//! the earlier events of each stream a batch touches (its priors: rows are
//! derived from whole streams), while a worker thread decodes the payloads
//! of the batch before and derives its rows. The channel between them holds
//! a whole batch, so that reading the next one overlaps deriving this one.
//!
//! There are two ways in, one per kind of generation:
//!
//! - [`apply_pages`], for the generation in service (catch-up): each page is
//!   a batch, applied and written in one atomic batch with its checkpoint,
//!   because readers see it at once and a crash must leave the read model of
//!   some checkpoint.
//! - [`build`], for a generation no one reads yet (the first build of a
//!   database and every rebuild, `projections.rs`): the worker gathers pages
//!   into chunks of up to `chunk_events` events (a person whose events are
//!   spread over the log is then derived and written once per chunk rather
//!   than once per page) and hands each chunk's writes to a writer thread,
//!   which writes them key by key (`WriteMode::Direct`, see `writes.rs`)
//!   while the worker derives the next chunk. Chunks grow from one page to
//!   `chunk_events` and shrink again towards the head, so that the worker
//!   and the writer start early and finish soon after the last read. An
//!   interrupted build is never published, so it needs no atomic batches.

use std::collections::HashSet;
use std::sync::Arc;

use habeas_store::{Envelope, EventStore, StreamId};
use tokio::sync::{mpsc, oneshot};

use crate::apply::{DecodedBatch, Known, ProjectedEvent, Subject, apply, checkpoint};
use crate::blocking::blocking;
use crate::error::ProjectionError;
use crate::writes::{Commit, Reads, WriteMode};

/// How the worker applies and writes (see the module docs).
#[derive(Debug, Clone, Copy)]
enum Stages {
    /// Page by page, each in one atomic batch: the generation in service.
    InPlace,
    /// In chunks of at most `chunk_events`, written key by key on a writer
    /// thread behind the deriving: a generation being built.
    WriteBehind { chunk_events: usize },
}

/// A page for the worker.
struct Page {
    /// Its events, and the earlier events of the streams it is the first in
    /// its batch to touch.
    decoded: DecodedBatch,
    /// Whether the batch ends with this page (it is then applied).
    ends_batch: bool,
}

/// The events before `events` of every stream among them that `seen` (the
/// streams the current batch has touched) does not hold yet, read from
/// `store`; adds those streams to `seen`.
pub(crate) async fn priors(
    store: &dyn EventStore,
    events: impl Iterator<Item = &ProjectedEvent>,
    seen: &mut HashSet<Subject>,
) -> Result<Vec<Envelope>, ProjectionError> {
    let mut priors = Vec::new();
    for event in events {
        if !seen.insert(event.subject) || event.version <= 1 {
            continue;
        }
        let stream = StreamId::new(event.subject.stream_name())?;
        let earlier = store.read_stream(&stream, 1).await?;
        let start = priors.len();
        priors.extend(
            earlier
                .into_iter()
                .take_while(|earlier| earlier.version < event.version),
        );
        let found = priors.len() - start;
        if found as u64 != event.version - 1 {
            return Err(ProjectionError::Unreadable {
                position: event.position,
                reason: format!(
                    "stream {stream} has {found} events before version {}",
                    event.version
                ),
            });
        }
    }
    Ok(priors)
}

/// Gathers pages from `inbox` into batches (a batch ends with a page that
/// says so, or with the last page), calling `batch_done` with each.
fn batches(
    mut inbox: mpsc::Receiver<Page>,
    mut batch_done: impl FnMut(DecodedBatch) -> Result<(), ProjectionError>,
) -> Result<(), ProjectionError> {
    let mut pending = DecodedBatch::default();
    loop {
        let page = inbox.blocking_recv();
        let ended = page.is_none();
        let mut ends_batch = ended;
        if let Some(page) = page {
            ends_batch |= page.ends_batch;
            pending.extend(page.decoded);
        }
        if ends_batch && !pending.is_empty() {
            batch_done(std::mem::take(&mut pending))?;
        }
        if ended {
            return Ok(());
        }
    }
}

/// The tree in service: each batch is applied and written atomically before
/// the next is read.
fn apply_in_place(
    inbox: mpsc::Receiver<Page>,
    tree: &sled::Tree,
    applied_to: &mpsc::UnboundedSender<u64>,
) -> Result<(), ProjectionError> {
    batches(inbox, |batch| {
        if let Some(commit) = apply(Reads::of(tree), batch, None)? {
            commit.write(tree, WriteMode::Atomic)?;
            let _ = applied_to.send(commit.position);
        }
        Ok(())
    })
}

/// A generation being built: a writer thread writes batch `n` while this one
/// derives batch `n + 1`, reading the tree through [`Reads`] with batch `n`
/// pending. The hand-over waits for the writer to take the batch, which it
/// does once the one before is written, so every earlier batch is in the
/// tree by then.
fn apply_and_write_behind(
    inbox: mpsc::Receiver<Page>,
    tree: &sled::Tree,
    applied_to: &mpsc::UnboundedSender<u64>,
) -> Result<(), ProjectionError> {
    std::thread::scope(|scope| {
        let (to_writer, commits) = std::sync::mpsc::sync_channel::<Arc<Commit>>(0);
        let writer = std::thread::Builder::new()
            .name("habeas-projection-writer".into())
            .spawn_scoped(scope, move || -> Result<(), ProjectionError> {
                for commit in commits {
                    commit.write(tree, WriteMode::Direct)?;
                    let _ = applied_to.send(commit.position);
                }
                Ok(())
            })
            .map_err(|error| ProjectionError::Worker(error.to_string()))?;
        let mut pending: Option<Arc<Commit>> = None;
        // Only a generation this build fills from empty is known entirely
        // (its last catch-up finds it filled, and reads the tree).
        let mut known = tree.is_empty().then(Known::default);
        let derived = batches(inbox, |batch| {
            let reads = Reads {
                tree,
                pending: pending.as_deref(),
            };
            if let Some(commit) = apply(reads, batch, known.as_mut())? {
                let commit = Arc::new(commit);
                if to_writer.send(Arc::clone(&commit)).is_err() {
                    // The writer stopped on an error; joining it says which.
                    return Err(ProjectionError::Worker("the writer stopped".into()));
                }
                pending = Some(commit);
            }
            Ok(())
        });
        drop(to_writer);
        let written = writer
            .join()
            .map_err(|_| ProjectionError::Worker("the writer panicked".into()))?;
        written.and(derived)
    })
}

/// Applies every event of `store` after the checkpoint of `tree`, the
/// generation in service, page by page, each page in one atomic batch with
/// its checkpoint. `progress(done, total)` is called with the position
/// applied after each page, and once at the end (`total` is the head when
/// last asked). Returns the checkpoint reached.
pub(crate) async fn apply_pages(
    tree: sled::Tree,
    store: &dyn EventStore,
    page_size: usize,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<u64, ProjectionError> {
    replay(tree, store, page_size, Stages::InPlace, progress).await
}

/// Fills `tree`, a generation no one reads yet, from its checkpoint (0 when
/// new) up to the head of `store`, in chunks of at most `chunk_events`
/// events written key by key. `progress` as for [`apply_pages`], after each
/// chunk. Returns the checkpoint reached.
pub(crate) async fn build(
    tree: sled::Tree,
    store: &dyn EventStore,
    page_size: usize,
    chunk_events: usize,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<u64, ProjectionError> {
    let stages = Stages::WriteBehind { chunk_events };
    replay(tree, store, page_size, stages, progress).await
}

/// The stored checkpoint of `tree`, read on the blocking pool.
async fn checkpoint_of(tree: &sled::Tree) -> Result<u64, ProjectionError> {
    let tree = tree.clone();
    blocking(move || Ok(checkpoint(&tree)?.0)).await
}

async fn replay(
    tree: sled::Tree,
    store: &dyn EventStore,
    page_size: usize,
    stages: Stages,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<u64, ProjectionError> {
    let page_size = page_size.max(1);
    let chunk_events = match stages {
        Stages::InPlace => 0,
        Stages::WriteBehind { chunk_events } => chunk_events,
    };
    let mut next = checkpoint_of(&tree).await? + 1;
    let mut total = store.head().await?;
    // Room for a whole batch: the reader decodes the next batch while the
    // worker applies this one.
    let in_flight = (chunk_events / page_size).clamp(1, 64) + 1;
    let (pages, inbox) = mpsc::channel::<Page>(in_flight);
    let (answer, result) = oneshot::channel();
    let (applied_to, mut applied) = mpsc::unbounded_channel::<u64>();
    let worker_tree = tree.clone();
    std::thread::Builder::new()
        .name("habeas-projector".into())
        .spawn(move || {
            let reached = match stages {
                Stages::InPlace => apply_in_place(inbox, &worker_tree, &applied_to),
                Stages::WriteBehind { .. } => {
                    apply_and_write_behind(inbox, &worker_tree, &applied_to)
                }
            };
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
        // Batches grow from one page, doubling: the worker and the writer
        // wait for the first batch, so a short one sets all three stages
        // going sooner.
        let mut largest = page_size as u64;
        loop {
            let stored = store.read_all_stored(next, page_size).await?;
            let n_read = stored.len();
            // Decoding a page's fields takes milliseconds: not on the executor.
            let mut decoded = blocking(move || DecodedBatch::decode_stored(stored)).await?;
            if decoded.is_empty() {
                return Ok(());
            }
            next = decoded.last_position + 1;
            if decoded.last_position > total {
                total = store.head().await?;
            }
            let priors = priors(store, decoded.events(), &mut seen).await?;
            decoded.add_priors(priors)?;
            in_batch += n_read;
            // Batches shrink towards the head, so that the last one, which
            // is derived and written after everything is read, is short.
            let left = total.saturating_sub(next - 1);
            let wanted = (chunk_events as u64)
                .min(largest)
                .min((left / 2).max(page_size as u64));
            let ends_batch = in_batch as u64 >= wanted;
            if ends_batch {
                seen.clear();
                in_batch = 0;
                largest = largest.saturating_mul(2);
            }
            let page = Page {
                decoded,
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
    let checkpoint = checkpoint_of(&tree).await?;
    progress(checkpoint, total.max(checkpoint));
    Ok(checkpoint)
}
