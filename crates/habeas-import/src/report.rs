//! What an import did: how many rows were imported, which were rejected and
//! why, and what was cleaned on the way. Serialized for `habeas import --json`.

use std::fmt;

use serde::Serialize;

use crate::reason::Reason;

/// Where in the input a rejection or warning belongs.
///
/// JSON lines are counted by physical line, from 1. Spreadsheet rows are
/// numbered as a spreadsheet shows them: the header is row 1, so the first
/// data row is row 2; `line` is the line of the file where the row starts,
/// which differs from the row when a cell holds a line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// A line of a JSON lines file.
    Line(usize),
    /// A row of a spreadsheet.
    Row {
        /// The spreadsheet row (the header is row 1).
        row: usize,
        /// The line of the file where the row starts.
        line: usize,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(line) => write!(f, "line {line}"),
            Location::Row { row, line } if row == line => write!(f, "row {row}"),
            Location::Row { row, line } => write!(f, "row {row} (line {line})"),
        }
    }
}

/// A line or row that was not imported; nothing of it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// Where.
    pub at: Location,
    /// Why.
    #[serde(serialize_with = "serialize_reason")]
    pub reason: Reason,
}

fn serialize_reason<S: serde::Serializer>(
    reason: &Reason,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut out = serializer.serialize_struct("Reason", 2)?;
    out.serialize_field("code", reason.code())?;
    out.serialize_field("message", &reason.to_string())?;
    out.end()
}

/// Something a person should check in a row that was imported (or skipped as
/// imported before), such as a URL whose spaces were removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Where.
    pub at: Location,
    /// What was done or noticed, and what to check.
    pub message: String,
}

/// The result of one import (or dry run).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// True when nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// Lines or data rows read (blank lines not counted).
    pub n_rows: usize,
    /// Lines or rows recorded by this import.
    pub n_imported: usize,
    /// Lines or rows recorded by an earlier import (same command id): nothing
    /// new was written for them.
    pub n_already_imported: usize,
    /// Rows imported before to whose person this import added facts the
    /// mapping now reads (see `reimport`).
    pub n_added_to: usize,
    /// Events written (or, in a dry run, that would have been).
    pub n_events: usize,
    /// Lines or rows not imported, in input order.
    pub rejections: Vec<Rejection>,
    /// Things to check, in input order.
    pub warnings: Vec<Warning>,
    /// Notes on the import as a whole (how the dry run was made).
    pub notes: Vec<String>,
}

impl Report {
    /// Whether every line or row was rejected (and there was at least one).
    pub fn all_rejected(&self) -> bool {
        self.n_rows > 0 && self.rejections.len() == self.n_rows
    }

    /// The rejections grouped by reason code, largest group first.
    pub fn rejections_by_code(&self) -> Vec<(&'static str, Vec<&Rejection>)> {
        let mut groups: Vec<(&'static str, Vec<&Rejection>)> = Vec::new();
        for rejection in &self.rejections {
            let code = rejection.reason.code();
            match groups.iter_mut().find(|(c, _)| *c == code) {
                Some((_, list)) => list.push(rejection),
                None => groups.push((code, vec![rejection])),
            }
        }
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        groups
    }

    pub(crate) fn reject(&mut self, at: Location, reason: Reason) {
        self.rejections.push(Rejection { at, reason });
    }

    pub(crate) fn warn(&mut self, at: Location, message: impl Into<String>) {
        self.warnings.push(Warning {
            at,
            message: message.into(),
        });
    }
}
