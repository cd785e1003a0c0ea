//! The `habeas` binary run as a child process, as a user or a script runs it.

use std::path::PathBuf;
use std::process::{Command, Output};

struct Store {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Store {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("habeas");
        Self { _dir: dir, path }
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

    /// Runs a command that must succeed; returns its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs a command that must fail with `code`, and must leave the log as it
    /// was; returns its standard error.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let before = self.ok(&["export"]);
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(self.ok(&["export"]), before, "{args:?} changed the store");
        String::from_utf8(output.stderr).unwrap()
    }
}

const SOURCE: &[&str] = &["--source", "https://example.org/2021-report"];

fn with_source<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend_from_slice(SOURCE);
    all
}

/// The worked example of `docs/domain.md`, logged command by command.
fn log_worked_example(store: &Store) {
    store.ok(&["init"]);
    store.ok(&with_source(&[
        "person",
        "add",
        "Rong Chhun",
        "--alias",
        "Rorng Chhun",
        "--country",
        "Cambodia",
        "--affiliation",
        "union leader",
    ]));
    store.ok(&with_source(&[
        "person",
        "add",
        "Kem Sokha",
        "--country",
        "Cambodia",
    ]));
    store.ok(&with_source(&[
        "log",
        "detained",
        "Rong Chhun",
        "--on",
        "2020-07",
        "--place",
        "Phnom Penh",
        "--facility",
        "Prey Sar prison",
    ]));
    store.ok(&with_source(&[
        "log",
        "charged",
        "rorng chhun",
        "--on",
        "2020-08",
        "--charge",
        "incitement",
        "--article",
        "Criminal Code art. 495",
    ]));
    // The release is logged before the sentence that preceded it.
    store.ok(&with_source(&[
        "log",
        "released",
        "rong-chhun",
        "--on",
        "2021-11-12",
        "--kind",
        "early-release-without-reason",
    ]));
    store.ok(&with_source(&[
        "log",
        "sentenced",
        "Rong Chhun",
        "--on",
        "2021-08",
        "--term",
        "2y",
        "--court",
        "Phnom Penh Municipal Court",
    ]));
    store.ok(&with_source(&[
        "log",
        "restricted",
        "Kem Sokha",
        "--on",
        "2017-11",
        "--kind",
        "political-activity-ban",
    ]));
    store.ok(&with_source(&[
        "log",
        "statement",
        "--by",
        "United Nations",
        "--on",
        "2021-11-02",
        "--about",
        "Rong Chhun",
        "--about",
        "Kem Sokha",
        "--summary",
        "Urged Cambodia to protect civic space.",
    ]));
}

