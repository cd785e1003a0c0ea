//! [`Projections`]: the projection database, its generations, and feeding it
//! from the log (catch-up and live).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::task::Poll;

use habeas_store::{EventStore, SledLockRelease, StoreError, Subscription, is_sled_lock_error};

use crate::apply::{DecodedBatch, apply, checkpoint};
use crate::error::ProjectionError;
use crate::replay::{Plan, replay};
use crate::writes::WriteMode;

/// The projection format this build writes and the newest it reads. An
/// older projection database is emptied on open and rebuilt by the next
/// catch-up (it is derived data); a newer one is refused.
///
/// 2: the `a/` index of every statement that ever named a person.
pub const PROJECTIONS_FORMAT_VERSION: u32 = 2;

const FORMAT_KEY: &[u8] = b"format";
const GENERATION_KEY: &[u8] = b"generation";
const GENERATION_PREFIX: &str = "generation-";

/// Settings for [`Projections::open`].
#[derive(Debug, Clone)]
pub struct ProjectionConfig {
    /// The most memory sled's page cache may use, in bytes.
    pub cache_capacity_bytes: u64,
    /// How many events one read of the log fetches, and the most one atomic
    /// batch of the projector applies.
    pub page_size: usize,
    /// The most events a rebuild gathers in memory before writing them: each
    /// person touched is then derived and written once per chunk rather than
    /// once per page. Larger is not faster: on 1M events, chunks of 65 536
    /// rebuilt at 57 800 events/s and chunks of 1 048 576 at 48 600 (the
    /// writes of a chunk no longer overlap the reading), in more memory.
    pub rebuild_chunk_events: usize,
}

impl Default for ProjectionConfig {
    fn default() -> ProjectionConfig {
        ProjectionConfig {
            cache_capacity_bytes: 64 * 1024 * 1024,
            page_size: 4096,
            rebuild_chunk_events: 1 << 16,
        }
    }
}

/// The read models of one Habeas data directory, in their own sled database.
///
/// Cloning gives another handle to the same open database. Reads never wait
/// for writers; appliers (catch-up, live follow, rebuild) take turns.
#[derive(Clone)]
pub struct Projections {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    db: sled::Db,
    config: ProjectionConfig,
    active: RwLock<Active>,
    /// Held while applying, so that batches of the log go in one at a time.
    applier: tokio::sync::Mutex<()>,
    /// Last, so it drops after `db` and `active`: waits until sled has released
    /// the directory, so it can be opened again as soon as this handle is gone.
    _release: SledLockRelease,
}

#[derive(Clone)]
struct Active {
    generation: u64,
    tree: sled::Tree,
}

fn generation_name(generation: u64) -> String {
    format!("{GENERATION_PREFIX}{generation}")
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ProjectionError + '_ {
    move |source| ProjectionError::Io {
        path: path.to_owned(),
        source,
    }
}

impl Projections {
    /// Opens (or creates) the projection database in `path`, normally the
    /// `projections/` folder of a data directory. Blocking.
    ///
    /// A directory that is not empty and holds no sled database is refused
    /// untouched. Leftovers of an interrupted rebuild are dropped. Call
    /// [`Projections::catch_up`] next to apply what the log holds beyond the
    /// checkpoint.
    pub fn open(
        path: impl AsRef<Path>,
        config: ProjectionConfig,
    ) -> Result<Projections, ProjectionError> {
        let path = path.as_ref().to_owned();
        match std::fs::read_dir(&path) {
            Ok(mut entries) => {
                let is_empty = entries.next().is_none();
                if !is_empty && !path.join("conf").exists() {
                    return Err(ProjectionError::NotProjections(path));
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&path).map_err(io_error(&path))?;
            }
            Err(error) => return Err(io_error(&path)(error)),
        }
        let db = sled::Config::new()
            .path(&path)
            .cache_capacity(config.cache_capacity_bytes)
            .open()
            .map_err(|error| {
                // Another process has this store open: say so as the log does.
                if is_sled_lock_error(&error) {
                    ProjectionError::Store(StoreError::Locked(path.clone()))
                } else {
                    ProjectionError::Sled(error)
                }
            })?;
        Projections::with_db(path, db, config)
    }

    /// A projection database in a temporary directory, removed when the last
    /// handle is dropped: for a tracker over a store that is not on disk
    /// (an import's dry run, tests).
    pub fn temporary(config: ProjectionConfig) -> Result<Projections, ProjectionError> {
        let path = std::env::temp_dir().join(format!(
            "habeas-projections-{}",
            uuid::Uuid::now_v7().as_simple()
        ));
        let db = sled::Config::new()
            .path(&path)
            .temporary(true)
            .cache_capacity(config.cache_capacity_bytes)
            .open()?;
        Projections::with_db(path, db, config)
    }

