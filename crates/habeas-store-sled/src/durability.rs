//! Making a sled flush survive power loss.
//!
//! sled 0.34's `flush` writes its log with `sync_file_range`, which neither empties the
//! disk's volatile write cache nor persists the file's size (spacejam/sled#1452). After
//! every flush the writer therefore calls `fsync` (`File::sync_all`) on the `db` file,
//! on any other file sled created or changed since the last group (`conf`, `snap.*`
//! snapshots, files under `blobs/`), and then on the directories whose entries changed.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::open::sync_directory;
use habeas_store::StoreError;

/// Open handles and what was already synced, kept by the writer between groups.
pub(crate) struct DurableFiles {
    directory: PathBuf,
    db_file: File,
    /// Length and modification time of every other file when it was last synced.
    synced: HashMap<PathBuf, (u64, Option<SystemTime>)>,
}

impl DurableFiles {
    pub(crate) fn open(directory: &Path) -> Result<DurableFiles, StoreError> {
        let db_path = directory.join("db");
        let db_file = File::open(&db_path).map_err(|source| StoreError::io(&db_path, source))?;
        let mut files = DurableFiles {
            directory: directory.to_owned(),
            db_file,
            synced: HashMap::new(),
        };
        files.sync()?;
        Ok(files)
    }

    /// fsyncs everything sled may have written since the last call. Call after `flush`.
    pub(crate) fn sync(&mut self) -> Result<(), StoreError> {
        self.db_file
            .sync_all()
            .map_err(|source| StoreError::io(self.directory.join("db"), source))?;
        for directory in [self.directory.clone(), self.directory.join("blobs")] {
            if self.sync_changed_files(&directory)? {
                sync_directory(&directory)?;
            }
        }
        Ok(())
    }

    /// fsyncs the files of `directory` (other than `db`) that are new or changed;
    /// returns whether there were any.
    fn sync_changed_files(&mut self, directory: &Path) -> Result<bool, StoreError> {
        let entries = match fs::read_dir(directory) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(source) => return Err(StoreError::io(directory, source)),
        };
        let mut changed = false;
        for entry in entries {
            let entry = entry.map_err(|source| StoreError::io(directory, source))?;
            let path = entry.path();
            if entry.file_name() == "db" {
                continue;
            }
            let metadata = match entry.metadata() {
                Ok(metadata) => metadata,
                // sled renames or removes temporary snapshot files concurrently.
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(source) => return Err(StoreError::io(&path, source)),
            };
            if !metadata.is_file() {
                continue;
            }
            let stamp = (metadata.len(), metadata.modified().ok());
            if self.synced.get(&path) == Some(&stamp) {
                continue;
            }
            match File::open(&path).and_then(|file| file.sync_all()) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(source) => return Err(StoreError::io(&path, source)),
            }
            self.synced.insert(path, stamp);
            changed = true;
        }
        Ok(changed)
    }
}
