//! Opening a store directory: recognising it, refusing what is not ours, creating new ones.
//!
//! Every refusal happens before sled is asked to open anything, so a refused directory is
//! left exactly as it was.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use fs2::FileExt;

use crate::error::StoreError;

/// The store format this build writes and the newest it reads.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// The marker file naming a directory as a Habeas store and giving its format version.
pub(crate) const MARKER_FILE: &str = "HABEAS_STORE";
const MARKER_TEMP_FILE: &str = "HABEAS_STORE.tmp";
const MARKER_PREFIX: &str = "habeas-store format ";

/// Makes sure `path` is a Habeas store of a format we read, creating a new one in a
/// missing or empty directory, and that no other process has it open.
pub(crate) fn prepare_directory(path: &Path) -> Result<(), StoreError> {
    match fs::metadata(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(path).map_err(|source| StoreError::io(path, source))?;
            let parent = path
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            sync_directory(parent)?;
            write_marker(path)
        }
        Err(source) => Err(StoreError::io(path, source)),
        Ok(metadata) if !metadata.is_dir() => Err(StoreError::NotAHabeasStore(path.to_owned())),
        Ok(_) => {
            let names = entry_names(path)?;
            if names.is_empty() || names == [MARKER_TEMP_FILE] {
                // A crash while creating the marker leaves only its temporary file.
                return write_marker(path);
            }
            if !names.iter().any(|name| name == MARKER_FILE) {
                return Err(StoreError::NotAHabeasStore(path.to_owned()));
            }
            check_marker(path)?;
            check_not_locked(path)
        }
    }
}

fn entry_names(path: &Path) -> Result<Vec<String>, StoreError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(path).map_err(|source| StoreError::io(path, source))? {
        let entry = entry.map_err(|source| StoreError::io(path, source))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    Ok(names)
}

fn check_marker(path: &Path) -> Result<(), StoreError> {
    let marker_path = path.join(MARKER_FILE);
    let text =
        fs::read_to_string(&marker_path).map_err(|source| StoreError::io(&marker_path, source))?;
    let found = text
        .strip_prefix(MARKER_PREFIX)
        .and_then(|version| version.trim().parse::<u32>().ok())
        .ok_or_else(|| StoreError::NotAHabeasStore(path.to_owned()))?;
    check_format(path, found)
}

/// Refuses a format version newer than this build's.
pub(crate) fn check_format(path: &Path, found: u32) -> Result<(), StoreError> {
    if found > FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            path: path.to_owned(),
            found,
            supported: FORMAT_VERSION,
        });
    }
    Ok(())
}

/// sled takes an exclusive `flock` on its `db` file; probing it ourselves first gives a
/// clear error without sled touching the directory.
fn check_not_locked(path: &Path) -> Result<(), StoreError> {
    let db_path = path.join("db");
    let file = match File::open(&db_path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(StoreError::io(&db_path, source)),
    };
    match file.try_lock_exclusive() {
        // Closing `file` releases the probe lock.
        Ok(()) => Ok(()),
        Err(error) if is_lock_contended(&error) => Err(StoreError::Locked(path.to_owned())),
        Err(source) => Err(StoreError::io(&db_path, source)),
    }
}

fn is_lock_contended(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::WouldBlock
        || error.raw_os_error() == fs2::lock_contended_error().raw_os_error()
}

/// Whether a sled open error is its "could not acquire lock" (another process won the
/// race after our probe).
pub(crate) fn is_sled_lock_error(error: &sled::Error) -> bool {
    matches!(error, sled::Error::Io(io_error) if io_error.to_string().contains("could not acquire lock"))
}

/// Writes the marker atomically: temporary file, fsync, rename, fsync of the directory.
fn write_marker(path: &Path) -> Result<(), StoreError> {
    let temp_path = path.join(MARKER_TEMP_FILE);
    let marker_path = path.join(MARKER_FILE);
    let mut file = File::create(&temp_path).map_err(|source| StoreError::io(&temp_path, source))?;
    file.write_all(format!("{MARKER_PREFIX}{FORMAT_VERSION}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| StoreError::io(&temp_path, source))?;
    fs::rename(&temp_path, &marker_path).map_err(|source| StoreError::io(&marker_path, source))?;
    sync_directory(path)
}

/// fsyncs a directory so that entries created or renamed in it survive power loss.
pub(crate) fn sync_directory(path: &Path) -> Result<(), StoreError> {
    File::open(path)
        .and_then(|directory| directory.sync_all())
        .map_err(|source| StoreError::io(path, source))
}
