//! `habeas import` run as a child process, as a documentation officer runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Store {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Store {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("habeas");
        Self { dir, path }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_habeas"))
            .arg("--db")
            .arg(&self.path)
            .args(args)
            .env("HABEAS_USER", "test officer")
            .env_remove("HABEAS_DB")
            .output()
            .unwrap()
    }

    /// Runs a command that must exit with `code`; returns (stdout, stderr).
    fn exits(&self, code: i32, args: &[&str]) -> (String, String) {
        let output = self.run(args);
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(
            output.status.code(),
            Some(code),
            "{args:?}:\nstdout {stdout}\nstderr {stderr}"
        );
        (stdout, stderr)
    }

    fn export(&self) -> String {
        self.exits(0, &["export"]).0
    }

    /// Writes a file in the store's temporary directory; returns its path.
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

fn repo_path(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
        .to_str()
        .unwrap()
        .to_owned()
}

fn fixture() -> String {
    repo_path("crates/habeas-import/tests/fixtures/chrd-sample.csv")
}

fn mapping() -> String {
    repo_path("examples/mappings/chrd.toml")
}

const LINES: &str = r#"{"person_key": "a", "action": "register_person", "fields": {"name": "Test Person Alpha", "country": "Exampleland"}, "command_id": "0192f0c1-0000-7000-8000-0000000000a1"}
{"person": "@a", "action": "record_detention", "fields": {"occurred": "2020-07", "kind": "arrest", "sources": [{"url": "https://example.org/a"}]}, "command_id": "0192f0c1-0000-7000-8000-0000000000a2"}
{"person": "@a", "action": "record_sentence", "fields": {"occurred": "2021-08", "term": {"kind": "fixed", "years": 2}, "sources": [{"url": "https://example.org/b"}]}, "command_id": "0192f0c1-0000-7000-8000-0000000000a3"}
{"person": "Test Person Alpha", "action": "record_release", "fields": {"occurred": "2021-11-12" "kind": "other"}}
{"action": "issue_statement", "fields": {"occurred": "2021-11-02", "by": "Example NGO", "about": ["Test Person Alpha"], "kind": "call_for_release", "summary": "Called for the release.", "sources": [{"url": "https://example.org/c"}]}, "command_id": "0192f0c1-0000-7000-8000-0000000000a4"}
"#;

#[test]
fn the_chrd_fixture_imports_its_good_rows_and_lists_the_others() {
    let store = Store::new();
    let (stdout, _) = store.exits(0, &["import", &fixture(), "--mapping", &mapping()]);
    assert!(
        stdout.ends_with("imported 5 of 11 rows (20 events); 6 rows rejected; 2 warnings\n"),
        "{stdout}"
    );
    for expected in [
        "6 rows rejected, nothing recorded for them:",
        "  row 4: det.date: \"2014.13.45\" (read as \"%Y.%m.%d\") is not a real date: the month must be between 01 and 12; correct the cell",
        "  row 5: pun.length: \"十天ten days\" is not a sentence term: \"ten\" is not a number",
        "  row 6: the detention on 2014-11-02 has no source: add at least one URL or document reference",
        "  row 7: the release on 2014-06-01 (this command) needs the person to be in custody then, but they are not",
        "  row 9: status \"释放 / Released\" says the person was released, but rel.date is empty",
        "  row 11 (line 12): det.type \"拘押/ Custody\" is not in [detained.kind.map] of the mapping",
        "  row 2: source1: removed spaces and stray characters from the URL \"http://reports.example.org/blog spot/2014/12/a.html\", read as \"http://reports.example.org/blogspot/2014/12/a.html\"",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
    let (people, _) = store.exits(0, &["person", "list", "--json"]);
    let people: serde_json::Value = serde_json::from_str(&people).unwrap();
    let names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Test Person A",
            "Test Person B",
            "Test Person G",
            "Test Person I",
            "Test Person K"
        ]
    );

    // Again, as JSON: nothing new, the same rejections.
    let before = store.export();
    let (json, _) = store.exits(
        0,
        &["import", &fixture(), "--mapping", &mapping(), "--json"],
    );
    assert_eq!(store.export(), before);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["n_rows"], 11);
    assert_eq!(report["n_imported"], 0);
    assert_eq!(report["n_already_imported"], 5);
    let rejected: Vec<(u64, &str)> = report["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["at"]["row"]["row"].as_u64().unwrap(),
                r["reason"]["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (4, "bad_date"),
            (5, "bad_term"),
            (6, "no_source"),
            (7, "refused"),
            (9, "release_undated"),
            (11, "unmapped_value"),
        ]
    );
}

