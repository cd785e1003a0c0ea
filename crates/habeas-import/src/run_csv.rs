//! Importing a spreadsheet through a column mapping: each row becomes one new
//! person and their case, recorded all or nothing.

use std::collections::HashMap;

use habeas::error::TrackerError;
use habeas::people::fold;
use habeas::tracker::{Issued, Subject, Tracker};
use habeas_domain::command::Action;
use habeas_domain::id::CommandId;

use crate::config::ImportConfig;
use crate::csv_plan::RowPlanner;
use crate::csv_text::{LineCounter, unclosed_quote};
use crate::error::ImportError;
use crate::ids::{addition_command_id, person_id_for, row_command_id};
use crate::mapping::Mapping;
use crate::reason::Reason;
use crate::reimport::additions;
use crate::report::{Location, Report};
use crate::scratch::workspace;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One data row as read from the file.
struct ReadRow {
    at: Location,
    cells: Result<Vec<String>, Reason>,
}

/// Reads the header and every row, so that the total is known for progress
/// and a header problem stops the import before anything is written.
fn read_rows(data: &[u8], mapping: &Mapping) -> Result<(Vec<String>, Vec<ReadRow>), ImportError> {
    let data = data.strip_prefix(BOM).unwrap_or(data);
    if let Some(line) = unclosed_quote(data, mapping.csv.delimiter) {
        return Err(ImportError::UnclosedQuote { line });
    }
    let mut lines = LineCounter::default();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(mapping.csv.delimiter)
        .flexible(true)
        .from_reader(data);
    let header: Vec<String> = reader
        .headers()
        .map_err(|err| ImportError::BadHeader {
            detail: err.to_string(),
        })?
        .iter()
        .map(str::to_owned)
        .collect();
    if header.iter().all(|name| name.trim().is_empty()) {
        return Err(ImportError::NoHeader);
    }
    let mut rows = Vec::new();
    for (idx, record) in reader.records().enumerate() {
        // The header is the spreadsheet's row 1, so data row idx is row idx + 2.
        let row = idx + 2;
        let read = match record {
            Ok(record) => {
                let line = record
                    .position()
                    .map_or(row, |p| lines.line_at(data, p.byte() as usize));
                let cells: Vec<String> = record.iter().map(str::to_owned).collect();
                let cells = if cells.len() > header.len() {
                    Err(Reason::TooManyCells {
                        n_cells: cells.len(),
                        n_columns: header.len(),
                    })
                } else {
                    Ok(cells)
                };
                ReadRow {
                    at: Location::Row { row, line },
                    cells,
                }
            }
            Err(err) => {
                let line = err
                    .position()
                    .map_or(row, |p| lines.line_at(data, p.byte() as usize));
                ReadRow {
                    at: Location::Row { row, line },
                    cells: Err(Reason::UnreadableRow {
                        detail: err.to_string(),
                    }),
                }
            }
        };
        rows.push(read);
    }
    Ok((header, rows))
}

