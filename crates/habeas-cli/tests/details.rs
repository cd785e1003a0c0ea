//! A person's details from the command line to the reports: sex, place of
//! birth and group in every report, the residence in internal reports only.

use std::path::Path;
use std::process::Command;

fn habeas(db: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_habeas"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("HABEAS_USER", "tester")
        .env_remove("HABEAS_DB")
        .output()
        .expect("run habeas");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn details_reach_the_reports_and_the_residence_stays_internal() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    habeas(&db, &["init"]);
    habeas(
        &db,
        &[
            "person",
            "add",
            "Gulnara Example",
            "--sex",
            "female",
            "--born-in",
            "Kashgar",
            "--residence",
            "Urumqi, 12 Example Street",
            "--group",
            "Uyghur",
            "--source",
            "https://example.org/list",
        ],
    );
    let internal = habeas(&db, &["report", "gulnara-example", "--format", "md"]);
    let public = habeas(
        &db,
        &["report", "gulnara-example", "--format", "md", "--public"],
    );
    let public_json = habeas(
        &db,
        &["report", "gulnara-example", "--format", "json", "--public"],
    );
    // (text, in the internal report, in the public ones)
    let cases = [
        ("female", true, true),
        ("Kashgar", true, true),
        ("Uyghur", true, true),
        ("12 Example Street", true, false),
    ];
    for (text, internal_has, public_has) in cases {
        assert_eq!(internal.contains(text), internal_has, "internal, {text}");
        assert_eq!(public.contains(text), public_has, "public, {text}");
        assert_eq!(
            public_json.contains(text),
            public_has,
            "public JSON, {text}"
        );
    }
}
