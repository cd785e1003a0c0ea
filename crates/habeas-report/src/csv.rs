//! The roster as CSV, written by hand: one header row, one row per person,
//! CRLF line ends and RFC 4180 quoting (see [`crate::escape::csv_field`]).
//!
//! Each row repeats the view and the example-data mark, so that a row copied
//! out of the file still says when it was true and whether it is real.

use crate::escape::{csv_field, csv_text};
use crate::model::Roster;
use crate::roster_view;

/// The header row, in column order.
pub const ROSTER_COLUMNS: [&str; 22] = [
    "example_data",
    "public",
    "as_of",
    "known_at",
    "person_id",
    "name",
    "aliases",
    "country",
    "headline",
    "custody_since",
    "facility",
    "days_in_custody_now_min",
    "days_in_custody_now_max",
    "days_in_custody_total_min",
    "days_in_custody_total_max",
    "slug",
    "born",
    "charges",
    "sentence",
    "last_fact",
    "possibly",
    "release_overdue",
];

/// Renders a roster as CSV.
pub fn roster_csv(roster: &Roster) -> String {
    let mut out = ROSTER_COLUMNS.join(",");
    out.push_str("\r\n");
    let example = if roster.meta.example_data {
        "EXAMPLE DATA"
    } else {
        ""
    };
    let known_at = roster
        .view
        .known_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for view in roster_view::rows(roster) {
        let row = view.row;
        let optional = |value: Option<String>| value.unwrap_or_default();
        let fields = [
            csv_field(example),
            csv_field(if roster.meta.public { "true" } else { "false" }),
            csv_field(&roster.view.as_of.to_string()),
            csv_field(&known_at),
            csv_field(&row.person_id.to_string()),
            csv_text(&row.name),
            csv_text(&row.aliases.join("; ")),
            csv_text(row.country.as_deref().unwrap_or_default()),
            csv_field(row.headline.as_str()),
            csv_field(&optional(row.custody_since.map(|d| d.to_string()))),
            csv_text(row.facility.as_deref().unwrap_or_default()),
            csv_field(&optional(
                row.days_in_custody_now.map(|d| d.min.to_string()),
            )),
            csv_field(&optional(
                row.days_in_custody_now
                    .and_then(|d| d.max)
                    .map(|max| max.to_string()),
            )),
            csv_field(&optional(
                row.days_in_custody_total.map(|d| d.min.to_string()),
            )),
            csv_field(&optional(
                row.days_in_custody_total
                    .and_then(|d| d.max)
                    .map(|max| max.to_string()),
            )),
            csv_text(&row.slug),
            csv_field(&optional(row.born.map(|d| d.to_string()))),
            csv_text(view.charges.as_deref().unwrap_or_default()),
            csv_text(view.sentence.as_deref().unwrap_or_default()),
            csv_field(&optional(row.last_fact.map(|d| d.to_string()))),
            csv_field(&optional(
                row.possibly
                    .filter(|possibly| *possibly != row.headline)
                    .map(|possibly| possibly.to_string()),
            )),
            csv_field(if row.release_overdue { "true" } else { "false" }),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}
