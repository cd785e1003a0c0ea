//! Writing a file that holds a secret: created new (never over another file),
//! readable by its owner only (`0600`) from the first byte, in a directory
//! created `0700`.

use std::io::Write;
use std::path::Path;

use crate::error::SealError;

/// Writes `text` to a new file at `path`, mode `0600`.
pub(crate) fn write_new(path: &Path, text: &str) -> Result<(), SealError> {
    let failed = |source| SealError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(parent).map_err(failed)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            SealError::Exists {
                path: path.to_owned(),
            }
        } else {
            failed(source)
        }
    })?;
    file.write_all(text.as_bytes()).map_err(failed)?;
    file.sync_all().map_err(failed)
}

/// Refuses a secret file that others than its owner may read, as ssh does:
/// a key that was readable by others may have been copied.
pub(crate) fn check_private(path: &Path) -> Result<(), SealError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = std::fs::metadata(path).map_err(|source| SealError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(SealError::TooOpen {
                path: path.to_owned(),
                mode,
            });
        }
    }
    Ok(())
}
