//! Importing case files in bulk into Habeas.
//!
//! Two inputs, both documented in `FORMAT.md` beside this crate:
//!
//! - **JSON lines of commands** ([`run_jsonl::import_jsonl`]): one command per
//!   line, `{"person": "Rong Chhun", "action": "record_detention", "fields": {…}}`,
//!   the same actions and fields as [`habeas_domain::command::Action`]. A
//!   `register_person` line may give its person a `person_key` that later
//!   lines name as `"@key"`; statements name the people they concern by name,
//!   slug, id or key. [`jsonl`] reads a line, [`unknown_fields`] refuses fields
//!   that would be silently lost.
//! - **Spreadsheets (CSV) through a column mapping** ([`run_csv::import_csv`]):
//!   a TOML [`mapping::Mapping`] says which columns make the person and each
//!   event, how to read dates ([`date_text`]), sentence terms ([`term_text`])
//!   and URLs ([`url_text`]), and which cell texts mean which kind
//!   ([`spec`]). [`csv_plan::RowPlanner`] turns a row into actions; each row is
//!   recorded as one new person and their case, all or nothing.
//!
//! - **A `habeas export`** ([`restore::restore_export`]): envelopes, one per line,
//!   restored verbatim into an empty store after the whole file's hash chain is
//!   verified (recognised by its first line's `position`, `hash` and `prev_hash`).
//!
//! A line or row that cannot be understood, or that the rules refuse, is a
//! [`reason::Reason`] in the [`report::Report`], with its line or row number;
//! the others are imported. [`error::ImportError`] is kept for what stops an
//! import as a whole (a mapping that cannot be used, a store failure).
//!
//! Re-importing is safe: a spreadsheet row's command id is derived from its
//! cells ([`ids`]), a JSON line may carry its own, and a command seen before
//! records nothing new. A row imported before with a mapping that read less
//! gets the kinds of facts its person does not have yet (`reimport`). A dry run ([`config::ImportConfig::dry_run`]) runs the
//! same import against an in-memory copy of the store and writes nothing.

pub mod config;
pub mod csv_plan;
mod csv_text;
pub mod date_text;
pub mod error;
pub mod ids;
pub mod jsonl;
pub mod mapping;
pub mod reason;
mod reimport;
pub mod report;
pub mod restore;
pub mod run_csv;
pub mod run_jsonl;
mod scratch;
pub mod spec;
pub mod term_text;
pub mod unknown_fields;
pub mod url_text;
