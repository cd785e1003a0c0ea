//! [`Projections`]: the projection database, its generations, and feeding it
//! from the log (catch-up and live).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use habeas_store::{EventStore, StoreError};
use habeas_store_sled::wait_for_sled_release;

use crate::apply::checkpoint;
use crate::blocking::blocking;
use crate::error::ProjectionError;
use crate::generation::{self, Generation};
use crate::replay;

/// The projection format this build writes and the newest it reads. An
/// older projection database is emptied on open and rebuilt by the next
/// catch-up (it is derived data); a newer one is refused.
///
/// 2: the `a/` index of every statement that ever named a person.
/// 3: rows keep the person's standing instead of a derived status, and no
/// compact histories are kept (`e/` is gone).
/// 4: a row's window starts on the day every fact is certain (the latest
/// last-possible day), not the day every fact may have happened.
/// 5: day counts may be open above (`max` null) and an expected release
/// may have no earliest day: custody known without its start (`..DATE`).
/// 6: a standing may say the record was merged into another.
pub const PROJECTIONS_FORMAT_VERSION: u32 = 6;

/// Settings for [`Projections::open`].
#[derive(Debug, Clone)]
pub struct ProjectionConfig {
    /// The most memory sled's page cache may use, in bytes.
    pub cache_capacity_bytes: u64,
    /// How many events one read of the log fetches, and the most one atomic
    /// batch of the projector applies.
    pub page_size: usize,
    /// The most events a build (the first of a database, or a rebuild)
    /// gathers in memory before writing them (its first chunks are smaller,
    /// growing from one page, and so are its last): each person touched is
    /// then derived and written once per chunk rather than once per page.
    /// Larger is not faster: past a point the writes of a chunk no longer
    /// overlap the reading of the next, and memory grows with the chunk
    /// (figures in BENCHMARKS.md, "Rebuild").
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
/// for writers. Appliers of the generation in service (catch-up, the audit)
/// take turns; a build of the next generation (a rebuild,
/// or the first build of an empty database) runs beside them and takes a
/// turn only for its last step: catching its generation up to the head and
/// switching to it.
#[derive(Clone)]
pub struct Projections {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    config: ProjectionConfig,
    /// The generation in service; a rebuild replaces it.
    active: RwLock<Arc<Generation>>,
    /// Held while applying to the generation in service, so that batches of
    /// the log go in one at a time, and while switching generations.
    applier: tokio::sync::Mutex<()>,
    /// Held while building a generation: one build at a time.
    builder: tokio::sync::Mutex<()>,
    /// Last, so that it runs once the generation is closed.
    _cleanup: RemoveOnDrop,
}

/// Removes a temporary projections folder when the projections close.
struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

/// The names sled 0.34 creates in its directory: the projections of builds
/// before generations had directories of their own.
fn is_single_database_file(name: &str) -> bool {
    matches!(name, "conf" | "db" | "blobs") || name.starts_with("snap.")
}

impl Projections {
    /// Opens (or creates) the projection database in `path`, normally the
    /// `projections/` folder of a data directory. Blocking.
    ///
    /// A directory that is not empty and holds no projections is refused
    /// untouched. Leftovers of an interrupted rebuild are dropped, and so
    /// are projections of an older format or layout (they are derived data:
    /// the next catch-up rebuilds them). Call [`Projections::catch_up`] next
    /// to apply what the log holds beyond the checkpoint.
    pub fn open(
        path: impl AsRef<Path>,
        config: ProjectionConfig,
    ) -> Result<Projections, ProjectionError> {
        Projections::open_in(path.as_ref().to_owned(), config, RemoveOnDrop(None))
    }

    /// A projection database in a temporary directory, removed when the last
    /// handle is dropped: for a tracker over a store that is not on disk
    /// (an import's dry run, tests).
    pub fn temporary(config: ProjectionConfig) -> Result<Projections, ProjectionError> {
        let path = std::env::temp_dir().join(format!(
            "habeas-projections-{}",
            uuid::Uuid::now_v7().as_simple()
        ));
        Projections::open_in(path.clone(), config, RemoveOnDrop(Some(path)))
    }

