//! Where a store lives, as users write it, and opening a [`Tracker`] there.
//!
//! Every front end (the CLI's `--db`/`HABEAS_DB`, the server's `--db`) takes
//! one text and hands it to [`Location::parse`] and [`open`]: a path is a data
//! directory kept by sled (the embedded default); `postgres://…` (or
//! `postgresql://…`) is a database server.
//!
//! On PostgreSQL the log is shared by every process; the read models are the
//! same sled read models as for a data directory, kept per machine in the
//! user's cache directory under the store's identity
//! (`<cache>/postgres/<store id>/slot-<n>`) and brought up to date from the
//! shared log before every answer that uses them (see ARCHITECTURE.md for why
//! not tables in the database). A process that finds every slot held by
//! another process uses a temporary one.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use habeas_projections::{ProjectionConfig, Projections};
use habeas_store::{StoreError, Upcaster};
use habeas_store_postgres::{PostgresConfig, PostgresStore};
use habeas_store_sled::{SledConfig, SledStore};

use crate::codec;
use crate::error::TrackerError;
use crate::tracker::Tracker;

/// The folder of a data directory that holds the event store.
pub const EVENTS_DIR: &str = "events";

/// The folder of a data directory that holds the read models: derived from
/// the log, rebuilt on demand, safe to delete.
pub const PROJECTIONS_DIR: &str = "projections";

/// Where a store lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A data directory on this machine: `events/` (sled) and `projections/`.
    Directory(PathBuf),
    /// A PostgreSQL database, by its connection URL (which may hold a password:
    /// [`Location`]'s `Display` leaves it out).
    Postgres(String),
}

