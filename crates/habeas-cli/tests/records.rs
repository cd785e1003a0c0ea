//! Facts that had nowhere to go, as child processes: a duplicate merged
//! into the right record, who ordered a release and what a sentence
//! convicted of (in public reports), a source's title, publisher and date,
//! and statements that name no one listed.

use std::path::Path;
use std::process::{Command, Output};

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_habeas"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("HABEAS_USER", "tester")
        .env_remove("HABEAS_DB")
        .output()
        .expect("run habeas")
}

fn habeas(db: &Path, args: &[&str]) -> String {
    let output = run(db, args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    habeas(&db, &["demo"]);
    (dir, db)
}

#[test]
fn a_duplicate_merged_is_found_as_the_right_record_and_listed_once() {
    let (_dir, db) = demo();
    habeas(
        &db,
        &[
            "person",
            "add",
            "Rong Chun",
            "--source",
            "https://example.org/other-list",
        ],
    );
    habeas(
        &db,
        &[
            "log",
            "recognised",
            "rong-chun",
            "--by",
            "Example Watch",
            "--on",
            "2021-03",
            "--source",
            "https://example.org/other-list",
        ],
    );
    let merged = habeas(
        &db,
        &[
            "person",
            "merge",
            "rong-chun",
            "--into",
            "rong-chhun",
            "--reason",
            "registered twice from two lists",
            "--json",
        ],
    );
    let merged: serde_json::Value = serde_json::from_str(&merged).expect("JSON");
    assert_eq!(
        merged["events_recorded_on_into"].as_array().unwrap().len(),
        2,
        "{merged}"
    );
    // The old slug finds the right record, which now has the fact.
    let status = habeas(&db, &["status", "rong-chun", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&status).expect("JSON");
    assert_eq!(status["slug"], "rong-chhun", "{status}");
    assert_eq!(status["status"]["recognised_by"][0][0], "Example Watch");
    let list = habeas(&db, &["person", "list"]);
    assert!(!list.contains("rong-chun "), "{list}");
    let report = habeas(&db, &["report", "rong-chhun", "--format", "md"]);
    assert!(report.contains("Example Watch"), "the copied fact");
    assert!(
        report.contains("Rong Chun"),
        "the duplicate's name as an alias"
    );
    // Nothing more goes to the duplicate: it resolves to the right record,
    // and merging it again is merging a record into itself (usage, 2).
    let again = run(
        &db,
        &[
            "person",
            "merge",
            "rong-chun",
            "--into",
            "rong-chhun",
            "--reason",
            "again",
        ],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already"));
    let verify = habeas(&db, &["verify"]);
    assert!(verify.contains("hash chain intact"), "{verify}");
}

#[test]
fn release_authority_offences_and_source_details_reach_the_public_report() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    habeas(&db, &["init"]);
    habeas(
        &db,
        &[
            "person",
            "add",
            "Ana Example",
            "--source",
            "https://example.org/a",
        ],
    );
    habeas(
        &db,
        &[
            "log",
            "detained",
            "ana-example",
            "--on",
            "2019-05-01",
            "--source",
            "https://example.org/news/1",
            "--source-title",
            "Activist detained",
            "--source-publisher",
            "Example Daily",
            "--source-date",
            "2019-05-02",
        ],
    );
    habeas(
        &db,
        &[
            "log",
            "sentenced",
            "ana-example",
            "--on",
            "2019-09",
            "--term",
            "3y",
            "--offence",
            "spreading false information",
            "--article",
            "Art. 207",
            "--source",
            "https://example.org/news/2",
        ],
    );
    habeas(
        &db,
        &[
            "log",
            "released",
            "ana-example",
            "--on",
            "2021-01-07",
            "--kind",
            "amnesty",
            "--ordered-by",
            "Presidential decree 12/2021",
            "--source",
            "https://example.org/news/3",
        ],
    );
    let public = habeas(
        &db,
        &["report", "ana-example", "--format", "md", "--public"],
    );
    for text in [
        "Presidential decree 12/2021",
        "spreading false information (Art. 207)",
        "Activist detained",
        "Example Daily",
    ] {
        assert!(public.contains(text), "{text} missing from:\n{public}");
    }
    // More titles than sources: refused, naming the flag, nothing recorded.
    let before = habeas(&db, &["history", "ana-example", "--json"]);
    let refused = run(
        &db,
        &[
            "log",
            "hearing",
            "ana-example",
            "--on",
            "2019-08",
            "--source",
            "https://example.org/x",
            "--source-title",
            "one",
            "--source-title",
            "two",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--source-title"));
    assert_eq!(habeas(&db, &["history", "ana-example", "--json"]), before);
}

#[test]
fn statements_that_name_no_one_are_listed_with_their_ids() {
    let (_dir, db) = demo();
    habeas(
        &db,
        &[
            "log",
            "statement",
            "--by",
            "Ministry of Justice",
            "--on",
            "2021-11-12",
            "--summary",
            "17 activists released under an amnesty",
            "--source",
            "https://example.org/moj",
        ],
    );
    let all = habeas(&db, &["statements"]);
    let line = all
        .lines()
        .find(|line| line.contains("17 activists released"))
        .unwrap_or_else(|| panic!("the group total is listed:\n{all}"));
    assert!(line.contains("names no one"), "{line}");
    let json = habeas(&db, &["statements", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).expect("JSON");
    let total = rows
        .iter()
        .find(|row| row["by"] == "Ministry of Justice")
        .expect("listed");
    assert!(total["about"].as_array().unwrap().is_empty());
    // Its id is what `retract` takes.
    let event = total["event"].as_str().unwrap();
    habeas(
        &db,
        &["retract", event, "--reason", "duplicate of a statement"],
    );
    let after = habeas(&db, &["statements"]);
    assert!(!after.contains("17 activists"), "{after}");
    // Only those naming a person, with --about.
    let about = habeas(&db, &["statements", "--about", "rong-chhun"]);
    assert!(about.contains("United Nations"), "{about}");
    assert!(!about.contains("Chin Malin"), "{about}");
}

#[test]
fn a_fact_without_a_date_is_told_how_to_record_it_honestly() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    habeas(&db, &["init"]);
    habeas(
        &db,
        &[
            "person",
            "add",
            "Ana Example",
            "--source",
            "https://example.org/a",
        ],
    );
    let refused = run(
        &db,
        &[
            "log",
            "detained",
            "ana-example",
            "--source",
            "https://example.org/b",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--on ..2021-03-04"), "{stderr}");
    assert!(stderr.contains("never a guessed day"), "{stderr}");
    // Written as the hint says, it is recorded, held "since an unknown day".
    habeas(
        &db,
        &[
            "log",
            "detained",
            "ana-example",
            "--on",
            "..2021-03-04",
            "--source",
            "https://example.org/b",
        ],
    );
    let status = habeas(&db, &["status", "ana-example", "--as-of", "2021-06-01"]);
    assert!(
        status.contains("since an unknown day on or before 2021-03-04"),
        "{status}"
    );
    assert!(status.contains("at least 89 days"), "{status}");
}