    fn open_in(
        path: PathBuf,
        config: ProjectionConfig,
        cleanup: RemoveOnDrop,
    ) -> Result<Projections, ProjectionError> {
        let names: Vec<String> = match std::fs::read_dir(&path) {
            Ok(entries) => entries
                .map(|entry| entry.map(|entry| entry.file_name().to_string_lossy().into_owned()))
                .collect::<Result<_, _>>()
                .map_err(ProjectionError::io(&path))?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&path).map_err(ProjectionError::io(&path))?;
                Vec::new()
            }
            Err(error) => return Err(ProjectionError::io(&path)(error)),
        };
        let single_database = names.iter().any(|name| name == "conf");
        let ours = |name: &String| {
            generation::is_own_entry(name) || (single_database && is_single_database_file(name))
        };
        if !names.iter().all(ours) {
            return Err(ProjectionError::NotProjections(path));
        }
        if single_database {
            // The earlier layout: one sled database for every generation,
            // derived data to be rebuilt; unless an older build has it open.
            if !wait_for_sled_release(&path, Duration::ZERO) {
                return Err(ProjectionError::Store(StoreError::Locked {
                    store: StoreError::location(&path),
                }));
            }
            for name in names.iter().filter(|name| is_single_database_file(name)) {
                let entry = path.join(name);
                let removed = if entry.is_dir() {
                    std::fs::remove_dir_all(&entry)
                } else {
                    std::fs::remove_file(&entry)
                };
                removed.map_err(ProjectionError::io(&entry))?;
            }
        }
        let number = match generation::read_current(&path)? {
            Some(number) => number,
            None => {
                generation::write_current(&path, 1)?;
                1
            }
        };
        // Only once this process holds the generation in service: another
        // process may be rebuilding the next one.
        let (mut active, outdated) = Generation::open(&path, number, &config)?;
        generation::remove_others(&path, number)?;
        if outdated {
            // Derived data of an older format: start a new, empty generation.
            let (fresh, _) = Generation::open(&path, number + 1, &config)?;
            generation::write_current(&path, number + 1)?;
            active.retire();
            active = fresh;
        }
        Ok(Projections {
            inner: Arc::new(Inner {
                path,
                config,
                active: RwLock::new(Arc::new(active)),
                applier: tokio::sync::Mutex::new(()),
                builder: tokio::sync::Mutex::new(()),
                _cleanup: cleanup,
            }),
        })
    }

    /// The directory of the database.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The generation being served; a rebuild builds the next one.
    pub fn generation(&self) -> u64 {
        self.active().number
    }

    /// The generation being served (it dereferences to its tree). Holding
    /// it keeps that generation open should a rebuild replace it meanwhile.
    pub(crate) fn active(&self) -> Arc<Generation> {
        self.inner
            .active
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
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
        Ok(checkpoint(&self.active())?.0)
    }

    /// Applies every event of `store` after the checkpoint, a page at a time,
    /// each page in one atomic batch with its checkpoint (an empty database
    /// is built instead: see [`Projections::catch_up_with_progress`]).
    /// Returns the new checkpoint.
    ///
    /// Refuses ([`ProjectionError::Diverged`]) when the checkpoint is beyond
    /// the store's head or the event at the checkpoint is not the one applied
    /// (another log, or one restored from an older backup): rebuild then.
    pub async fn catch_up(&self, store: &dyn EventStore) -> Result<u64, ProjectionError> {
        self.catch_up_with_progress(store, &mut |_, _| {}).await
    }

    /// [`Projections::catch_up`], calling `progress(done, total)` after each
    /// applied page: the first catch-up of a large log takes a while.
    ///
    /// An empty database is not applied page by page: its first catch-up
    /// builds a new generation as a rebuild does (several times faster, and
    /// as safe: the generation is published only once complete). Callers
    /// that arrive meanwhile wait for that build, as there is nothing to
    /// answer from yet.
    pub async fn catch_up_with_progress(
        &self,
        store: &dyn EventStore,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<u64, ProjectionError> {
        loop {
            let seen = self.generation();
            if let Some(checkpoint) = self.apply_new_events(store, progress).await? {
                return Ok(checkpoint);
            }
            if let Some(checkpoint) = self.build(store, progress, seen).await? {
                return Ok(checkpoint);
            }
            // Another build switched generations meanwhile: catch that up.
        }
    }

    /// Applies what the log holds beyond the checkpoint of the generation in
    /// service, page by page; `None` when that generation is empty and the
    /// log is not (build it instead).
    async fn apply_new_events(
        &self,
        store: &dyn EventStore,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<Option<u64>, ProjectionError> {
        let _turn = self.inner.applier.lock().await;
        let tree = self.active();
        let (head, position) = check_same_log(&tree, store).await?;
        if position == head {
            // Up to date: the common case before every answer, so no
            // worker thread is started for it.
            progress(position, head);
            return Ok(Some(position));
        }
        if position == 0 {
            return Ok(None);
        }
        let page_size = self.config().page_size;
        replay::apply_pages(tree.tree(), store, page_size, progress)
            .await
            .map(Some)
    }

    /// Rebuilds every read model from position 1 into a fresh generation,
    /// then switches to it atomically and drops the old one. Reads keep being
    /// served from the old generation meanwhile, and catch-ups keep it up to
    /// date: they wait only for the last step, which catches
    /// the new generation up to the head and switches. `progress(done,
    /// total)` is called after each applied chunk. Returns the new
    /// checkpoint.
    ///
    /// A rebuild asked for while another runs waits for it and serves from
    /// the generation it built: that generation was replayed from the log
    /// and caught up to the head after this call was made, so a second build
    /// would write the same bytes.
    pub async fn rebuild(
        &self,
        store: &dyn EventStore,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<u64, ProjectionError> {
        let seen = self.generation();
        match self.build(store, progress, seen).await? {
            Some(checkpoint) => Ok(checkpoint),
            None => self.catch_up_with_progress(store, progress).await,
        }
    }

    /// Builds generation `seen + 1` from the log and switches to it; `None`
    /// (nothing done) when another build replaced generation `seen` while
    /// this one waited for its turn.
    ///
    /// The generation is filled without the appliers' turn, while the one
    /// in service keeps being read and caught up; the turn is taken only to
    /// catch the new generation up to the head (the events appended during
    /// the build), flush it and name it in `CURRENT`. A crash at any point
    /// leaves the old generation in service (the new one is named only once
    /// flushed), and its leftovers are removed on the next open.
    async fn build(
        &self,
        store: &dyn EventStore,
        progress: &mut (dyn FnMut(u64, u64) + Send),
        seen: u64,
    ) -> Result<Option<u64>, ProjectionError> {
        let _building = self.inner.builder.lock().await;
        let old = self.active();
        if old.number != seen {
            return Ok(None);
        }
        let root = self.inner.path.clone();
        let number = old.number + 1;
        let config = self.config().clone();
        let fresh = blocking(move || {
            // A leftover of an interrupted build in this process.
            let directory = generation::directory(&root, number);
            if directory.exists() {
                std::fs::remove_dir_all(&directory).map_err(ProjectionError::io(&directory))?;
            }
            Ok(Generation::open(&root, number, &config)?.0)
        })
        .await?;
        let fresh = Arc::new(fresh);
        let built = self.fill_and_switch(store, progress, &fresh).await;
        // The generation out of service is deleted once the last reader
        // still holding it lets go (a failed build's, unless `CURRENT` may
        // name it). Closing it waits for sled's threads, so this handle is
        // let go of on the blocking pool.
        let out_of_service = if built.is_ok() {
            old.retire();
            old
        } else {
            fresh
        };
        blocking(move || {
            drop(out_of_service);
            Ok(())
        })
        .await?;
        built.map(Some)
    }

    /// Fills `fresh` from the log, then, in the appliers' turn, catches it up
    /// to the head and puts it in service. Returns its checkpoint. On a
    /// failure before `CURRENT` is written, `fresh` is retired.
    async fn fill_and_switch(
        &self,
        store: &dyn EventStore,
        progress: &mut (dyn FnMut(u64, u64) + Send),
        fresh: &Arc<Generation>,
    ) -> Result<u64, ProjectionError> {
        let (page_size, chunk_events) =
            (self.config().page_size, self.config().rebuild_chunk_events);
        let filled = async {
            replay::build(fresh.tree(), store, page_size, chunk_events, progress).await?;
            // Most of the flushing before the turn: readers of the old
            // generation wait for none of it.
            fresh.flush().await?;

            let turn = self.inner.applier.lock().await;
            // The log may have grown meanwhile, or (restored from a backup)
            // have become another: the event at the checkpoint must still be
            // the one built from.
            check_same_log(fresh, store).await?;
            let checkpoint =
                replay::build(fresh.tree(), store, page_size, chunk_events, progress).await?;
            // Durable before `CURRENT` names it: a crash leaves one complete
            // generation in service, never neither.
            fresh.flush().await?;
            Ok::<_, ProjectionError>((checkpoint, turn))
        };
        let (checkpoint, _turn) = match filled.await {
            Ok(filled) => filled,
            Err(error) => {
                fresh.retire();
                return Err(error);
            }
        };
        let (root, number) = (self.inner.path.clone(), fresh.number);
        blocking(move || generation::write_current(&root, number)).await?;
        *self
            .inner
            .active
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::clone(fresh);
        Ok(checkpoint)
    }

    /// Writes the projection database's buffers to disk. Not needed for
    /// consistency (a crash leaves the state of some checkpoint, and catch-up
    /// redoes the rest); useful before a backup.
    pub async fn flush(&self) -> Result<(), ProjectionError> {
        self.active().flush().await
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

/// Refuses a checkpoint the store does not confirm; returns the store's head
/// and the checkpoint.
pub(crate) async fn check_same_log(
    tree: &Arc<Generation>,
    store: &dyn EventStore,
) -> Result<(u64, u64), ProjectionError> {
    let (position, hash) = {
        let tree = Arc::clone(tree);
        blocking(move || checkpoint(&tree)).await?
    };
    let head = store.head().await?;
    if position == 0 {
        return Ok((head, position));
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
        Some(envelope) if envelope.position == position && envelope.hash == hash => {
            Ok((head, position))
        }
        _ => Err(ProjectionError::Diverged {
            reason: format!("the event at position {position} is not the one applied"),
        }),
    }
}