#[test]
fn the_worked_example_through_the_command_line() {
    let store = Store::new();
    log_worked_example(&store);

    let status = store.ok(&["status", "Rorng Chhun"]);
    assert!(
        status.starts_with("Rong Chhun (rong-chhun): released"),
        "{status}"
    );
    assert!(
        status.contains("469 to 499 days (about 15 to 16 months)"),
        "{status}"
    );
    assert!(status.contains("also known as: Rorng Chhun"), "{status}");

    let mid = store.ok(&["status", "rong-chhun", "--as-of", "2021-10-01"]);
    assert!(
        mid.starts_with("Rong Chhun (rong-chhun): serving-sentence"),
        "{mid}"
    );
    assert!(mid.contains("as of 2021-10-01"), "{mid}");

    let kem = store.ok(&["status", "kem sokha", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&kem).unwrap();
    assert_eq!(json["status"]["headline"], "restricted");

    let history = store.ok(&["history", "Rong Chhun"]);
    // His five events and the statement that names him.
    assert_eq!(history.matches("recorded 20").count(), 6, "{history}");
    assert!(history.contains("by test officer"), "{history}");

    let list = store.ok(&["person", "list", "--status", "released"]);
    assert!(
        list.contains("rong-chhun") && !list.contains("kem-sokha"),
        "{list}"
    );

    assert!(store.ok(&["verify"]).starts_with("ok: 8 events"));
}

#[test]
fn bad_input_gets_a_clear_error_the_documented_code_and_changes_nothing() {
    let store = Store::new();
    log_worked_example(&store);
    store.ok(&with_source(&["person", "add", "Sar Kanika"]));
    store.ok(&with_source(&["person", "add", "Sar Kanika"]));

    // check(args, exit code, words the message must contain)
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["status", "Rong Chun"],
            4,
            "did you mean Rong Chhun (rong-chhun)?",
        ),
        (
            vec!["status", "Sar Kanika"],
            4,
            "\"Sar Kanika\" matches 2 people: ",
        ),
        (
            with_source(&["log", "detained", "Kem Sokha", "--on", "2021-13-40"]),
            2,
            "\"2021-13-40\" is not a valid date",
        ),
        (
            with_source(&["log", "released", "Kem Sokha", "--on", "2021-11-12"]),
            3,
            "needs the person to be in custody",
        ),
        (
            with_source(&["log", "detained", "Rong Chhun", "--on", "2021-01"]),
            3,
            "already in custody",
        ),
        (
            vec!["log", "detained", "Kem Sokha", "--on", "2021-01"],
            3,
            "has no source",
        ),
        (
            with_source(&["log", "detained", "Kem Sokha", "--on", "2999-01"]),
            3,
            "after today",
        ),
        (
            with_source(&[
                "log",
                "detained",
                "Kem Sokha",
                "--on",
                "2021",
                "--frobnicate",
            ]),
            2,
            "unexpected argument '--frobnicate'",
        ),
        (
            vec![
                "retract",
                "01890000-0000-7000-8000-000000000000",
                "--reason",
                "x",
            ],
            4,
            "no event",
        ),
        (vec!["status"], 2, "required"),
    ];
    for (args, code, says) in cases {
        let stderr = store.fails(code, &args);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[test]
fn a_store_held_by_another_process_is_refused_clearly() {
    let store = Store::new();
    log_worked_example(&store);
    let before = store.ok(&["export"]);
    {
        // This test process holds the store open, as a running habeas would.
        let _holder = habeas::tracker::Tracker::open(&store.path).unwrap();
        let started = std::time::Instant::now();
        let output = store.run(&with_source(&[
            "--lock-wait",
            "1",
            "log",
            "detained",
            "Kem Sokha",
            "--on",
            "2021",
        ]));
        assert_eq!(output.status.code(), Some(1));
        assert!(started.elapsed() >= std::time::Duration::from_secs(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let holder = format!("another habeas (pid {}, since ", std::process::id());
        assert!(
            stderr.starts_with(&format!("habeas: waiting for {holder}")),
            "{stderr}"
        );
        for says in [
            "another habeas process is using it",
            &holder,
            "waited 1 s (more with --lock-wait SECONDS)",
        ] {
            assert!(stderr.contains(says), "{says}: {stderr}");
        }
    }
    assert_eq!(store.ok(&["export"]), before);
    assert!(store.ok(&["verify"]).starts_with("ok: 8 events"));
}

#[test]
fn a_directory_that_is_not_a_store_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.odt"), b"my own file").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_habeas"))
        .arg("--db")
        .arg(dir.path())
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a habeas store"));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["thesis.odt"]);
}

#[test]
fn the_demo_runs_twice_without_touching_any_other_store() {
    for _ in 0..2 {
        let output = Command::new(env!("CARGO_BIN_EXE_habeas"))
            .arg("demo")
            .env_remove("HABEAS_DB")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.starts_with("EXAMPLE DATA"), "{stdout}");
        assert!(
            stdout.contains("Rong Chhun (rong-chhun): released"),
            "{stdout}"
        );
        assert!(
            stdout.contains("Kem Sokha (kem-sokha): restricted"),
            "{stdout}"
        );
        let path = stdout
            .lines()
            .nth(1)
            .unwrap()
            .trim_start_matches("Example store written to ")
            .to_owned();
        std::fs::remove_dir_all(path).unwrap();
    }
}

