//! sled's errors as the store's: a full device is `DiskFull` wherever sled reports it.

use std::path::Path;

use habeas_store::{StoreError, is_disk_full};

/// Wraps a sled error of the store at `path`; a full device becomes
/// [`StoreError::DiskFull`]. Once sled failed to write its log it keeps that error
/// and returns it from later writes and from reads that need to write (sled
/// consolidates pages on read), so every sled call goes through here.
pub(crate) fn from_sled(path: &Path, error: sled::Error) -> StoreError {
    match error {
        sled::Error::Io(source) if is_disk_full(&source) => StoreError::DiskFull {
            location: StoreError::location(path),
        },
        other => backend(other),
    }
}

/// A sled error that is none of the store's own kinds.
pub(crate) fn backend(error: sled::Error) -> StoreError {
    StoreError::Backend {
        backend: "sled",
        source: Box::new(error),
    }
}

/// The refusal of a directory that holds something other than a store.
pub(crate) fn not_a_store(path: &Path) -> StoreError {
    StoreError::NotAHabeasStore {
        store: StoreError::location(path),
        reason: "it is not empty and has no HABEAS_STORE marker; pass an empty or missing \
                 directory to create a new store"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn a_full_device_is_recognised_in_what_sled_hands_back() {
        // What sled hands back for an error it stored and cloned: the kind survives,
        // the OS error number does not.
        let cloned = io::Error::new(io::ErrorKind::StorageFull, "Os { code: 28, .. }");
        let error = from_sled(Path::new("/srv/store"), sled::Error::Io(cloned));
        assert!(
            matches!(&error, StoreError::DiskFull { location } if location == "/srv/store"),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(
            text.starts_with("no space left on device while writing /srv/store: free disk space"),
            "{text}"
        );
    }
}
