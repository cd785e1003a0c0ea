//! One generation of the read models: a sled database in a directory of its
//! own, `generation-<n>/` inside the projections folder, and the `CURRENT`
//! file that names the generation in service.
//!
//! Why a database per generation rather than a tree per generation in one
//! database: sled never gives space back to the file system, and each time
//! it opens a database it writes zeros over every free segment of its file.
//! With one shared database, every rebuild left the replaced generation's
//! space as free segments that every later `habeas` command zeroed again on
//! open (figures in BENCHMARKS.md, "`habeas status` end to end"). A build
//! now writes a fresh database and deletes the replaced one's directory
//! once no handle is left.
//!
//! The switch is the `CURRENT` file, replaced atomically (written beside,
//! fsynced, renamed, directory fsynced): a crash leaves one complete
//! generation named, and any other `generation-*` directory is a leftover
//! removed on the next open.

use std::fs;
use std::io::Write;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use habeas_store::StoreError;
use habeas_store_sled::{SLED_RELEASE_TIMEOUT, is_sled_lock_error, wait_for_sled_release};

use crate::error::ProjectionError;
use crate::projections::{PROJECTIONS_FORMAT_VERSION, ProjectionConfig};

/// The file naming the generation in service.
pub(crate) const CURRENT_FILE: &str = "CURRENT";
const CURRENT_TEMP_FILE: &str = "CURRENT.tmp";
const PREFIX: &str = "generation-";
/// In the default tree of each generation's database.
const FORMAT_KEY: &[u8] = b"format";
/// The tree holding the read model (keys in `keys.rs`).
pub(crate) const READ_MODEL_TREE: &str = "read-model";

/// The directory of generation `number`.
pub(crate) fn directory(root: &Path, number: u64) -> PathBuf {
    root.join(format!("{PREFIX}{number}"))
}

/// The generation `CURRENT` names, if there is the file.
pub(crate) fn read_current(root: &Path) -> Result<Option<u64>, ProjectionError> {
    let path = root.join(CURRENT_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(ProjectionError::io(&path)(error)),
    };
    text.trim()
        .strip_prefix("generation ")
        .and_then(|number| number.parse().ok())
        .map(Some)
        .ok_or_else(|| ProjectionError::Corrupt {
            key: path.display().to_string(),
            reason: format!("{:?} is not \"generation N\"", text.trim()),
        })
}

/// Names generation `number` as the one in service, durably and atomically.
pub(crate) fn write_current(root: &Path, number: u64) -> Result<(), ProjectionError> {
    let temp = root.join(CURRENT_TEMP_FILE);
    let mut file = fs::File::create(&temp).map_err(ProjectionError::io(&temp))?;
    writeln!(file, "generation {number}").map_err(ProjectionError::io(&temp))?;
    file.sync_all().map_err(ProjectionError::io(&temp))?;
    drop(file);
    fs::rename(&temp, root.join(CURRENT_FILE)).map_err(ProjectionError::io(root))?;
    fs::File::open(root)
        .and_then(|directory| directory.sync_all())
        .map_err(ProjectionError::io(root))
}

/// Removes every generation directory but `keep`'s, and a half-written
/// `CURRENT.tmp`: leftovers of an interrupted build or of a generation
/// replaced while this process was killed.
pub(crate) fn remove_others(root: &Path, keep: u64) -> Result<(), ProjectionError> {
    let keep = directory(root, keep);
    for entry in fs::read_dir(root).map_err(ProjectionError::io(root))? {
        let entry = entry.map_err(ProjectionError::io(root))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = entry.path();
        if name.starts_with(PREFIX) && path != keep {
            fs::remove_dir_all(&path).map_err(ProjectionError::io(&path))?;
        } else if name == CURRENT_TEMP_FILE {
            fs::remove_file(&path).map_err(ProjectionError::io(&path))?;
        }
    }
    Ok(())
}

/// Whether `name`, found in a projections folder, is one of ours.
pub(crate) fn is_own_entry(name: &str) -> bool {
    name == CURRENT_FILE || name == CURRENT_TEMP_FILE || name.starts_with(PREFIX)
}

/// An open generation. Dereferences to its sled tree. Dropping the last
/// handle closes the database and waits until sled has released it; a
/// retired generation's directory is then deleted.
pub(crate) struct Generation {
    pub(crate) number: u64,
    db: sled::Db,
    tree: sled::Tree,
    /// Last, so that it runs once `db` and `tree` are dropped.
    closing: Closing,
}

struct Closing {
    directory: PathBuf,
    retired: AtomicBool,
}

impl Drop for Closing {
    fn drop(&mut self) {
        wait_for_sled_release(&self.directory, SLED_RELEASE_TIMEOUT);
        if self.retired.load(Ordering::Acquire) {
            // Best effort: a directory left behind is removed on next open.
            let _ = fs::remove_dir_all(&self.directory);
        }
    }
}

impl Deref for Generation {
    type Target = sled::Tree;

    fn deref(&self) -> &sled::Tree {
        &self.tree
    }
}

impl Generation {
    /// Opens (creating if missing) generation `number` under `root`.
    /// Returns it and whether it was written by an older format (then it
    /// should be replaced by a new, empty one).
    pub(crate) fn open(
        root: &Path,
        number: u64,
        config: &ProjectionConfig,
    ) -> Result<(Generation, bool), ProjectionError> {
        let directory = directory(root, number);
        let db = sled::Config::new()
            .path(&directory)
            .cache_capacity(config.cache_capacity_bytes)
            .open()
            .map_err(|error| {
                // Another process has this database open: say so as the log does.
                if is_sled_lock_error(&error) {
                    ProjectionError::Store(StoreError::Locked {
                        store: StoreError::location(root),
                    })
                } else {
                    ProjectionError::Sled(error)
                }
            })?;
        let outdated = match db.get(FORMAT_KEY)? {
            Some(bytes) => {
                let found = <[u8; 4]>::try_from(bytes.as_ref())
                    .map(u32::from_be_bytes)
                    .map_err(|_| ProjectionError::NotProjections(root.to_owned()))?;
                if found > PROJECTIONS_FORMAT_VERSION {
                    return Err(ProjectionError::NewerFormat {
                        path: root.to_owned(),
                        found,
                        supported: PROJECTIONS_FORMAT_VERSION,
                    });
                }
                found < PROJECTIONS_FORMAT_VERSION
            }
            None => {
                db.insert(FORMAT_KEY, &PROJECTIONS_FORMAT_VERSION.to_be_bytes())?;
                false
            }
        };
        let tree = db.open_tree(READ_MODEL_TREE)?;
        Ok((
            Generation {
                number,
                db,
                tree,
                closing: Closing {
                    directory,
                    retired: AtomicBool::new(false),
                },
            },
            outdated,
        ))
    }

    /// Marks the generation for deletion once its last handle is dropped.
    pub(crate) fn retire(&self) {
        self.closing.retired.store(true, Ordering::Release);
    }

    /// A handle to the tree, for a worker thread.
    pub(crate) fn tree(&self) -> sled::Tree {
        self.tree.clone()
    }

    /// Writes the database's buffers to disk.
    pub(crate) async fn flush(&self) -> Result<(), ProjectionError> {
        self.db.flush_async().await?;
        Ok(())
    }
}
