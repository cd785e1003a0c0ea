//! A list written for the tests in the shape published prisoner lists have
//! (tests/fixtures/list.csv, invented names, CRLF line ends): dirty dates,
//! several URLs in a cell, namesakes in four scripts, empty cells, a row with
//! too many cells and one with too few. Each row says in its first three
//! columns what it must give: `imported` or `rejected:CODE`, a text one of
//! its warnings contains (none when empty), and its headline once imported.
//! The rows are the data; this file only compares.
//!
//! The columns sentence_end, custody, death_date and death_kind carry the
//! shapes lists give: a sentence known by its end, custody known without its
//! start (recorded as "on or before" the day the list gives), life and death
//! sentences without a date, deaths with and without their circumstances.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use habeas::codec;
use habeas::tracker::Tracker;
use habeas_domain::status::View;
use habeas_import::config::ImportConfig;
use habeas_import::ids::{person_id_for, row_command_id};
use habeas_import::mapping::Mapping;
use habeas_import::report::{Location, Report};
use habeas_import::run_csv::import_csv;
use habeas_store::MemoryStore;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn config(dry_run: bool) -> ImportConfig {
    ImportConfig {
        recorded_by: "list test".to_owned(),
        at: Utc.with_ymd_and_hms(2025, 1, 15, 12, 0, 0).unwrap(),
        dry_run,
    }
}

/// One row of the fixture: its number as a spreadsheet shows it, what it
/// must give, and its cells as the import reads them.
struct Expected {
    row: usize,
    outcome: String,
    warning: String,
    headline: String,
    cells: Vec<String>,
}

fn expectations(data: &[u8]) -> (Vec<String>, Vec<Expected>) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(data);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .enumerate()
        .map(|(idx, record)| {
            let record = record.unwrap();
            let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
            if cells.len() < header.len() {
                cells.resize(header.len(), String::new());
            }
            Expected {
                row: idx + 2,
                outcome: cells[0].clone(),
                warning: cells[1].clone(),
                headline: cells[2].clone(),
                cells,
            }
        })
        .collect();
    (header, rows)
}

fn row_of(at: Location) -> usize {
    match at {
        Location::Row { row, .. } => row,
        Location::Line(line) => panic!("a CSV import reports rows, not line {line}"),
    }
}