/// Imports a spreadsheet (CSV) through a column mapping: every row is planned
/// (see [`RowPlanner`]) and recorded as one new person with their events,
/// all or nothing; a row that cannot be understood or allowed is rejected
/// with its row number and the rest go on. A row imported before (same
/// cells under the same column names) records only the kinds of facts its
/// person does not have yet: nothing new with the same mapping, the new
/// facts with a mapping that reads more (see [`crate::reimport`]).
pub async fn import_csv(
    tracker: &Tracker,
    data: &[u8],
    mapping: &Mapping,
    config: &ImportConfig,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<Report, ImportError> {
    let (header, rows) = read_rows(data, mapping)?;
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let planner = RowPlanner::new(mapping, &header_refs)?;
    let (tracker, note) = workspace(tracker, config.dry_run).await?;
    let mut report = Report {
        dry_run: config.dry_run,
        n_rows: rows.len(),
        notes: note.into_iter().collect(),
        ..Report::default()
    };
    // Folded names already registered, to warn about possible duplicates.
    let mut names: HashMap<String, String> = HashMap::new();
    for person in tracker
        .people()
        .await
        .map_err(|source| ImportError::StoreUnreadable { source })?
        .people()
    {
        names.entry(fold(&person.identity.name)).or_insert_with(|| {
            format!(
                "{} ({}), already in the store",
                person.identity.name, person.slug
            )
        });
    }
    let mut seen: HashMap<CommandId, Location> = HashMap::new();
    let total = rows.len() as u64;
    for (done, read) in rows.into_iter().enumerate() {
        progress(done as u64, total);
        let at = read.at;
        let cells = match read.cells {
            Ok(cells) => cells,
            Err(reason) => {
                report.reject(at, reason);
                continue;
            }
        };
        let mut cell_refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        if cell_refs.len() < header.len() {
            report.warn(
                at,
                format!(
                    "the row has {} cells, fewer than the header's {} columns: the missing cells at the end were read as empty",
                    cell_refs.len(),
                    header.len()
                ),
            );
            cell_refs.resize(header.len(), "");
        }
        let plan = match planner.plan(&cell_refs) {
            Ok(plan) => plan,
            Err(reason) => {
                report.reject(at, reason);
                continue;
            }
        };
        let command_id = row_command_id(&header_refs, &cell_refs);
        if let Some(first) = seen.get(&command_id) {
            report.warn(
                at,
                format!("the row repeats {first} exactly: it was imported once"),
            );
            report.n_already_imported += 1;
            continue;
        }
        seen.insert(command_id, at);
        let name = match plan.actions.first() {
            Some(Action::RegisterPerson(registration)) => registration.name.clone(),
            _ => String::new(),
        };
        let subject = Subject::Person(person_id_for(command_id));
        let history = tracker
            .history_of(subject)
            .await
            .map_err(|source| ImportError::Store { at, source })?;
        if !history.is_empty() {
            // Imported before: record what this mapping reads that the
            // person does not have yet.
            let added = additions(&history, plan.actions);
            for difference in added.differences {
                report.warn(at, difference);
            }
            if added.actions.is_empty() {
                report.n_already_imported += 1;
                continue;
            }
            let issued = Issued {
                recorded_by: config.recorded_by.clone(),
                command_id: Some(addition_command_id(command_id, &added.actions)),
                at: config.at,
            };
            match tracker.execute_all(subject, added.actions, &issued).await {
                Ok(recorded) => {
                    report.n_added_to += 1;
                    report.n_events += recorded.event_ids.len();
                    for warning in plan.warnings {
                        report.warn(at, warning);
                    }
                }
                Err(TrackerError::Rejected(source)) => {
                    report.reject(at, Reason::Refused { source });
                }
                Err(source) => return Err(ImportError::Store { at, source }),
            }
            continue;
        }
        let issued = Issued {
            recorded_by: config.recorded_by.clone(),
            command_id: Some(command_id),
            at: config.at,
        };
        match tracker.execute_all(subject, plan.actions, &issued).await {
            Ok(recorded) => {
                if recorded.already_applied {
                    report.n_already_imported += 1;
                } else {
                    report.n_imported += 1;
                    report.n_events += recorded.event_ids.len();
                    if let Some(other) = names.get(&fold(&name)) {
                        report.warn(
                            at,
                            format!(
                                "{name:?} has the same name as {other}: the row registered a separate person: check whether they are the same"
                            ),
                        );
                    }
                    names
                        .entry(fold(&name))
                        .or_insert_with(|| format!("{name}, {at} of this file"));
                    // Rows imported before were warned about then.
                    for warning in plan.warnings {
                        report.warn(at, warning);
                    }
                }
            }
            Err(TrackerError::Rejected(source)) => report.reject(at, Reason::Refused { source }),
            Err(source) => return Err(ImportError::Store { at, source }),
        }
    }
    progress(total, total);
    Ok(report)
}