#[test]
fn reports_in_every_format_with_a_public_variant_and_escaping() {
    let store = Store::new();
    log_worked_example(&store);
    store.ok(&with_source(&[
        "log",
        "transferred",
        "Rong Chhun",
        "--on",
        "2020-09",
        "--to",
        "Secret Site 7",
        "--restricted",
        "--note",
        "family asked us not to publish",
    ]));
    store.ok(&with_source(&[
        "person",
        "add",
        "<script>alert(1)</script>",
    ]));

    let html = store.ok(&["report", "Rong Chhun", "--format", "html"]);
    assert!(
        html.contains("<svg") && html.contains("Secret Site 7"),
        "internal report shows everything"
    );
    for format in ["md", "html", "json"] {
        let public = store.ok(&["report", "Rong Chhun", "--public", "--format", format]);
        assert!(public.contains("Rong Chhun"), "{format}");
        for secret in ["Secret Site 7", "family asked us", "test officer"] {
            assert!(
                !public.contains(secret),
                "{format} public report leaks {secret:?}"
            );
        }
    }
    for format in ["md", "html", "csv", "json"] {
        let roster = store.ok(&["report", "--roster", "--format", format]);
        assert!(roster.contains("Kem Sokha"), "{format}");
        if format != "json" && format != "csv" {
            assert!(
                !roster.contains("<script>alert"),
                "{format} roster does not escape names"
            );
        }
    }
    let stderr = store.fails(2, &["report", "Rong Chhun", "--format", "csv"]);
    assert!(stderr.contains("csv is for rosters"), "{stderr}");
}

#[test]
fn every_kind_of_development_can_be_logged() {
    let store = Store::new();
    log_worked_example(&store);
    store.ok(&with_source(&[
        "log",
        "hearing",
        "Rong Chhun",
        "--on",
        "2021-01-15",
        "--outcome",
        "adjourned",
    ]));
    store.ok(&with_source(&[
        "log",
        "appealed",
        "Rong Chhun",
        "--on",
        "2021-09",
    ]));
    store.ok(&with_source(&[
        "log",
        "recognised",
        "Rong Chhun",
        "--on",
        "2021-09",
        "--by",
        "Example NGO list",
    ]));
    store.ok(&with_source(&["log", "exile", "Kem Sokha", "--on", "2022"]));
    store.ok(&with_source(&[
        "log",
        "charges-dropped",
        "Kem Sokha",
        "--on",
        "2022",
    ]));
    store.ok(&with_source(&["person", "add", "Test Person"]));
    store.ok(&with_source(&[
        "log",
        "acquitted",
        "Test Person",
        "--on",
        "2020",
    ]));
    let stderr = store.fails(
        3,
        &with_source(&["log", "died", "Test Person", "--on", "2021"]),
    );
    assert!(
        stderr.contains("needs the person to be in custody"),
        "{stderr}"
    );
    store.ok(&with_source(&[
        "log",
        "disappeared",
        "Test Person",
        "--on",
        "2021-03",
    ]));
    assert!(
        store
            .ok(&["status", "Test Person"])
            .contains(": disappeared")
    );
}

#[test]
fn verify_finds_a_read_model_altered_by_hand_and_rebuild_repairs_it() {
    let store = Store::new();
    log_worked_example(&store);
    let verified = store.ok(&["verify"]);
    assert!(
        verified.contains("read models of 2 people agree"),
        "{verified}"
    );
    let status: serde_json::Value =
        serde_json::from_str(&store.ok(&["status", "rong-chhun", "--json"])).unwrap();
    let id: uuid::Uuid = status["id"].as_str().unwrap().parse().unwrap();

    // Someone edits the read model behind habeas' back: Rong Chhun "died".
    {
        let projections = store.path.join("projections");
        let current = std::fs::read_to_string(projections.join("CURRENT")).unwrap();
        let generation = projections.join(current.trim().replace(' ', "-"));
        let db = sled::open(&generation).unwrap();
        let tree = db.open_tree("read-model").unwrap();
        let mut key = b"p/".to_vec();
        key.extend_from_slice(id.as_bytes());
        let row = tree.get(&key).unwrap().expect("Rong Chhun's row");
        let mut row: serde_json::Value = serde_json::from_slice(&row).unwrap();
        let custody = &mut row["standing"]["walk"]["custody"];
        assert_eq!(custody["state"], "at-liberty");
        *custody = serde_json::json!({"state": "deceased", "on": "2021-12"});
        tree.insert(&key, serde_json::to_vec(&row).unwrap())
            .unwrap();
        db.flush().unwrap();
        drop((tree, db));
        // sled's background jobs hold its lock a moment after the last handle.
        assert!(habeas_store_sled::wait_for_sled_release(
            &generation,
            habeas_store_sled::SLED_RELEASE_TIMEOUT
        ));
    }
    let listed = store.ok(&["person", "list"]);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("rong-chhun") && l.contains("deceased")),
        "the altered row is what a list shows:\n{listed}"
    );

    let stderr = store.fails(5, &["verify"]);
    assert!(
        stderr.contains("read models differ from a replay of the log"),
        "{stderr}"
    );
    assert!(
        stderr.contains("headline on ")
            && stderr.contains(": stored \"deceased\" but the log gives \"released\""),
        "{stderr}"
    );
    assert!(stderr.contains("habeas rebuild"), "{stderr}");

    let rebuilt = store.ok(&["rebuild"]);
    assert!(
        rebuilt.starts_with("rebuilt the read models from 8 events"),
        "{rebuilt}"
    );
    assert!(
        store
            .ok(&["verify"])
            .contains("read models of 2 people agree")
    );
    let listed = store.ok(&["person", "list"]);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("rong-chhun") && l.contains("released")),
        "{listed}"
    );
}

