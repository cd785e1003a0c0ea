//! Why a line or a row was not imported. A rejection is a value in the report,
//! not an error: the other lines and rows go on.

use habeas_domain::error::DomainError;

use crate::date_text::DateTextError;
use crate::term_text::TermTextError;
use crate::url_text::UrlTextError;

/// Why one line or row was rejected. Each message names the offending value
/// and says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// A JSON line that does not parse.
    #[error("not valid JSON ({detail}): write one JSON object per line")]
    NotJson {
        /// The parser's message.
        detail: String,
    },
    /// A JSON line that is not an object.
    #[error(
        "a JSON {found} is not a command: write one object per line, with \"action\" and \"fields\""
    )]
    NotAnObject {
        /// What the line holds instead ("array", "string" …).
        found: &'static str,
    },
    /// A key a line may not have.
    #[error(
        "unknown key {key:?}: a line has only the keys action, fields, person, person_key and command_id"
    )]
    UnknownKey {
        /// The key.
        key: String,
    },
    /// A key that is missing or has the wrong kind of value.
    #[error("{key:?} {problem}")]
    BadKey {
        /// The key.
        key: &'static str,
        /// What is wrong and what to do.
        problem: String,
    },
    /// An action Habeas does not have.
    #[error("unknown action {action:?}{}: see FORMAT.md for the list of actions", suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default())]
    UnknownAction {
        /// The action given.
        action: String,
        /// The closest known action.
        suggestion: Option<String>,
    },
    /// The fields do not make the action's payload.
    #[error(
        "the fields of {action} cannot be read: {detail} (see FORMAT.md for the fields of each action)"
    )]
    BadFields {
        /// The action.
        action: String,
        /// The reader's message (a bad date names the date).
        detail: String,
    },
    /// Fields the action does not have (they would be silently lost).
    #[error("{} {} for {action}: check the spelling or remove {} (see FORMAT.md)", if fields.len() == 1 { "unknown field" } else { "unknown fields" }, fields.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", "), if fields.len() == 1 { "it" } else { "them" })]
    UnknownFields {
        /// The action.
        action: String,
        /// The fields not recognised, with their path (`sources[0].link`).
        fields: Vec<String>,
    },
    /// A person reference that matches no one (or several people).
    #[error("{detail}")]
    UnknownPerson {
        /// The resolver's message, with suggestions.
        detail: String,
    },
    /// A person key registered earlier in the file whose registration failed.
    #[error(
        "\"@{key}\" names the person registered on line {line}, which was rejected: fix that line first"
    )]
    KeyRejected {
        /// The key.
        key: String,
        /// The registration's line.
        line: usize,
    },
    /// A person key used twice.
    #[error("person_key {key:?} is already used on line {line}: give each new person its own key")]
    KeyTaken {
        /// The key.
        key: String,
        /// Where it was first used.
        line: usize,
    },
    /// A cell that must have a value is empty.
    #[error("{column} is empty: {hint}")]
    MissingCell {
        /// The column.
        column: String,
        /// Why it is needed.
        hint: &'static str,
    },
    /// A date cell that cannot be read.
    #[error("{column}: {source}")]
    BadDate {
        /// The column.
        column: String,
        /// What is wrong.
        source: DateTextError,
    },
    /// A term cell that cannot be read.
    #[error("{column}: {source}")]
    BadTerm {
        /// The column.
        column: String,
        /// What is wrong.
        source: TermTextError,
    },
    /// A URL cell (or a piece of one) that is not a web address.
    #[error("{column}: {source}")]
    BadUrl {
        /// The column.
        column: String,
        /// What is wrong.
        source: UrlTextError,
    },
    /// A cell whose value the mapping's value map does not list.
    #[error(
        "{column} {value:?} is not in [{table}] of the mapping ({known}): add it there with the kind it means"
    )]
    Unmapped {
        /// The column.
        column: String,
        /// The cell.
        value: String,
        /// The mapping table, e.g. `detained.kind.map`.
        table: String,
        /// The values the map knows, comma-separated.
        known: String,
    },
    /// A status that says released, with no release date.
    #[error(
        "{status_column} {status:?} says the person was released, but {date_column} is empty: add the release date (a month or a year is enough) and import the row again"
    )]
    ReleaseUndated {
        /// The status column.
        status_column: String,
        /// The status.
        status: String,
        /// The release date column.
        date_column: String,
    },
    /// A release date with a status that says the person is still held.
    #[error(
        "{date_column} {date:?} says the person was released, but {status_column} {status:?} says they were not: correct one of them"
    )]
    ReleaseContradicted {
        /// The release date column.
        date_column: String,
        /// The date cell.
        date: String,
        /// The status column.
        status_column: String,
        /// The status.
        status: String,
    },
    /// A row with more cells than the header has columns.
    #[error(
        "the row has {n_cells} cells but the header has {n_columns} columns: look for a delimiter inside a cell that is not quoted"
    )]
    TooManyCells {
        /// Cells in the row.
        n_cells: usize,
        /// Columns in the header.
        n_columns: usize,
    },
    /// A row the CSV reader cannot read.
    #[error("the row cannot be read: {detail}")]
    UnreadableRow {
        /// The reader's message.
        detail: String,
    },
    /// The domain's rules refuse the row's events or the line's command.
    #[error("{source}")]
    Refused {
        /// The rule's message (it names the event and its date).
        source: DomainError,
    },
}

impl Reason {
    /// A short stable code for grouping rejections: `bad_date`, `refused` …
    pub fn code(&self) -> &'static str {
        match self {
            Reason::NotJson { .. } => "not_json",
            Reason::NotAnObject { .. } => "not_an_object",
            Reason::UnknownKey { .. } => "unknown_key",
            Reason::BadKey { .. } => "bad_key",
            Reason::UnknownAction { .. } => "unknown_action",
            Reason::BadFields { .. } => "bad_fields",
            Reason::UnknownFields { .. } => "unknown_fields",
            Reason::UnknownPerson { .. } => "unknown_person",
            Reason::KeyRejected { .. } => "key_rejected",
            Reason::KeyTaken { .. } => "key_taken",
            Reason::MissingCell { .. } => "missing_cell",
            Reason::BadDate { .. } => "bad_date",
            Reason::BadTerm { .. } => "bad_term",
            Reason::BadUrl { .. } => "bad_url",
            Reason::Unmapped { .. } => "unmapped_value",
            Reason::ReleaseUndated { .. } => "release_undated",
            Reason::ReleaseContradicted { .. } => "release_contradicted",
            Reason::TooManyCells { .. } => "too_many_cells",
            Reason::UnreadableRow { .. } => "unreadable_row",
            Reason::Refused { source } => match source {
                DomainError::MissingSource { .. } => "no_source",
                _ => "refused",
            },
        }
    }
}