async fn import(tracker: &Tracker, dry_run: bool) -> Report {
    let mapping = Mapping::from_toml(&String::from_utf8(fixture("list.toml")).unwrap()).unwrap();
    import_csv(
        tracker,
        &fixture("list.csv"),
        &mapping,
        &config(dry_run),
        &mut |_, _| {},
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn every_row_of_the_list_gives_what_it_says() {
    let tracker = Tracker::with_temporary_projections(Arc::new(MemoryStore::with_upcaster(Some(
        codec::upcaster(),
    ))))
    .unwrap();
    let data = fixture("list.csv");
    assert!(
        data.windows(2).any(|pair| pair == b"\r\n"),
        "the list has CRLF line ends"
    );
    let (header, expected) = expectations(&data);
    assert!(expected.len() >= 50, "{} rows", expected.len());
    let report = import(&tracker, false).await;
    assert_eq!(report.n_rows, expected.len());

    let view = View {
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        known_at: Utc::now(),
    };
    let mut mismatches = Vec::new();
    for row in &expected {
        let rejection = report.rejections.iter().find(|r| row_of(r.at) == row.row);
        let outcome = match rejection {
            Some(rejection) => format!("rejected:{}", rejection.reason.code()),
            None => "imported".to_owned(),
        };
        let warnings: Vec<&str> = report
            .warnings
            .iter()
            .filter(|w| row_of(w.at) == row.row)
            .map(|w| w.message.as_str())
            .collect();
        let warned = if row.warning.is_empty() {
            warnings.is_empty()
        } else {
            warnings.iter().any(|w| w.contains(&row.warning))
        };
        let headline = if outcome == "imported" {
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            let cells: Vec<&str> = row.cells.iter().map(String::as_str).collect();
            let person = person_id_for(row_command_id(&header, &cells));
            tracker
                .status(person, view)
                .await
                .unwrap()
                .headline
                .as_str()
                .to_owned()
        } else {
            String::new()
        };
        if outcome != row.outcome || !warned || headline != row.headline {
            mismatches.push(format!(
                "row {}: expected {} / warning {:?} / {:?}, got {outcome} / {warnings:?} / {headline:?}; {:?}",
                row.row,
                row.outcome,
                row.warning,
                row.headline,
                rejection.map(|r| r.reason.to_string())
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    let n_imported = expected
        .iter()
        .filter(|row| row.outcome == "imported")
        .count();
    assert_eq!(report.n_imported, n_imported);
}

/// The roster of the list counts the people held, those whose release is
/// overdue, the deceased and the unknown apart, and never shows a time in
/// custody of 0 days for someone whose custody is unknown or began on an
/// unknown day.
#[tokio::test]
async fn the_roster_of_the_list_counts_each_fate_apart_and_never_shows_unknown_as_zero() {
    use habeas::reports::ReportOptions;
    use habeas_domain::status::Headline;
    let tracker = Tracker::with_temporary_projections(Arc::new(MemoryStore::with_upcaster(Some(
        codec::upcaster(),
    ))))
    .unwrap();
    import(&tracker, false).await;
    let view = View {
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        known_at: Utc::now(),
    };
    let roster = tracker
        .roster(ReportOptions {
            view,
            public: false,
        })
        .await
        .unwrap();
    let figures = habeas_report::roster_figures::roster_figures(&roster.rows);
    let count = |headline: Headline| {
        figures
            .counts
            .iter()
            .find(|c| c.headline == headline)
            .unwrap()
            .count
    };
    let (_, expected) = expectations(&fixture("list.csv"));
    let expected_count = |headline: &str| {
        expected
            .iter()
            .filter(|row| row.outcome == "imported" && row.headline == headline)
            .count()
    };
    for headline in Headline::ALL {
        assert_eq!(
            count(headline),
            expected_count(headline.as_str()),
            "{headline}"
        );
    }
    assert_eq!(count(Headline::Deceased), 4);
    // Yusuf Ali: "released 2019-12-07" by the list, still recorded as
    // held; Marta Silva: 18 months from 2021-04-04, still held in 2025.
    // Zara Ahmed (release 2030) and life and death sentences are not.
    let mut overdue: Vec<&str> = roster
        .rows
        .iter()
        .filter(|row| row.release_overdue)
        .map(|row| row.name.as_str())
        .collect();
    overdue.sort_unstable();
    assert_eq!(overdue, ["Marta Silva", "Yusuf Ali"]);
    assert_eq!(figures.release_overdue, 2);
    for row in &roster.rows {
        if row.headline == Headline::Unknown {
            assert_eq!(row.days_in_custody_total, None, "{}", row.name);
        }
        if let Some(since) = row.custody_since
            && since.is_open_start()
        {
            let now = row.days_in_custody_now.unwrap();
            assert!(now.is_open(), "{}: {now}", row.name);
            assert!(now.to_string().starts_with("at least"), "{}", row.name);
        }
    }
    let wanjiru = roster
        .rows
        .iter()
        .find(|row| row.name == "Wanjiru Kamau")
        .unwrap();
    assert_eq!(
        wanjiru.days_in_custody_now.unwrap().in_words(),
        "at least 1399 days (at least about 46 months)"
    );
    let csv = habeas_report::csv::roster_csv(&roster);
    let yusuf = csv.lines().find(|line| line.contains("Yusuf Ali")).unwrap();
    assert!(yusuf.ends_with(",true"), "{yusuf}");
}

#[tokio::test]
async fn line_numbers_count_crlf_lines_and_cells_with_line_breaks() {
    let tracker = Tracker::with_temporary_projections(Arc::new(MemoryStore::with_upcaster(Some(
        codec::upcaster(),
    ))))
    .unwrap();
    let report = import(&tracker, true).await;
    // Row 36 has a line break inside its URL cell: the rows after it start
    // one line further down.
    let at = |row: usize| {
        report
            .rejections
            .iter()
            .map(|r| r.at)
            .chain(report.warnings.iter().map(|w| w.at))
            .find(|at| row_of(*at) == row)
            .unwrap()
            .to_string()
    };
    assert_eq!(at(20), "row 20");
    assert_eq!(at(38), "row 38 (line 39)");
    assert_eq!(at(58), "row 58 (line 59)");
}

/// The list's mapping without its event sections: people and sources only.
fn people_only() -> Mapping {
    let full = String::from_utf8(fixture("list.toml")).unwrap();
    let cut = full.find("[detained]").unwrap();
    Mapping::from_toml(&full[..cut]).unwrap()
}

#[tokio::test]
async fn importing_again_with_a_richer_mapping_records_the_new_facts() {
    let tracker = Tracker::with_temporary_projections(Arc::new(MemoryStore::with_upcaster(Some(
        codec::upcaster(),
    ))))
    .unwrap();
    let data = fixture("list.csv");
    let first = import_csv(
        &tracker,
        &data,
        &people_only(),
        &config(false),
        &mut |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(first.n_added_to, 0);
    let head = tracker.store().head().await.unwrap();
    let richer = import(&tracker, false).await;
    assert!(tracker.store().head().await.unwrap() > head);
    assert_eq!(richer.n_imported, 0, "no one is registered twice");
    // Every row with an event once imported: its person is no longer unknown.
    let (_, expected) = expectations(&data);
    let with_events = expected
        .iter()
        .filter(|row| row.outcome == "imported" && row.headline != "unknown")
        .count();
    assert_eq!(richer.n_added_to, with_events);
    let view = View {
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        known_at: Utc::now(),
    };
    let hana = tracker.resolve("Hana Kimura").await.unwrap().id;
    assert_eq!(
        tracker.status(hana, view).await.unwrap().headline.as_str(),
        "serving-sentence"
    );
    // And once more: nothing new.
    let head = tracker.store().head().await.unwrap();
    let again = import(&tracker, false).await;
    assert_eq!(tracker.store().head().await.unwrap(), head);
    assert_eq!((again.n_imported, again.n_added_to), (0, 0));
}

#[tokio::test]
async fn a_malformed_file_is_an_error_naming_its_line() {
    let tracker = Tracker::with_temporary_projections(Arc::new(MemoryStore::with_upcaster(Some(
        codec::upcaster(),
    ))))
    .unwrap();
    let mapping = Mapping::from_toml("version = 1\n[person]\nname = \"name\"\n").unwrap();
    let cases = [
        ("name,sex\r\n\"A,female\r\nB,male\r\n", 2),
        ("name,sex\nA,female\nB,\"male\nC,male\n", 3),
    ];
    for (text, line) in cases {
        let err = import_csv(
            &tracker,
            text.as_bytes(),
            &mapping,
            &config(false),
            &mut |_, _| {},
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with(&format!(
                "line {line}: the quote that opens a cell here is never closed"
            )),
            "{text:?}: {err}"
        );
    }
    assert_eq!(
        tracker.store().head().await.unwrap(),
        0,
        "nothing was written"
    );
    let report = import_csv(
        &tracker,
        b"name,sex\r\nA,female\r\nB,male,extra\r\n",
        &mapping,
        &config(true),
        &mut |_, _| {},
    )
    .await
    .unwrap();
    let rejected: Vec<String> = report
        .rejections
        .iter()
        .map(|r| format!("{}: {}", r.at, r.reason))
        .collect();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert!(rejected[0].starts_with("row 3: "), "{rejected:?}");
}