/// `habeas export | head` and the like: a reader that goes away is not an
/// error, for any command that writes to standard output.
#[test]
fn a_closed_pipe_on_standard_output_ends_quietly() {
    let store = Store::new();
    log_worked_example(&store);
    // More than a BufWriter's 8 KiB of export, so that the pipe breaks while
    // serde_json writes, not only at the final flush.
    for n in 0..40 {
        store.ok(&["person", "add", &format!("Namesake Number {n}")]);
    }
    let size = store.ok(&["export"]).len();
    assert!(size > 12 * 1024, "{size} bytes");
    for args in [
        &["completions", "bash"][..],
        &["--help"],
        &["log", "detained", "--help"],
        &["export"],
        &["person", "list"],
        &["history", "rong-chhun"],
        &["report", "--roster", "--format", "csv"],
        &["status", "rong-chhun", "--json"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_habeas"))
            .arg("--db")
            .arg(&store.path)
            .args(args)
            .env_remove("HABEAS_DB")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the command writes anything.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
}

/// The JSON a recording command printed with `--json`.
fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("{err}: {text}"))
}

/// The stored envelopes, by event id: what `--json` outputs are checked against.
fn envelopes(store: &Store) -> Vec<serde_json::Value> {
    store.ok(&["export"]).lines().map(json).collect()
}

