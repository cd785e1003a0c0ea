//! Who holds a data directory open.
//!
//! The embedded store (sled) lets one process at a time open a data
//! directory: a second `habeas status` while another runs finds it locked.
//! The lock itself cannot say who holds it, so whoever opens a directory
//! writes a small note beside it, [`HOLDER_FILE`]: its process id, what it is
//! doing and since when. A process that finds the directory locked reads the
//! note ([`holder`]) to say whom it is waiting for. The note is written once
//! the locks are taken and removed before they are released (when the
//! tracker drops); a note left by a process that is no longer running (it
//! was killed) is ignored, so a note read names the process holding the
//! directory or none.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::open::Location;

/// The note in a data directory naming the process that last opened it.
pub const HOLDER_FILE: &str = "HOLDER";

/// A process that opened a data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Its process id.
    pub pid: u32,
    /// What it was doing, as its front end put it (e.g. "habeas status").
    pub command: Option<String>,
    /// When it opened the directory.
    pub since: DateTime<Utc>,
}

impl fmt::Display for Holder {
    /// "pid 4242, `habeas status`, since 2021-11-01 10:00:00Z".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {}", self.pid)?;
        if let Some(command) = &self.command {
            write!(f, ", `{command}`")?;
        }
        write!(f, ", since {}", self.since.format("%Y-%m-%d %H:%M:%SZ"))
    }
}

/// How a server's note begins: "habeas serve on URL", so that a command
/// finding the store held can say where the server answers.
pub const SERVER_PREFIX: &str = "habeas serve on ";

impl Holder {
    /// The address of the server holding the store, when the holder is a
    /// `habeas serve` that named where it listens.
    pub fn server_url(&self) -> Option<&str> {
        self.command
            .as_deref()?
            .strip_prefix(SERVER_PREFIX)
            .map(str::trim)
            .filter(|url| !url.is_empty())
    }

    fn to_text(&self) -> String {
        format!(
            "pid {}\nsince {}\ncommand {}\n",
            self.pid,
            self.since.to_rfc3339(),
            self.command.as_deref().unwrap_or_default()
        )
    }

    fn from_text(text: &str) -> Option<Holder> {
        let field = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        };
        Some(Holder {
            pid: field("pid")?.trim().parse().ok()?,
            since: DateTime::parse_from_rfc3339(field("since")?.trim())
                .ok()?
                .with_timezone(&Utc),
            command: field("command")
                .map(str::trim)
                .filter(|command| !command.is_empty())
                .map(str::to_owned),
        })
    }
}

/// This process's note in a data directory; dropping it removes the note.
#[derive(Debug)]
pub(crate) struct HolderNote {
    path: PathBuf,
}

impl Drop for HolderNote {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether a process with this id is running, where the system can tell
/// (Linux's /proc); elsewhere every note is taken at its word.
fn running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// Notes this process as the holder of the data directory `directory`.
/// Best effort: a directory that cannot be written (a read-only copy) is
/// still read, only without the note.
pub(crate) fn record(directory: &Path, command: Option<&str>) -> Option<HolderNote> {
    let holder = Holder {
        pid: std::process::id(),
        command: command.map(|command| command.replace('\n', " ")),
        since: Utc::now(),
    };
    let temporary = directory.join(format!("{HOLDER_FILE}.{}", holder.pid));
    let path = directory.join(HOLDER_FILE);
    match std::fs::write(&temporary, holder.to_text())
        .and_then(|()| std::fs::rename(&temporary, &path))
    {
        Ok(()) => Some(HolderNote { path }),
        Err(_) => {
            let _ = std::fs::remove_file(&temporary);
            None
        }
    }
}

/// The process holding the store at `location` open, when it left a note
/// and is still running.
pub fn holder(location: &Location) -> Option<Holder> {
    let text = std::fs::read_to_string(location.directory()?.join(HOLDER_FILE)).ok()?;
    Holder::from_text(&text).filter(|holder| running(holder.pid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_names_this_process_and_reads_back() {
        let directory = tempfile::tempdir().expect("temporary directory");
        let location = Location::from(directory.path());
        assert_eq!(holder(&location), None);
        let note = record(directory.path(), Some("habeas status\nrong-chhun"));
        let found = holder(&location).expect("a note");
        assert_eq!(found.pid, std::process::id());
        assert_eq!(found.command.as_deref(), Some("habeas status rong-chhun"));
        assert!(
            found.to_string().starts_with(&format!(
                "pid {}, `habeas status rong-chhun`, since ",
                found.pid
            )),
            "{found}"
        );
        drop(note);
        assert_eq!(holder(&location), None, "removed with the tracker");
        assert_eq!(found.server_url(), None);
        let note = record(
            directory.path(),
            Some("habeas serve on http://127.0.0.1:8080"),
        );
        assert_eq!(
            holder(&location).expect("a note").server_url(),
            Some("http://127.0.0.1:8080")
        );
        drop(note);
        let note = record(directory.path(), None);
        assert_eq!(holder(&location).expect("a note").command, None);
        // A note whose process is gone (killed before it could remove it)
        // names no one.
        std::mem::forget(note);
        let gone = Holder {
            pid: u32::MAX - 1,
            command: None,
            since: Utc::now(),
        };
        std::fs::write(directory.path().join(HOLDER_FILE), gone.to_text()).expect("write");
        if Path::new("/proc/self").exists() {
            assert_eq!(holder(&location), None);
        }
    }
}
