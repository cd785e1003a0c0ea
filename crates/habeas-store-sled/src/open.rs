//! Opening a store directory: recognising it, refusing what is not ours or is damaged,
//! creating new ones.
//!
//! Every refusal made here happens before sled is asked to open anything, so a refused
//! directory is left exactly as it was.
//!
//! A new store is created in this order: the marker is written under its temporary name
//! `HABEAS_STORE.tmp` (fsynced), sled creates its files and the format key is flushed
//! and fsynced, and only then is the marker renamed to `HABEAS_STORE`. So a directory
//! holding `HABEAS_STORE` always holds a complete sled database with the format key, and
//! a missing or empty `db`, a truncated `conf` or a database without the format key
//! there is damage, never an interrupted creation. A directory holding only
//! `HABEAS_STORE.tmp` and sled's own files is a creation that was interrupted: it
//! holds no event yet and is resumed.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use habeas_store::StoreError;

use super::lock::{check_not_locked, is_sled_lock_error};

/// The store format this build writes and the newest it reads.
///
/// 1: events, stream index, command results, head. 2: adds the event-id index
/// (`i/<event id>`); format-1 stores are upgraded on open.
pub(crate) const FORMAT_VERSION: u32 = 2;

/// The marker file naming a directory as a Habeas store and giving its format version.
pub(crate) const MARKER_FILE: &str = "HABEAS_STORE";
const MARKER_TEMP_FILE: &str = "HABEAS_STORE.tmp";
const MARKER_PREFIX: &str = "habeas-store format ";

/// sled writes its `conf` file (segment size, compression, version) once, at creation,
/// and treats one of at most this many bytes as absent, silently writing a new one.
const SLED_CONF_MIN_LEN: u64 = 9;

/// What `prepare_directory` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prepared {
    /// A complete store whose marker names this format version.
    Existing { marker_version: u32 },
    /// A new store (or an interrupted creation): call [`finish_creation`] once sled's
    /// files and the format key are durable.
    Creating,
}

/// Makes sure `path` is a Habeas store of a format we read with its files in place,
/// starting the creation of a new one in a missing or empty directory, and that no
/// other process has it open.
pub(crate) fn prepare_directory(path: &Path) -> Result<Prepared, StoreError> {
    match fs::metadata(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(path).map_err(|source| StoreError::io(path, source))?;
            let parent = path
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            sync_directory(parent)?;
            begin_creation(path)
        }
        Err(source) => Err(StoreError::io(path, source)),
        Ok(metadata) if !metadata.is_dir() => Err(crate::error::not_a_store(path)),
        Ok(_) => {
            let names = entry_names(path)?;
            if names.iter().any(|name| name == MARKER_FILE) {
                let marker_version = check_marker(path)?;
                check_sled_files(path)?;
                check_not_locked(path)?;
                return Ok(Prepared::Existing { marker_version });
            }
            if names.is_empty() {
                return begin_creation(path);
            }
            let interrupted_creation = names.iter().any(|name| name == MARKER_TEMP_FILE)
                && names
                    .iter()
                    .all(|name| name == MARKER_TEMP_FILE || is_sled_file_name(name));
            if interrupted_creation {
                check_not_locked(path)?;
                return begin_creation(path);
            }
            Err(crate::error::not_a_store(path))
        }
    }
}

/// The names sled 0.34 creates in its directory.
fn is_sled_file_name(name: &str) -> bool {
    matches!(name, "db" | "conf" | "blobs") || name.starts_with("snap.")
}

fn entry_names(path: &Path) -> Result<Vec<String>, StoreError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(path).map_err(|source| StoreError::io(path, source))? {
        let entry = entry.map_err(|source| StoreError::io(path, source))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    Ok(names)
}

fn damaged(path: &Path, reason: String) -> StoreError {
    StoreError::Damaged {
        store: StoreError::location(path),
        reason,
    }
}

/// Reads the marker's format version; refuses an unreadable marker and a newer format.
fn check_marker(path: &Path) -> Result<u32, StoreError> {
    let marker_path = path.join(MARKER_FILE);
    let metadata =
        fs::metadata(&marker_path).map_err(|source| StoreError::io(&marker_path, source))?;
    if !metadata.is_file() {
        return Err(damaged(
            path,
            format!("its marker {} is not a regular file", marker_path.display()),
        ));
    }
    let bytes = fs::read(&marker_path).map_err(|source| StoreError::io(&marker_path, source))?;
    let text = String::from_utf8_lossy(&bytes);
    let found = text
        .strip_prefix(MARKER_PREFIX)
        .and_then(|version| version.trim().parse::<u32>().ok())
        .ok_or_else(|| {
            let shown: String = text.chars().take(40).collect();
            damaged(
                path,
                format!(
                    "its marker {} does not read \"{MARKER_PREFIX}<number>\" (it holds {} bytes \
                     starting {shown:?})",
                    marker_path.display(),
                    bytes.len()
                ),
            )
        })?;
    check_format(path, found)?;
    Ok(found)
}