/// The id of the first event of this type in `habeas history PERSON --json`.
fn event_id(store: &Store, person: &str, event_type: &str) -> String {
    let history = json(&store.ok(&["history", person, "--json"]));
    history
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["envelope"]["event_type"] == event_type)
        .unwrap_or_else(|| panic!("no {event_type} in {history}"))["envelope"]["event_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn every_recording_command_prints_its_events_positions_and_headline_as_json() {
    let store = Store::new();
    log_worked_example(&store);
    let detention = event_id(&store, "rong-chhun", "Detained");
    let restriction = event_id(&store, "kem-sokha", "RestrictionImposed");
    let jsonl = store.ok(&["export"]);
    let import_file = store.path.with_file_name("more.jsonl");
    std::fs::write(
        &import_file,
        "{\"person\": \"Kem Sokha\", \"action\": \"record_exile\", \"fields\": {\"occurred\": \"2022\", \"sources\": [{\"url\": \"https://example.org/exile\"}]}}\n",
    )
    .unwrap();
    drop(jsonl);
    let import_path = import_file.to_str().unwrap();

    // (command, what it recorded, the person's headline after it; None for a statement)
    let cases: Vec<(Vec<&str>, &str, Option<&str>)> = vec![
        (
            with_source(&["person", "add", "Sar Kanika", "--json"]),
            "registration",
            Some("unknown"),
        ),
        (
            with_source(&["log", "detained", "Sar Kanika", "--on", "2021-03", "--json"]),
            "detention",
            Some("detained"),
        ),
        (
            with_source(&[
                "log",
                "statement",
                "--by",
                "Example NGO",
                "--on",
                "2021-04",
                "--about",
                "Sar Kanika",
                "--summary",
                "Called for her release.",
                "--json",
            ]),
            "statement",
            None,
        ),
        (
            vec![
                "correct",
                &detention,
                "--on",
                "2020-07-31",
                "--reason",
                "the court file gives the day",
                "--json",
            ],
            "correction",
            Some("released"),
        ),
        (
            vec![
                "retract",
                &restriction,
                "--reason",
                "recorded for the wrong person",
                "--json",
            ],
            "retraction",
            Some("unknown"),
        ),
    ];
    for (args, recorded, headline) in cases {
        let out = json(&store.ok(&args));
        assert_eq!(out["recorded"], recorded, "{args:?}: {out}");
        assert_eq!(
            out["headline"],
            serde_json::json!(headline),
            "{args:?}: {out}"
        );
        assert_eq!(out["already_recorded"], false, "{args:?}: {out}");
        let ids = out["event_ids"].as_array().unwrap();
        let positions = out["positions"].as_array().unwrap();
        assert_eq!(ids.len(), 1, "{args:?}: {out}");
        assert_eq!(positions.len(), 1, "{args:?}: {out}");
        // The id and position are those of the event stored.
        let stored = envelopes(&store);
        let envelope = stored
            .iter()
            .find(|envelope| envelope["event_id"] == ids[0])
            .unwrap_or_else(|| panic!("{args:?}: {} not stored", ids[0]));
        assert_eq!(envelope["position"], positions[0], "{args:?}");
        assert_eq!(envelope["stream"], out["stream"], "{args:?}");
    }

    let head = envelopes(&store).len() as u64;
    let imported = json(&store.ok(&["import", import_path, "--json"]));
    assert_eq!(imported["n_events"], 1, "{imported}");
    assert_eq!(
        imported["positions"],
        serde_json::json!({"first": head + 1, "last": head + 1})
    );

    let verified = json(&store.ok(&["verify", "--json"]));
    assert_eq!(verified["events"], head + 1, "{verified}");
    assert_eq!(verified["chain_intact"], true, "{verified}");
    assert_eq!(verified["read_models"]["agree"], true, "{verified}");
    assert_eq!(verified["read_models"]["people"], 3, "{verified}");
}

#[test]
fn human_output_names_what_was_recorded_in_words_not_type_names() {
    let store = Store::new();
    log_worked_example(&store);
    let detention = event_id(&store, "rong-chhun", "Detained");
    let charge = event_id(&store, "rong-chhun", "Charged");
    // (command, what its output starts with)
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            with_source(&[
                "log",
                "restricted",
                "Rong Chhun",
                "--on",
                "2021-12",
                "--kind",
                "travel-ban",
            ]),
            "restriction recorded for Rong Chhun (event ",
        ),
        (
            with_source(&[
                "log",
                "statement",
                "--by",
                "Example NGO",
                "--on",
                "2021-12",
                "--summary",
                "A statement about no one by name.",
            ]),
            "statement recorded as statement ",
        ),
        (
            vec!["correct", &detention, "--on", "2020-07-31", "--reason", "r"],
            "correction recorded for event ",
        ),
        (
            vec!["retract", &charge, "--reason", "r"],
            "retraction recorded for event ",
        ),
    ];
    for (args, starts) in cases {
        let out = store.ok(&args);
        assert!(out.starts_with(starts), "{args:?}: {out}");
    }
    let history = store.ok(&["history", "Rong Chhun"]);
    for text in [store.ok(&["status", "Rong Chhun"]), history] {
        for type_name in [
            "RestrictionImposed",
            "EventCorrected",
            "EventRetracted",
            "StatementIssued",
            "Detained",
        ] {
            assert!(!text.contains(type_name), "{type_name} in {text}");
        }
    }
}

