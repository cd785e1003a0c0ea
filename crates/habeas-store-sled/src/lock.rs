//! sled's directory lock: probing it before opening, recognising sled's own lock error,
//! and waiting at close until sled has really let go of it.
//!
//! sled 0.34 takes an exclusive `flock` on its `db` file and keeps it until the last
//! clone of its configuration is dropped. Dropping the last `Db`/`Tree` handle is not
//! enough: a write job already handed to sled's thread pool still holds a clone and
//! releases it a few milliseconds later. A program that closes a database and opens it
//! again right away (a test, a rebuild, a tool editing the files) could then be told
//! the directory is locked by "another process" that is in fact itself. So closing
//! waits, bounded, until the lock can be taken ([`SledLockRelease`]).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fs2::FileExt;

use habeas_store::StoreError;

/// How long a close waits for sled's background jobs to release the lock. They take
/// milliseconds; the bound only matters if another process took the lock right after
/// us, and then waiting longer would not help.
pub const SLED_RELEASE_TIMEOUT: Duration = Duration::from_secs(2);

/// sled takes an exclusive `flock` on its `db` file; probing it ourselves first gives a
/// clear error without sled touching the directory.
pub(crate) fn check_not_locked(path: &Path) -> Result<(), StoreError> {
    let db_path = path.join("db");
    match try_lock(&db_path) {
        Ok(_) => Ok(()),
        Err(error) if is_lock_contended(&error) => Err(StoreError::Locked {
            store: StoreError::location(path),
        }),
        Err(source) => Err(StoreError::io(&db_path, source)),
    }
}

/// Takes and at once releases (closing the file) the lock on `db_path`. A missing file
/// is unlocked.
fn try_lock(db_path: &Path) -> io::Result<()> {
    let file = match File::open(db_path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    file.try_lock_exclusive()
}

fn is_lock_contended(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::WouldBlock
        || error.raw_os_error() == fs2::lock_contended_error().raw_os_error()
}

/// Whether a sled open error is its "could not acquire lock" (another process won the
/// race after our probe). Public for the projections' database, which sled locks alike.
pub fn is_sled_lock_error(error: &sled::Error) -> bool {
    matches!(error, sled::Error::Io(io_error) if io_error.to_string().contains("could not acquire lock"))
}

/// Waits until the sled database in `directory` is no longer locked, at most `timeout`.
/// Returns whether it is free. Call it after dropping every handle to a database this
/// process opened, before anything else may open it.
pub fn wait_for_sled_release(directory: &Path, timeout: Duration) -> bool {
    let db_path = directory.join("db");
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_micros(200);
    loop {
        match try_lock(&db_path) {
            Ok(()) => return true,
            Err(error) if is_lock_contended(&error) && Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(_) => return false,
        }
    }
}

/// Put it as the **last** field of a struct holding a sled database: fields drop in
/// declaration order, so when its turn comes every handle declared before it is gone,
/// and it waits ([`wait_for_sled_release`]) until sled has released the directory.
#[derive(Debug)]
pub struct SledLockRelease {
    directory: PathBuf,
}

impl SledLockRelease {
    /// A release guard for the sled database in `directory`.
    pub fn new(directory: impl Into<PathBuf>) -> SledLockRelease {
        SledLockRelease {
            directory: directory.into(),
        }
    }
}

impl Drop for SledLockRelease {
    fn drop(&mut self) {
        wait_for_sled_release(&self.directory, SLED_RELEASE_TIMEOUT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_database_is_free_when_the_last_handle_has_dropped() {
        let directory = tempfile::tempdir().expect("tempdir");
        for _ in 0..20 {
            let db = sled::open(directory.path()).expect("open");
            for i in 0u32..200 {
                db.insert(i.to_be_bytes(), vec![0u8; 512]).expect("insert");
            }
            db.flush().expect("flush");
            drop(db);
            assert!(wait_for_sled_release(
                directory.path(),
                SLED_RELEASE_TIMEOUT
            ));
            // And sled agrees: it opens again at once.
            drop(sled::open(directory.path()).expect("reopen"));
            assert!(wait_for_sled_release(
                directory.path(),
                SLED_RELEASE_TIMEOUT
            ));
        }
    }

    #[test]
    fn a_database_held_open_is_reported_locked_after_the_timeout() {
        let directory = tempfile::tempdir().expect("tempdir");
        let db = sled::open(directory.path()).expect("open");
        let started = Instant::now();
        assert!(!wait_for_sled_release(
            directory.path(),
            Duration::from_millis(50)
        ));
        assert!(started.elapsed() >= Duration::from_millis(50));
        drop(db);
    }

    #[test]
    fn a_directory_without_a_database_is_free() {
        let directory = tempfile::tempdir().expect("tempdir");
        assert!(wait_for_sled_release(
            &directory.path().join("nothing"),
            Duration::ZERO
        ));
    }
}
