//! The crate's one error type: what stops an import as a whole. A line or row
//! that cannot be imported is not an error but a [`crate::reason::Reason`] in
//! the report.

use habeas::error::TrackerError;

/// Why an import could not run (or stopped).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The mapping file cannot be used.
    #[error("the mapping cannot be used: {message}")]
    InvalidMapping {
        /// What is wrong, with its line when the TOML reader knows it.
        message: String,
    },
    /// The mapping names a column the file does not have.
    #[error(
        "{key} names the column {column:?}, which is not in the file's header ({header}): correct the mapping or the header"
    )]
    MissingColumn {
        /// The column.
        column: String,
        /// The mapping key that names it.
        key: String,
        /// The header's columns.
        header: String,
    },
    /// The mapping names a column that appears twice in the header.
    #[error(
        "{key} names the column {column:?}, which appears more than once in the file's header: rename one of them"
    )]
    AmbiguousColumn {
        /// The column.
        column: String,
        /// The mapping key that names it.
        key: String,
    },
    /// The file has no header line.
    #[error("the file has no header line: the first line must name the columns")]
    NoHeader,
    /// The header cannot be read.
    #[error("the header cannot be read: {detail}")]
    BadHeader {
        /// The CSV reader's message.
        detail: String,
    },
    /// A quoted cell is never closed: everything after its opening quote
    /// would be read as one cell (rows and all), so nothing is imported.
    #[error(
        "line {line}: the quote that opens a cell here is never closed, so the rest of the file would be read as one cell: close the quote, or write a quote inside a quoted cell as two (\"\")"
    )]
    UnclosedQuote {
        /// The line of the file where the cell opens.
        line: usize,
    },
    /// The store could not be read before the first row.
    #[error("the store cannot be read: {source}")]
    StoreUnreadable {
        /// The failure.
        source: TrackerError,
    },
    /// A dry run could not copy the store into memory.
    #[error("the dry run cannot copy the store into memory: {detail}")]
    DryRunCopy {
        /// What went wrong.
        detail: String,
    },
    /// The store failed; rows before `at` were imported, the rest were not tried.
    #[error(
        "the store failed at {at}: {source}; what was imported before it stays, and importing the file again skips rows already imported when they have command ids"
    )]
    Store {
        /// The line or row being recorded.
        at: crate::report::Location,
        /// The failure.
        source: TrackerError,
    },
}
