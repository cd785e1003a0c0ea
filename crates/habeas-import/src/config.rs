//! How an import runs: who records, when, and whether anything is written.

use chrono::{DateTime, Utc};

/// How to run an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportConfig {
    /// Who is recording, kept with every event.
    pub recorded_by: String,
    /// When the commands are issued: the recording day against which "no date
    /// in the future" is checked. Every line or row of one import shares it.
    pub at: DateTime<Utc>,
    /// Decide every line or row exactly as an import would, but write nothing.
    pub dry_run: bool,
}