#[test]
fn history_shows_each_correction_on_the_fact_it_corrects_and_marks_retractions() {
    let store = Store::new();
    log_worked_example(&store);
    let detention = event_id(&store, "rong-chhun", "Detained");
    let charge = event_id(&store, "rong-chhun", "Charged");
    store.ok(&with_source(&[
        "correct",
        &detention,
        "--on",
        "2020-08",
        "--facility",
        "Correctional Centre 1",
        "--reason",
        "a later report",
    ]));
    store.ok(&["retract", &charge, "--reason", "not this person"]);
    let history = store.ok(&["history", "Rong Chhun"]);
    let block = |id: &str| -> String {
        let lines: Vec<&str> = history.lines().collect();
        let at = lines
            .iter()
            .position(|line| line.contains(&format!("event {id}")))
            .unwrap_or_else(|| panic!("no event {id} in {history}"));
        let end = lines[at + 1..]
            .iter()
            .position(|line| line.starts_with('#'))
            .map_or(lines.len(), |n| at + 1 + n);
        lines[at - 1..end].join("\n")
    };
    let detained = block(&detention);
    for says in [
        "corrected by #",
        "occurred: 2020-07 → 2020-08",
        "facility: Prey Sar prison → Correctional Centre 1",
        "sources: 1 source → 2 sources",
        "(reason: a later report)",
    ] {
        assert!(detained.contains(says), "{says}:\n{detained}");
    }
    let charged = block(&charge);
    assert!(
        charged.contains("[retracted] charged: incitement"),
        "{charged}"
    );
    assert!(
        charged.contains("RETRACTED by #") && charged.contains("(reason: not this person)"),
        "{charged}"
    );

    // The statement naming him is in his history with its ids, so that the
    // hint of `retract` ("see `habeas history PERSON` for event ids") leads
    // to an id that can be retracted.
    let line = history
        .lines()
        .find(|line| line.trim_start().starts_with("statement "))
        .unwrap_or_else(|| panic!("no statement in {history}"));
    let statement_event = line.rsplit("event ").next().unwrap().trim();
    assert!(history.contains("statement by United Nations"), "{history}");
    let out = store.ok(&["retract", statement_event, "--reason", "misattributed"]);
    assert!(out.starts_with("retraction recorded"), "{out}");
    let kem = store.ok(&["history", "Kem Sokha"]);
    assert!(
        kem.contains("[retracted] statement by United Nations"),
        "{kem}"
    );
}

#[test]
fn six_parallel_reads_of_one_store_all_succeed() {
    let store = Store::new();
    log_worked_example(&store);
    let children: Vec<_> = (0..6)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_habeas"))
                .arg("--db")
                .arg(&store.path)
                .args(["status", "rong-chhun"])
                .env_remove("HABEAS_DB")
                .env_remove("HABEAS_LOCK_WAIT")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(
            String::from_utf8_lossy(&output.stdout)
                .starts_with("Rong Chhun (rong-chhun): released"),
            "{stderr}"
        );
        // A read that had to wait said so, and whom it waited for when that
        // process had noted itself (it does once it holds the store): one of
        // the other reads.
        for line in stderr.lines() {
            assert!(
                line == "habeas: waiting for another habeas to finish…"
                    || (line.starts_with("habeas: waiting for another habeas (pid ")
                        && line.contains(", `habeas status`, since ")),
                "{line}"
            );
        }
    }
}

#[test]
fn no_command_but_init_demo_and_import_creates_a_store() {
    let root = tempfile::tempdir().unwrap();
    for path in [root.path().join("stroe"), root.path().join("deep/er/stroe")] {
        let db = path.to_str().unwrap();
        let cases: Vec<Vec<&str>> = vec![
            vec!["person", "list"],
            vec!["status", "Rong Chhun"],
            vec!["history", "Rong Chhun"],
            vec!["report", "Rong Chhun"],
            vec!["report", "--roster", "--format", "csv"],
            vec!["export"],
            vec!["verify"],
            vec!["rebuild"],
            with_source(&["person", "add", "Rong Chhun"]),
            with_source(&["log", "detained", "Rong Chhun", "--on", "2020"]),
            vec![
                "retract",
                "01890000-0000-7000-8000-000000000000",
                "--reason",
                "x",
            ],
        ];
        for args in cases {
            let output = Command::new(env!("CARGO_BIN_EXE_habeas"))
                .arg("--db")
                .arg(&path)
                .args(&args)
                .env("HABEAS_USER", "test officer")
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(1), "{args:?}");
            assert_eq!(
                String::from_utf8_lossy(&output.stderr),
                format!("habeas: no store at {db} (run `habeas --db {db} init` to create one)\n"),
                "{args:?}"
            );
            assert!(!path.exists(), "{args:?} created {db}");
            assert!(
                !root.path().join("deep").exists(),
                "{args:?} created a parent of {db}"
            );
        }
    }
}