/// A complete store has sled's `db` and `conf` as non-empty regular files (and `blobs`,
/// if present, as a directory). sled itself would silently start an empty database in
/// place of a missing or empty `db`, and silently rewrite a missing or short `conf`.
fn check_sled_files(path: &Path) -> Result<(), StoreError> {
    for (name, min_len) in [("db", 1), ("conf", SLED_CONF_MIN_LEN)] {
        let file = path.join(name);
        let metadata = match fs::metadata(&file) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(damaged(
                    path,
                    format!("sled's {name} file {} is missing", file.display()),
                ));
            }
            Err(source) => return Err(StoreError::io(&file, source)),
        };
        if !metadata.is_file() {
            return Err(damaged(
                path,
                format!(
                    "sled's {name} file {} is not a regular file",
                    file.display()
                ),
            ));
        }
        if metadata.len() < min_len {
            return Err(damaged(
                path,
                format!(
                    "sled's {name} file {} is truncated ({} bytes)",
                    file.display(),
                    metadata.len()
                ),
            ));
        }
    }
    let blobs = path.join("blobs");
    match fs::metadata(&blobs) {
        Ok(metadata) if !metadata.is_dir() => Err(damaged(
            path,
            format!("sled's {} is not a directory", blobs.display()),
        )),
        Ok(_) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::io(&blobs, source)),
    }
}

/// Refuses a format version newer than this build's.
pub(crate) fn check_format(path: &Path, found: u32) -> Result<(), StoreError> {
    if found > FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            store: StoreError::location(path),
            found,
            supported: FORMAT_VERSION,
        });
    }
    Ok(())
}

/// The error for sled failing to open the database of the store at `path`.
pub(crate) fn sled_open_error(path: &Path, error: sled::Error) -> StoreError {
    match error {
        error if is_sled_lock_error(&error) => StoreError::Locked {
            store: StoreError::location(path),
        },
        sled::Error::Corruption { at, .. } => damaged(
            path,
            match at {
                Some(offset) => format!("sled found corrupt data at {offset} in its database"),
                None => "sled found corrupt data in its database or its conf file".to_owned(),
            },
        ),
        sled::Error::Unsupported(why) => damaged(path, format!("sled cannot open it: {why}")),
        sled::Error::Io(source) => StoreError::io(path, source),
        other => crate::error::backend(other),
    }
}

/// Writes the marker under its temporary name: the directory is now a store being
/// created.
fn begin_creation(path: &Path) -> Result<Prepared, StoreError> {
    write_marker_temp(path)?;
    sync_directory(path)?;
    Ok(Prepared::Creating)
}

/// Renames the temporary marker into place: the store is complete. Call only when
/// sled's files and the format key are durable.
pub(crate) fn finish_creation(path: &Path) -> Result<(), StoreError> {
    rename_marker_temp(path)
}

/// Replaces the marker with one naming this build's format (after an upgrade),
/// atomically: temporary file, fsync, rename, fsync of the directory.
pub(crate) fn rewrite_marker(path: &Path) -> Result<(), StoreError> {
    write_marker_temp(path)?;
    rename_marker_temp(path)
}

fn write_marker_temp(path: &Path) -> Result<(), StoreError> {
    let temp_path = path.join(MARKER_TEMP_FILE);
    let mut file = File::create(&temp_path).map_err(|source| StoreError::io(&temp_path, source))?;
    file.write_all(format!("{MARKER_PREFIX}{FORMAT_VERSION}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| StoreError::io(&temp_path, source))
}

fn rename_marker_temp(path: &Path) -> Result<(), StoreError> {
    let temp_path = path.join(MARKER_TEMP_FILE);
    let marker_path = path.join(MARKER_FILE);
    fs::rename(&temp_path, &marker_path).map_err(|source| StoreError::io(&marker_path, source))?;
    sync_directory(path)
}

/// fsyncs a directory so that entries created or renamed in it survive power loss.
pub(crate) fn sync_directory(path: &Path) -> Result<(), StoreError> {
    File::open(path)
        .and_then(|directory| directory.sync_all())
        .map_err(|source| StoreError::io(path, source))
}
