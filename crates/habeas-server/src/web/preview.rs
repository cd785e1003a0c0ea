//! A dry run row by row: every line or data row of the uploaded file, what
//! it holds, and whether it was accepted or rejected (with the reason) and
//! what to check (warnings). The report of `habeas-import` lists only the
//! rows it rejected or warned about; the others are the accepted ones, so
//! the file is read again here, numbered as the import numbers it (a JSON
//! line by physical line; a spreadsheet row as a spreadsheet shows it, the
//! header being row 1).

use habeas_import::report::{Location, Report};

use crate::upload::{Format, Upload};

/// The most rows a preview shows; the rejected ones are listed in full
/// above it anyway.
pub const MAX_ROWS: usize = 1000;

/// The longest summary of a row, in characters.
const MAX_SUMMARY: usize = 160;

/// One line or row of a preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewRow {
    /// Where it is in the file, as the report says it.
    pub at: Location,
    /// Its cells (or its line), shortened.
    pub summary: String,
    /// Why it was rejected, if it was.
    pub rejected: Option<String>,
    /// What to check in it.
    pub warnings: Vec<String>,
}

fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(MAX_SUMMARY).collect();
    if text.chars().count() > MAX_SUMMARY {
        out.push('…');
    }
    out
}

/// Where each line or data row of `upload` is, with its summary.
fn located(upload: &Upload) -> Vec<(Location, String)> {
    match upload.format {
        Format::JsonLines => String::from_utf8_lossy(&upload.data)
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(idx, line)| (Location::Line(idx + 1), shorten(line.trim())))
            .collect(),
        Format::Csv => {
            let delimiter = upload
                .read_mapping()
                .ok()
                .flatten()
                .map_or(b',', |m| m.csv.delimiter);
            let data = upload
                .data
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(&upload.data);
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .from_reader(data);
            reader
                .records()
                .enumerate()
                .map(|(idx, record)| {
                    let row = idx + 2;
                    let summary = match record {
                        Ok(record) => shorten(
                            &record
                                .iter()
                                .map(str::trim)
                                .filter(|cell| !cell.is_empty())
                                .collect::<Vec<_>>()
                                .join(" · "),
                        ),
                        Err(_) => String::new(),
                    };
                    // The line is matched by row only: the report's line
                    // differs when a cell holds a line break.
                    (Location::Row { row, line: row }, summary)
                })
                .collect()
        }
    }
}

fn same_place(a: &Location, b: &Location) -> bool {
    match (a, b) {
        (Location::Line(a), Location::Line(b)) => a == b,
        (Location::Row { row: a, .. }, Location::Row { row: b, .. }) => a == b,
        _ => false,
    }
}

/// The rows of `upload` with what `report` says of each, at most
/// [`MAX_ROWS`], and how many more there are.
pub fn preview(upload: &Upload, report: &Report) -> (Vec<PreviewRow>, usize) {
    let all = located(upload);
    let n_more = all.len().saturating_sub(MAX_ROWS);
    let rows = all
        .into_iter()
        .take(MAX_ROWS)
        .map(|(at, summary)| {
            let rejection = report.rejections.iter().find(|r| same_place(&r.at, &at));
            PreviewRow {
                at: rejection.map_or(at, |r| r.at),
                summary,
                rejected: rejection.map(|r| r.reason.to_string()),
                warnings: report
                    .warnings
                    .iter()
                    .filter(|w| same_place(&w.at, &at))
                    .map(|w| w.message.clone())
                    .collect(),
            }
        })
        .collect();
    (rows, n_more)
}