impl Location {
    /// Reads what a user wrote: a `postgres://` or `postgresql://` URL, else a
    /// path.
    pub fn parse(text: &str) -> Location {
        let lower = text.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Location::Postgres(text.trim().to_owned())
        } else {
            Location::Directory(PathBuf::from(text))
        }
    }

    /// The data directory, for a store kept on this machine.
    pub fn directory(&self) -> Option<&Path> {
        match self {
            Location::Directory(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Location {
        Location::Directory(path)
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Location {
        Location::Directory(path.to_owned())
    }
}

impl fmt::Display for Location {
    /// The location as error messages and logs may show it: a URL's password is
    /// replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Directory(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({self})")
    }
}

/// `scheme://user:secret@host/db` → `scheme://user:***@host/db`; anything
/// else unchanged.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _secret)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// How [`open`] treats a location.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpenOptions {
    /// Create the store when there is none. Only commands that are meant to
    /// make a store (`init`, `demo`, a restore into a new store) set it: a
    /// read with a mistyped path must not leave an empty store behind.
    pub create: bool,
    /// Reads return events exactly as stored, old schema versions included.
    /// For exports: a backup must carry the stored bytes the hash chain
    /// covers, or restoring it would find every upcast event "altered".
    pub stored_form: bool,
    /// What the opening process is doing, e.g. "habeas status": noted beside
    /// the store ([`crate::holder`]) for another process that finds it locked.
    pub command: Option<String>,
}

/// Opens a tracker on the store at `location`.
///
/// A data directory that holds anything but a store is refused untouched, so
/// `--db ~/Documents` cannot scatter files among a user's own; a missing one
/// is [`TrackerError::NoStore`] unless `options.create` is set. Blocking (sled
/// opens its files): from async code, call it in `spawn_blocking`.
pub fn open(location: &Location, options: OpenOptions) -> Result<Tracker, TrackerError> {
    let upcaster: Option<Arc<dyn Upcaster>> = if options.stored_form {
        None
    } else {
        Some(codec::upcaster())
    };
    match location {
        Location::Directory(path) => {
            let tracker = open_directory(path, options.create, upcaster)?;
            Ok(tracker.holding(crate::holder::record(path, options.command.as_deref())))
        }
        Location::Postgres(url) => open_postgres(location, url, options.create, upcaster),
    }
}

/// How many read-model slots one machine keeps per PostgreSQL store: one per
/// process using the store at once (a server and a few CLI commands); a
/// further process builds a temporary one.
const PROJECTION_SLOTS: u32 = 4;

fn open_postgres(
    location: &Location,
    url: &str,
    create: bool,
    upcaster: Option<Arc<dyn Upcaster>>,
) -> Result<Tracker, TrackerError> {
    let config = PostgresConfig {
        upcaster,
        create,
        ..PostgresConfig::default()
    };
    let Some(store) = PostgresStore::open(url, config)? else {
        return Err(TrackerError::NoStore {
            location: location.to_string(),
        });
    };
    let projections = postgres_projections(&store)?;
    Ok(Tracker::on_database(store, projections))
}

/// The first free read-model slot of this store in the user's cache
/// directory, or a temporary one.
fn postgres_projections(store: &PostgresStore) -> Result<Projections, TrackerError> {
    let root = std::env::var_os("HABEAS_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("org", "Habeas", "habeas")
                .map(|dirs| dirs.cache_dir().to_owned())
        });
    let Some(root) = root else {
        return Ok(Projections::temporary(ProjectionConfig::default())?);
    };
    let store_dir = root.join("postgres").join(store.store_id().to_string());
    for slot in 0..PROJECTION_SLOTS {
        let path = store_dir.join(format!("slot-{slot}"));
        match Projections::open(&path, ProjectionConfig::default()) {
            Ok(projections) => return Ok(projections),
            Err(habeas_projections::ProjectionError::Store(StoreError::Locked { .. })) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(Projections::temporary(ProjectionConfig::default())?)
}

fn open_directory(
    path: &Path,
    create: bool,
    upcaster: Option<Arc<dyn Upcaster>>,
) -> Result<Tracker, TrackerError> {
    let events = path.join(EVENTS_DIR);
    let is_empty_dir = std::fs::read_dir(path).map(|mut entries| entries.next().is_none());
    let missing = match is_empty_dir {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => true,
        Ok(true) => true,
        Ok(false) if events.is_dir() => false,
        _ => {
            return Err(TrackerError::Store(StoreError::NotAHabeasStore {
                store: StoreError::location(path),
                reason: "the directory is not empty and holds no habeas store (no events/ \
                         folder); pass an empty or missing directory to create a new store"
                    .to_owned(),
            }));
        }
    };
    if missing && !create {
        return Err(TrackerError::NoStore {
            location: StoreError::location(path),
        });
    }
    let config = SledConfig {
        upcaster,
        ..SledConfig::default()
    };
    let store = SledStore::open(events, config)?;
    let projections = Projections::open(path.join(PROJECTIONS_DIR), ProjectionConfig::default())?;
    Ok(Tracker::new(Arc::new(store), projections))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_read_as_users_write_them() {
        let cases = [
            ("./cases", Location::Directory("./cases".into())),
            ("/srv/habeas", Location::Directory("/srv/habeas".into())),
            (
                "postgres-notes",
                Location::Directory("postgres-notes".into()),
            ),
            (
                "postgres://habeas@db.example/cases",
                Location::Postgres("postgres://habeas@db.example/cases".into()),
            ),
            (
                "PostgreSQL://h/db",
                Location::Postgres("PostgreSQL://h/db".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Location::parse(text), expected, "{text}");
        }
    }

    #[test]
    fn a_password_is_never_shown() {
        let cases = [
            (
                "postgres://habeas:s3cret@db.example:5432/cases?sslmode=require",
                "postgres://habeas:***@db.example:5432/cases?sslmode=require",
            ),
            (
                "postgres://habeas@db.example/cases",
                "postgres://habeas@db.example/cases",
            ),
            ("postgres://u:p:q@h/d", "postgres://u:***@h/d"),
            ("postgres://h/d", "postgres://h/d"),
        ];
        for (url, shown) in cases {
            let location = Location::parse(url);
            assert_eq!(location.to_string(), shown);
            assert_eq!(format!("{location:?}"), format!("Location({shown})"));
        }
    }

    #[test]
    fn a_missing_directory_is_created_only_when_asked() {
        let root = tempfile::tempdir().expect("temporary directory");
        let path = root.path().join("cases").join("stroe");
        let location = Location::from(path.as_path());
        let refused = open(&location, OpenOptions::default()).err();
        assert!(
            matches!(&refused, Some(TrackerError::NoStore { .. })),
            "{refused:?}"
        );
        assert!(
            !path.exists(),
            "a refused open left {} behind",
            path.display()
        );
        let created = OpenOptions {
            create: true,
            ..OpenOptions::default()
        };
        drop(open(&location, created).expect("create"));
        drop(open(&location, OpenOptions::default()).expect("reopen"));
    }
}
