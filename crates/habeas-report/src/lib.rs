//! Habeas reports: what a documentation officer attaches to a letter to the UN
//! Working Group on Arbitrary Detention, and what a campaign publishes.
//!
//! The application facade assembles the input models of [`model`] from the
//! store ([`model::PersonReport`], [`model::Roster`], with [`model::ReportMeta`]
//! saying whether the data is example data and whether this is the public
//! variant) and calls a renderer:
//!
//! | | person | roster |
//! |---|---|---|
//! | Markdown | [`markdown::person_markdown`] | [`markdown::roster_markdown`] |
//! | HTML (self-contained, SVG timeline) | [`html::person_html`] | [`html::roster_html`] |
//! | JSON (versioned schema, `SCHEMA.md`) | [`json::person_json`] | [`json::roster_json`] |
//! | CSV (RFC 4180) | | [`csv::roster_csv`] |
//!
//! Markdown and HTML walk a report's sections once (`person_sections`,
//! `roster_sections`), each through its own writer of the same small
//! interface (`report_writer`): headings, fields, lists, tables, citations.
//!
//! [`roster_figures::roster_figures`] computes the figures a campaign quotes
//! ("N people currently detained, median time in custody M days") as
//! [`roster_figures::RosterFigures`].
//!
//! Rules every output keeps:
//! - every fact cites numbered sources, and a fact without a checkable source
//!   is flagged where it is shown;
//! - partial dates are printed at the precision they were given, and figures
//!   that depend on them are ranges, never invented exact counts;
//! - a person report says beside its as-of day how old its newest
//!   information is ("last information received"), and warns when the as-of
//!   day lies long after it, so an old status is not read as confirmed;
//! - the roster links each name to the person's report, `SLUG.html` in the
//!   same folder, and tells namesakes apart;
//! - the public variant leaves out restricted facts (and their sources),
//!   notes and the names of recorders, even when the input still holds them;
//! - every user-supplied string is escaped for its format ([`escape`]).
//!
//! This crate does no I/O: renderers return `String`s.

pub mod csv;
pub mod escape;
pub mod html;
pub mod json;
pub mod markdown;
pub mod model;
pub mod roster_figures;

mod arithmetic;
mod audit;
pub mod describe;
mod last_information;
mod notice;
mod person_sections;
mod person_view;
mod report_writer;
mod roster_sections;
mod roster_view;
mod sources;
mod svg;
mod timeline_layout;