#[test]
fn a_dry_run_reports_the_same_and_leaves_the_export_unchanged() {
    let store = Store::new();
    let lines = store.file("cases.jsonl", LINES);
    store.exits(0, &["import", &lines]);
    let before = store.export();
    let (dry, _) = store.exits(
        0,
        &["import", &fixture(), "--mapping", &mapping(), "--dry-run"],
    );
    assert_eq!(store.export(), before, "a dry run writes nothing");
    assert!(
        dry.contains(
            "dry run: decided against a copy in memory of the store (4 events); nothing was written"
        ),
        "{dry}"
    );
    assert!(
        dry.ends_with("would import 5 of 11 rows (20 events); 6 rows rejected; 2 warnings\n"),
        "{dry}"
    );
    let (real, _) = store.exits(0, &["import", &fixture(), "--mapping", &mapping()]);
    assert_eq!(
        real,
        dry.replace(
            "dry run: decided against a copy in memory of the store (4 events); nothing was written\n",
            ""
        )
        .replace("would import", "imported")
    );
    assert_ne!(store.export(), before);
}

#[test]
fn a_malformed_line_is_reported_with_its_number_and_the_others_are_imported() {
    let store = Store::new();
    let lines = store.file("cases.jsonl", LINES);
    let (stdout, _) = store.exits(0, &["import", &lines]);
    assert!(
        stdout.contains("1 line rejected, nothing recorded for them:\n  line 4: not valid JSON (expected `,` or `}` at line 1 column"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("imported 4 of 5 lines (4 events); 1 line rejected\n"),
        "{stdout}"
    );
    let (status, _) = store.exits(0, &["status", "Test Person Alpha", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(status["status"]["headline"], "serving-sentence");
}

#[test]
fn importing_json_lines_with_command_ids_again_records_nothing_new() {
    let store = Store::new();
    let lines = store.file("cases.jsonl", LINES);
    store.exits(0, &["import", &lines]);
    let before = store.export();
    let (stdout, _) = store.exits(0, &["import", &lines]);
    assert_eq!(store.export(), before);
    assert!(
        stdout.ends_with(
            "imported 0 of 5 lines (0 events); 4 imported before, nothing new; 1 line rejected\n"
        ),
        "{stdout}"
    );
}

#[test]
fn nothing_readable_is_a_usage_error_and_nothing_importable_is_a_rejection() {
    let store = Store::new();
    store.exits(0, &["init"]);
    let before = store.export();
    let (_, stderr) = store.exits(2, &["import", "/nonexistent/cases.jsonl"]);
    assert!(
        stderr.contains("cannot read the file /nonexistent/cases.jsonl"),
        "{stderr}"
    );
    let (_, stderr) = store.exits(2, &["import", &fixture()]);
    assert!(
        stderr.contains("give its column mapping with --mapping"),
        "{stderr}"
    );
    let bad_mapping = store.file("bad.toml", "version = 1\n[person]\nnaem = \"name.eng\"\n");
    let (_, stderr) = store.exits(2, &["import", &fixture(), "--mapping", &bad_mapping]);
    assert!(stderr.contains("unknown field `naem`"), "{stderr}");
    let wrong_column = store.file(
        "wrong.toml",
        "version = 1\n[person]\nname = \"name.english\"\n",
    );
    let (_, stderr) = store.exits(2, &["import", &fixture(), "--mapping", &wrong_column]);
    assert!(
        stderr.contains(
            "[person] name names the column \"name.english\", which is not in the file's header"
        ),
        "{stderr}"
    );
    let empty = store.file("empty.jsonl", "\n\n");
    let (_, stderr) = store.exits(2, &["import", &empty]);
    assert!(
        stderr.contains("holds no rows: nothing to import"),
        "{stderr}"
    );
    let all_bad = store.file(
        "bad.jsonl",
        "{\"action\": \"record_detention\"}\nnot json\n",
    );
    let (stdout, stderr) = store.exits(3, &["import", &all_bad]);
    assert!(stdout.contains("  line 2: not valid JSON"), "{stdout}");
    assert!(
        stderr.contains("nothing was imported: 2 of 2 lines rejected"),
        "{stderr}"
    );
    assert_eq!(store.export(), before);
}

/// `habeas export` then `habeas import` of it into a new store reproduces the log byte
/// for byte; a tampered export is refused as a whole (exit 3) naming its first bad line,
/// and writes nothing; a non-empty store is refused (exit 2).
#[test]
fn an_export_restores_verbatim_and_a_tampered_one_is_refused_whole() {
    let source = Store::new();
    source.exits(0, &["demo"]);
    let exported = source.export();
    let lines: Vec<&str> = exported.lines().collect();
    assert!(
        lines.len() >= 10,
        "the demo log is too short: {}",
        lines.len()
    );
    let backup = source.file("a.jsonl", &exported);

    let restored = Store::new();
    let (stdout, _) = restored.exits(0, &["import", &backup]);
    assert!(
        stdout.contains(&format!("restored {} events", lines.len())),
        "{stdout}"
    );
    assert_eq!(
        restored.export(),
        exported,
        "the second export is byte-identical"
    );
    let (verified, _) = restored.exits(0, &["verify"]);
    assert!(verified.contains("hash chain intact"), "{verified}");
    // A restored store is not empty any more: restoring again is a usage error.
    let (_, stderr) = restored.exits(2, &["import", &backup]);
    assert!(
        stderr.contains("restore needs an empty store: use a new --db"),
        "{stderr}"
    );
    assert_eq!(restored.export(), exported);

    let rejoin = |lines: &[String]| lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    let owned: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();

    // One character of the payload of line 7.
    let mut payload = owned.clone();
    let at = payload[6].find("\"payload\":{\"").expect("payload") + 12;
    let old = payload[6].as_bytes()[at];
    let new = if old == b'a' { "b" } else { "a" };
    payload[6].replace_range(at..=at, new);
    // Line 5 removed.
    let mut removed = owned.clone();
    removed.remove(4);
    // Lines 3 and 4 swapped.
    let mut swapped = owned.clone();
    swapped.swap(2, 3);
    // The hash of line 10 edited.
    let mut hash = owned.clone();
    let at = hash[9].find("\"hash\":\"").expect("hash") + 8;
    let old = hash[9].as_bytes()[at];
    let new = if old == b'0' { "1" } else { "0" };
    hash[9].replace_range(at..=at, new);
    // A line inserted before line 6 (a copy of line 2).
    let mut inserted = owned.clone();
    inserted.insert(5, owned[1].clone());

    for (name, tampered, line, what) in [
        ("payload", payload, 7, "altered"),
        ("removed", removed, 5, "missing, inserted or out of order"),
        ("swapped", swapped, 3, "missing, inserted or out of order"),
        ("hash", hash, 10, "the hash does not match"),
        ("inserted", inserted, 6, "missing, inserted or out of order"),
    ] {
        let target = Store::new();
        let file = target.file(&format!("{name}.jsonl"), &rejoin(&tampered));
        let (_, stderr) = target.exits(3, &["import", &file]);
        assert!(
            stderr.contains(&format!("line {line}: ")) && stderr.contains(what),
            "{name}: {stderr}"
        );
        assert!(stderr.contains("nothing was written"), "{name}: {stderr}");
        assert_eq!(target.export(), "", "{name}: the store stays empty");
    }
}

fn list() -> (String, String) {
    (
        repo_path("crates/habeas-import/tests/fixtures/list.csv"),
        repo_path("crates/habeas-import/tests/fixtures/list.toml"),
    )
}

#[test]
fn a_dry_run_into_no_store_creates_none() {
    let store = Store::new();
    let (file, mapping) = list();
    let (stdout, _) = store.exits(0, &["import", &file, "--mapping", &mapping, "--dry-run"]);
    assert!(stdout.contains("would import"), "{stdout}");
    assert!(
        !store.path.exists(),
        "a dry run wrote {}",
        store.path.display()
    );
}

#[test]
fn namesakes_from_a_list_are_ambiguous_by_name_and_one_by_id() {
    let store = Store::new();
    let (file, mapping) = list();
    store.exits(0, &["import", &file, "--mapping", &mapping]);
    for name in ["王芳", "Li Wei", "أحمد حسن", "Иван Петров"] {
        let (_, stderr) = store.exits(4, &["status", name]);
        assert!(
            stderr.contains(&format!("{name:?} matches 2 people")),
            "{name}: {stderr}"
        );
    }
    let people: Vec<serde_json::Value> =
        serde_json::from_str(&store.exits(0, &["person", "list", "--json"]).0).unwrap();
    let wang: Vec<&serde_json::Value> = people.iter().filter(|p| p["name"] == "王芳").collect();
    assert_eq!(wang.len(), 2, "{people:?}");
    for person in wang {
        let id = person["id"].as_str().unwrap();
        let (stdout, _) = store.exits(0, &["status", id]);
        let first = stdout.lines().next().unwrap();
        let slug = person["slug"].as_str().unwrap();
        if slug == "王芳" {
            assert!(first.starts_with("王芳: "), "no slug repeated: {first}");
        } else {
            assert!(first.starts_with(&format!("王芳 ({slug}): ")), "{first}");
            let (by_slug, _) = store.exits(0, &["status", slug]);
            // The same person, answered a moment later: all but the
            // "as known at" line (which names the moment) is the same.
            let without_moment = |text: &str| -> Vec<String> {
                text.lines()
                    .filter(|line| !line.contains("as known at"))
                    .map(str::to_owned)
                    .collect()
            };
            assert_eq!(
                without_moment(&by_slug),
                without_moment(&stdout),
                "the slug finds the one"
            );
        }
    }
}

#[test]
fn the_person_table_aligns_names_by_display_width() {
    let store = Store::new();
    let (file, mapping) = list();
    store.exits(0, &["import", &file, "--mapping", &mapping]);
    let (stdout, _) = store.exits(0, &["person", "list"]);
    // The status column starts at the same terminal column on every line,
    // whatever script the name and slug are written in.
    let status_columns: std::collections::BTreeSet<usize> = stdout
        .lines()
        .skip(1)
        .map(|line| {
            let status = [
                "unknown",
                "detained",
                "released",
                "charged",
                "serving-sentence",
                "deceased",
            ]
            .iter()
            .filter_map(|word| line.find(&format!(" {word} ")))
            .min()
            .unwrap_or_else(|| panic!("no status in {line:?}"));
            unicode_width::UnicodeWidthStr::width(&line[..status])
        })
        .collect();
    assert_eq!(status_columns.len(), 1, "{stdout}");
}

#[test]
fn an_unclosed_quote_stops_the_import_naming_its_line() {
    let store = Store::new();
    let file = store.file(
        "people.csv",
        "name,sex\r\n\"A\",female\r\n\"B,male\r\nC,male\r\n",
    );
    let mapping = store.file("people.toml", "version = 1\n[person]\nname = \"name\"\n");
    let (_, stderr) = store.exits(2, &["import", &file, "--mapping", &mapping]);
    assert!(
        stderr.contains("line 3: the quote that opens a cell here is never closed"),
        "{stderr}"
    );
    assert!(!stderr.contains("B,male"), "{stderr}");
}

#[test]
fn importing_again_with_a_richer_mapping_says_what_it_added() {
    let store = Store::new();
    let (file, mapping) = list();
    let full = std::fs::read_to_string(&mapping).unwrap();
    let people_only = store.file("people.toml", &full[..full.find("[detained]").unwrap()]);
    store.exits(0, &["import", &file, "--mapping", &people_only]);
    let (stdout, _) = store.exits(0, &["import", &file, "--mapping", &mapping]);
    assert!(
        stdout.contains("imported before, new facts added"),
        "{stdout}"
    );
    let (again, _) = store.exits(0, &["import", &file, "--mapping", &mapping]);
    assert!(!again.contains("new facts added"), "{again}");
}