    fn with_db(
        path: PathBuf,
        db: sled::Db,
        config: ProjectionConfig,
    ) -> Result<Projections, ProjectionError> {
        let mut outdated = false;
        match db.get(FORMAT_KEY)? {
            Some(bytes) => {
                let found = <[u8; 4]>::try_from(bytes.as_ref())
                    .map(u32::from_be_bytes)
                    .map_err(|_| ProjectionError::NotProjections(path.clone()))?;
                if found > PROJECTIONS_FORMAT_VERSION {
                    return Err(ProjectionError::NewerFormat {
                        path,
                        found,
                        supported: PROJECTIONS_FORMAT_VERSION,
                    });
                }
                outdated = found < PROJECTIONS_FORMAT_VERSION;
            }
            None => {
                db.insert(FORMAT_KEY, &PROJECTIONS_FORMAT_VERSION.to_be_bytes())?;
            }
        }
        let generation = match db.get(GENERATION_KEY)? {
            Some(bytes) => <[u8; 8]>::try_from(bytes.as_ref())
                .map(u64::from_be_bytes)
                .map_err(|_| ProjectionError::Corrupt {
                    key: "generation".into(),
                    reason: "not a 64-bit number".into(),
                })?,
            None => {
                db.insert(GENERATION_KEY, &1u64.to_be_bytes())?;
                1
            }
        };
        let current = generation_name(generation);
        for name in db.tree_names() {
            let name_text = String::from_utf8_lossy(&name);
            if name_text.starts_with(GENERATION_PREFIX) && (outdated || name_text != current) {
                db.drop_tree(&name)?;
            }
        }
        if outdated {
            // Emptied above: the next catch-up replays the log from position 1.
            db.insert(FORMAT_KEY, &PROJECTIONS_FORMAT_VERSION.to_be_bytes())?;
            db.flush()?;
        }
        let tree = db.open_tree(&current)?;
        Ok(Projections {
            inner: Arc::new(Inner {
                _release: SledLockRelease::new(&path),
                path,
                db,
                config,
                active: RwLock::new(Active { generation, tree }),
                applier: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The directory of the database.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The generation being served; a rebuild builds the next one.
    pub fn generation(&self) -> u64 {
        self.active().generation
    }

    fn active(&self) -> Active {
        self.inner
            .active
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The tree of the generation being served.
    pub(crate) fn tree(&self) -> sled::Tree {
        self.active().tree
    }

    /// Waits for the appliers' turn: while held, no batch is applied.
    pub(crate) async fn take_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.applier.lock().await
    }

    pub(crate) fn config(&self) -> &ProjectionConfig {
        &self.inner.config
    }

    /// The last global position applied (0: nothing yet).
    pub fn checkpoint(&self) -> Result<u64, ProjectionError> {
        Ok(checkpoint(&self.tree())?.0)
    }

    /// Applies every event of `store` after the checkpoint, a page at a time,
    /// each page in one atomic batch with its checkpoint. Returns the new
    /// checkpoint.
    ///
    /// Refuses ([`ProjectionError::Diverged`]) when the checkpoint is beyond
    /// the store's head or the event at the checkpoint is not the one applied
    /// (another log, or one restored from an older backup): rebuild then.
    pub async fn catch_up(&self, store: &dyn EventStore) -> Result<u64, ProjectionError> {
        self.catch_up_with_progress(store, &mut |_, _| {}).await
    }

    /// [`Projections::catch_up`], calling `progress(done, total)` after each
    /// applied page: the first catch-up of a large log takes a while.
    pub async fn catch_up_with_progress(
        &self,
        store: &dyn EventStore,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<u64, ProjectionError> {
        let _turn = self.inner.applier.lock().await;
        let tree = self.tree();
        let head = check_same_log(&tree, store).await?;
        let (position, _) = checkpoint(&tree)?;
        if position == head {
            // Up to date: the common case before every answer, so no
            // worker thread is started for it.
            progress(position, head);
            return Ok(position);
        }
        if position == 0 {
            // A new database: building it as a rebuild does is several times
            // faster than applying page by page, and as safe (the new
            // generation is published only once complete).
            drop(tree);
            return self.rebuild_in_turn(store, progress).await;
        }
        replay(tree, store, self.plan(WriteMode::Atomic), progress).await
    }

    fn plan(&self, mode: WriteMode) -> Plan {
        Plan {
            page_size: self.config().page_size,
            mode,
            chunk_events: self.config().rebuild_chunk_events,
        }
    }

    /// Keeps the projections live: applies every event `subscription`
    /// delivers, in batches of what is already available. Events at or before
    /// the checkpoint are skipped; a subscription that starts after the
    /// position following the checkpoint is refused ([`ProjectionError::Gap`]).
    /// Subscribe from `checkpoint() + 1` after a [`Projections::catch_up`].
    ///
    /// Runs until the store closes (then returns `Ok`) or an error occurs.
    pub async fn follow(&self, mut subscription: Subscription) -> Result<(), ProjectionError> {
        let page_size = self.config().page_size.max(1);
        loop {
            let first = match subscription.next().await {
                Ok(envelope) => envelope,
                Err(StoreError::Closed) => return Ok(()),
                Err(error) => return Err(error.into()),
            };
            let mut envelopes = vec![first];
            while envelopes.len() < page_size {
                match poll_once(subscription.next()).await {
                    Some(Ok(envelope)) => envelopes.push(envelope),
                    Some(Err(StoreError::Closed)) | None => break,
                    Some(Err(error)) => return Err(error.into()),
                }
            }
            let _turn = self.inner.applier.lock().await;
            let batch = DecodedBatch::decode(envelopes)?;
            apply(&self.tree(), batch, WriteMode::Atomic)?;
        }
    }

    /// Rebuilds every read model from position 1 into a fresh generation,
    /// then switches to it atomically and drops the old one. Reads keep being
    /// served from the old generation meanwhile; catch-up and live follow wait.
    /// `progress(done, total)` is called after each applied page.
    /// Returns the new checkpoint.
    pub async fn rebuild(
        &self,
        store: &dyn EventStore,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<u64, ProjectionError> {
        let _turn = self.inner.applier.lock().await;
        self.rebuild_in_turn(store, progress).await
    }

    /// [`Projections::rebuild`], the appliers' turn already taken.
    async fn rebuild_in_turn(
        &self,
        store: &dyn EventStore,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<u64, ProjectionError> {
        let old = self.active();
        let generation = old.generation + 1;
        let name = generation_name(generation);
        self.inner.db.drop_tree(name.as_bytes())?;
        let tree = self.inner.db.open_tree(name.as_bytes())?;
        let checkpoint =
            replay(tree.clone(), store, self.plan(WriteMode::Direct), progress).await?;
        // The switch is one key; flushing it before the old tree goes means a
        // crash leaves either generation complete, never neither.
        self.inner
            .db
            .insert(GENERATION_KEY, &generation.to_be_bytes())?;
        self.inner.db.flush_async().await?;
        *self
            .inner
            .active
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Active { generation, tree };
        self.inner
            .db
            .drop_tree(generation_name(old.generation).as_bytes())?;
        Ok(checkpoint)
    }

    /// Writes the projection database's buffers to disk. Not needed for
    /// consistency (a crash leaves the state of some checkpoint, and catch-up
    /// redoes the rest); useful before a backup.
    pub async fn flush(&self) -> Result<(), ProjectionError> {
        self.inner.db.flush_async().await?;
        Ok(())
    }
}

impl std::fmt::Debug for Projections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projections")
            .field("path", &self.inner.path)
            .field("generation", &self.generation())
            .finish_non_exhaustive()
    }
}

/// Polls a future once: its output if ready now, `None` if it would wait.
/// Used with cancel-safe futures only.
async fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(|context| match future.as_mut().poll(context) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}

/// Refuses a checkpoint the store does not confirm; returns the store's head.
pub(crate) async fn check_same_log(
    tree: &sled::Tree,
    store: &dyn EventStore,
) -> Result<u64, ProjectionError> {
    let (position, hash) = checkpoint(tree)?;
    let head = store.head().await?;
    if position == 0 {
        return Ok(head);
    }
    if position > head {
        return Err(ProjectionError::Diverged {
            reason: format!(
                "the projections have applied up to position {position} but the log ends at {head}"
            ),
        });
    }
    let at_checkpoint = store.read_all(position, 1).await?;
    match at_checkpoint.first() {
        Some(envelope) if envelope.position == position && envelope.hash == hash => Ok(head),
        _ => Err(ProjectionError::Diverged {
            reason: format!("the event at position {position} is not the one applied"),
        }),
    }
}