#[test]
fn known_at_takes_a_day_as_what_was_known_by_its_end() {
    let store = Store::new();
    log_worked_example(&store);
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap().to_string();
    let today = today.to_string();
    // (--known-at, the headline): everything was recorded today, so by the
    // end of today it is all known, and at the end of yesterday nothing was.
    let cases = [
        (today.as_str(), "released"),
        (&today[..7], "released"),
        (yesterday.as_str(), "unknown"),
        ("2021-11-01", "unknown"),
        ("2021-11-01T00:00:00Z", "unknown"),
    ];
    for (known_at, headline) in cases {
        let out = json(&store.ok(&["status", "rong-chhun", "--known-at", known_at, "--json"]));
        assert_eq!(out["status"]["headline"], headline, "{known_at}");
    }
    let stderr = store.fails(2, &["status", "rong-chhun", "--known-at", "1 Nov 2021"]);
    assert!(
        stderr.contains("give YYYY-MM-DD (the end of that day, UTC) or an RFC 3339 time"),
        "{stderr}"
    );
    let help = store.ok(&["status", "--help"]);
    assert!(help.contains("means the end of that day"), "{help}");
}

#[test]
fn flags_and_messages_say_what_a_new_user_needs() {
    let store = Store::new();
    log_worked_example(&store);
    // (args, exit code, what standard error says)
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["log", "detained", "Kem Sokha", "--on", "2021-01"],
            3,
            "give --source URL, or --document REF",
        ),
        (
            vec![
                "log",
                "detained",
                "Kem Sokha",
                "--on",
                "2021-01",
                "--source",
                "not-a-url",
            ],
            2,
            "\"not-a-url\" is not a URL (e.g. https://example.org/report): for a document without one, use --document \"not-a-url\"",
        ),
        (vec!["status"], 2, "Usage: habeas status <PERSON>"),
    ];
    for (args, code, says) in cases {
        let stderr = store.fails(code, &args);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // Usage lines never present the global --db and --as as required.
    for help in [
        store.ok(&["--help"]),
        store.ok(&["status", "--help"]),
        store.ok(&["log", "detained", "--help"]),
    ] {
        for usage in help.lines().filter(|line| line.starts_with("Usage:")) {
            assert!(
                !usage.contains("--db") && !usage.contains("--as"),
                "{usage}"
            );
        }
    }
    store.ok(&[
        "log",
        "detained",
        "Kem Sokha",
        "--on",
        "2021-01",
        "--document",
        "court file 123/2020",
    ]);

    // Rong Chhun was released before the end of his term: no release is
    // expected any more.
    let status = store.ok(&["status", "Rong Chhun"]);
    assert!(!status.contains("expected release"), "{status}");
    assert!(status.contains("end of term: "), "{status}");

    let detention = event_id(&store, "rong-chhun", "Detained");
    store.ok(&with_source(&[
        "correct",
        &detention,
        "--reason",
        "a second report",
    ]));
    let report = store.ok(&["report", "Rong Chhun"]);
    assert!(report.contains("1 source → 2 sources"), "{report}");
    assert!(!report.contains("source(s)"), "{report}");
}

#[test]
fn recording_without_a_name_warns_and_says_how_to_give_one() {
    let store = Store::new();
    store.ok(&["init"]);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_habeas"))
            .arg("--db")
            .arg(&store.path)
            .args(args)
            .env_remove("HABEAS_USER")
            .env_remove("USER")
            .output()
            .unwrap()
    };
    let output = run(&with_source(&["person", "add", "Rong Chhun"]));
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for says in ["recording as \"unknown\"", "--as NAME", "HABEAS_USER"] {
        assert!(stderr.contains(says), "{says}: {stderr}");
    }
    assert!(store.ok(&["history", "rong-chhun"]).contains("by unknown"));
    // Reads record nothing, so they do not warn.
    let output = run(&["status", "rong-chhun"]);
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
