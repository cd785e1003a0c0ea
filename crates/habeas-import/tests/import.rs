//! Imports through a real `Tracker` over an in-memory store: what is recorded,
//! what is rejected and why, re-imports and dry runs.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use habeas::codec;
use habeas::tracker::Tracker;
use habeas_domain::status::{Headline, View};
use habeas_import::config::ImportConfig;
use habeas_import::mapping::Mapping;
use habeas_import::report::{Location, Report};
use habeas_import::run_csv::import_csv;
use habeas_import::run_jsonl::import_jsonl;
use habeas_store::MemoryStore;

fn tracker() -> Tracker {
    Tracker::with_temporary_projections(Arc::new(MemoryStore::with_upcaster(Some(
        codec::upcaster(),
    ))))
    .expect("temporary projections")
}

fn config(dry_run: bool) -> ImportConfig {
    ImportConfig {
        recorded_by: "import test".to_owned(),
        at: Utc.with_ymd_and_hms(2025, 1, 15, 12, 0, 0).unwrap(),
        dry_run,
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chrd_mapping() -> Mapping {
    let text =
        std::fs::read_to_string(manifest_dir().join("../../examples/mappings/chrd.toml")).unwrap();
    Mapping::from_toml(&text).unwrap()
}

fn fixture() -> Vec<u8> {
    std::fs::read(manifest_dir().join("tests/fixtures/chrd-sample.csv")).unwrap()
}

async fn import_fixture(tracker: &Tracker, dry_run: bool) -> Report {
    let mut calls = Vec::new();
    let report = import_csv(
        tracker,
        &fixture(),
        &chrd_mapping(),
        &config(dry_run),
        &mut |done, total| calls.push((done, total)),
    )
    .await
    .unwrap();
    assert_eq!(calls.first(), Some(&(0, 11)));
    assert_eq!(calls.last(), Some(&(11, 11)));
    report
}

fn rejections(report: &Report) -> Vec<(String, &'static str)> {
    report
        .rejections
        .iter()
        .map(|r| (r.at.to_string(), r.reason.code()))
        .collect()
}

async fn head(tracker: &Tracker) -> u64 {
    tracker.store().head().await.unwrap()
}

#[tokio::test]
async fn the_fixture_imports_its_good_rows_and_reports_the_rest() {
    let tracker = tracker();
    let report = import_fixture(&tracker, false).await;
    assert_eq!(report.n_rows, 11);
    assert_eq!(report.n_imported, 5);
    assert_eq!(report.n_already_imported, 0);
    // A: 5 events, B: 4, G: 4, I: 4, K: 3.
    assert_eq!(report.n_events, 20);
    assert_eq!(head(&tracker).await, 20);
    assert_eq!(
        rejections(&report),
        [
            ("row 4".to_owned(), "bad_date"),
            ("row 5".to_owned(), "bad_term"),
            ("row 6".to_owned(), "no_source"),
            ("row 7".to_owned(), "refused"),
            ("row 9".to_owned(), "release_undated"),
            ("row 11 (line 12)".to_owned(), "unmapped_value"),
        ]
    );
    let messages: Vec<String> = report
        .rejections
        .iter()
        .map(|r| r.reason.to_string())
        .collect();
    assert_eq!(
        messages[2],
        "the detention on 2014-11-02 has no source: add at least one URL or document reference, since every published fact must cite its sources"
    );
    assert!(
        messages[3].starts_with("the release on 2014-06-01 (this command) needs the person to be in custody then, but they are not"),
        "{}",
        messages[3]
    );
    let warned: Vec<String> = report.warnings.iter().map(|w| w.at.to_string()).collect();
    assert_eq!(warned, ["row 2", "row 10"]);
    assert!(
        report.warnings[1]
            .message
            .contains("\"http://reports.example.org/2014/07/i.html\"")
    );

    let view = View {
        as_of: chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap(),
        known_at: Utc::now(),
    };
    let headline = async |name: &str| {
        let id = tracker.resolve(name).await.unwrap().id;
        tracker.status(id, view).await.unwrap().headline
    };
    assert_eq!(headline("Test Person A").await, Headline::Released);
    // Released on bail while charged: still charged.
    assert_eq!(headline("测试乙").await, Headline::Charged);
    assert_eq!(headline("Test Person G").await, Headline::ServingSentence);
    assert_eq!(headline("Test Person K").await, Headline::Released);
    assert!(
        tracker.resolve("Test Person F").await.is_err(),
        "a rejected row records nothing"
    );
}

#[tokio::test]
async fn importing_the_same_file_again_records_nothing_new() {
    let tracker = tracker();
    import_fixture(&tracker, false).await;
    let before = head(&tracker).await;
    let again = import_fixture(&tracker, false).await;
    assert_eq!(head(&tracker).await, before);
    assert_eq!((again.n_imported, again.n_already_imported), (0, 5));
    assert_eq!(again.rejections.len(), 6);
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    assert_eq!(tracker.people().await.unwrap().people().len(), 5);
}

#[tokio::test]
async fn a_dry_run_decides_the_same_and_writes_nothing() {
    let tracker = tracker();
    // Something in the store already, so the copy is not empty.
    let lines = r#"{"person_key": "x", "action": "register_person", "fields": {"name": "Test Person X"}, "command_id": "0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6d"}"#;
    import_jsonl(&tracker, lines, &config(false), &mut |_, _| {})
        .await
        .unwrap();
    let before = head(&tracker).await;
    let dry = import_fixture(&tracker, true).await;
    assert_eq!(head(&tracker).await, before, "a dry run writes nothing");
    assert!(dry.dry_run);
    assert_eq!(dry.notes.len(), 1);
    assert!(
        dry.notes[0].contains("copy in memory of the store (1 events)"),
        "{:?}",
        dry.notes
    );
    let real = import_fixture(&tracker, false).await;
    assert_eq!(
        Report {
            dry_run: false,
            notes: Vec::new(),
            ..dry
        },
        real
    );
    // A dry run after the import knows those rows are in the store.
    let dry_again = import_fixture(&tracker, true).await;
    assert_eq!((dry_again.n_imported, dry_again.n_already_imported), (0, 5));
}

const JSONL: &str = r#"{"person_key": "rc", "action": "register_person", "fields": {"name": "Rong Chhun", "aliases": ["Rorng Chhun"], "country": "Cambodia"}, "command_id": "0192f0c1-0000-7000-8000-000000000001"}
{"person": "@rc", "action": "record_detention", "fields": {"occurred": "2020-07", "kind": "arrest", "place": "Phnom Penh", "sources": [{"url": "https://example.org/a"}]}, "command_id": "0192f0c1-0000-7000-8000-000000000002"}

{"person": "Rorng Chhun", "action": "record_detention", "fields": {"occurred": "2020-08", "kind": "arrest", "sources": [{"url": "https://example.org/a"}]}, "command_id": "0192f0c1-0000-7000-8000-000000000003"}
{"person": "rong-chhun", "action": "record_release", "fields": {"occurred": "2021-11-12", "kind": "early_release_without_reason", "sources": [{"url": "https://example.org/b"}]}, "command_id": "0192f0c1-0000-7000-8000-000000000004"
{"person_key": "ks", "action": "register_person", "fields": {"name": "Kem Sokha", "surname": "Kem"}}
{"action": "issue_statement", "fields": {"occurred": "2021-11-02", "by": "United Nations", "about": ["@rc", "@ks"], "kind": "other", "summary": "Urged Cambodia to protect civic space.", "sources": [{"url": "https://example.org/un"}]}, "command_id": "0192f0c1-0000-7000-8000-000000000005"}
{"action": "issue_statement", "fields": {"occurred": "2021-11-02", "by": "United Nations", "about": ["Rong Chhun"], "kind": "other", "summary": "Urged Cambodia to protect civic space.", "sources": [{"url": "https://example.org/un"}]}, "command_id": "0192f0c1-0000-7000-8000-000000000006"}
{"person": "@rc", "action": "record_release", "fields": {"occurred": "2021-11-12", "kind": "early_release_without_reason", "sources": [{"url": "https://example.org/b"}]}, "command_id": "0192f0c1-0000-7000-8000-000000000007"}
"#;

#[tokio::test]
async fn json_lines_are_recorded_in_order_with_keys_and_reasons() {
    let tracker = tracker();
    let report = import_jsonl(&tracker, JSONL, &config(false), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(report.n_rows, 8, "the blank line is not a row");
    assert_eq!(report.n_imported, 4);
    let rejected: Vec<(Location, &str)> = report
        .rejections
        .iter()
        .map(|r| (r.at, r.reason.code()))
        .collect();
    assert_eq!(
        rejected,
        [
            (Location::Line(4), "refused"),
            (Location::Line(5), "not_json"),
            (Location::Line(6), "unknown_fields"),
            (Location::Line(7), "key_rejected"),
        ]
    );
    let messages: Vec<String> = report
        .rejections
        .iter()
        .map(|r| r.reason.to_string())
        .collect();
    assert!(
        messages[0].contains("already in custody"),
        "{}",
        messages[0]
    );
    assert!(
        messages[2].contains("unknown field \"surname\" for register_person"),
        "{}",
        messages[2]
    );
    assert_eq!(
        messages[3],
        "\"@ks\" names the person registered on line 6, which was rejected: fix that line first"
    );
    let rong_chhun = tracker.resolve("Rong Chhun").await.unwrap().id;
    let statements = tracker.statements_about(rong_chhun).await.unwrap();
    assert_eq!(statements.len(), 1);
    let headline = tracker
        .status(
            rong_chhun,
            View {
                as_of: chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap(),
                known_at: Utc::now(),
            },
        )
        .await
        .unwrap()
        .headline;
    assert_eq!(headline, Headline::Released);

    // Again: every line with a command id is recognised; nothing new is written.
    let before = head(&tracker).await;
    let again = import_jsonl(&tracker, JSONL, &config(false), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(head(&tracker).await, before);
    assert_eq!((again.n_imported, again.n_already_imported), (0, 4));
    assert_eq!(tracker.people().await.unwrap().people().len(), 1);
}
