//! The `habeas` binary on a PostgreSQL database (`--db postgres://…`), each command
//! a process of its own as users run them. Skipped with a message where no
//! PostgreSQL is installed, never under CI (see `habeas_store_postgres::testing`).

use std::path::Path;
use std::process::{Command, Output};

use habeas_store_postgres::testing::{TestDatabase, fresh_database};

/// One user's machine: the database and that machine's cache of read models.
struct Client<'a> {
    database: &'a TestDatabase,
    cache: tempfile::TempDir,
}

impl<'a> Client<'a> {
    fn new(database: &'a TestDatabase) -> Self {
        Self {
            database,
            cache: tempfile::tempdir().expect("cache directory"),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        run(self.database.url(), self.cache.path(), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8 output")
    }
}

fn run(db: &str, cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_habeas"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("HABEAS_USER", "test officer")
        .env("HABEAS_CACHE_DIR", cache)
        .env_remove("HABEAS_DB")
        .output()
        .expect("run habeas")
}

const SOURCE: &[&str] = &["--source", "https://example.org/2021-report"];

fn with_source<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend_from_slice(SOURCE);
    all
}

#[test]
fn commands_work_on_postgres_and_each_process_sees_the_others_writes_at_once() {
    let Some(database) = fresh_database() else {
        return;
    };
    let alice = Client::new(&database);
    let bob = Client::new(&database);
    alice.ok(&["init"]);
    let added = alice.ok(&with_source(&[
        "person",
        "add",
        "Rong Chhun",
        "--country",
        "KH",
    ]));
    assert!(
        added.contains("registered Rong Chhun as rong-chhun"),
        "{added}"
    );
    alice.ok(&with_source(&[
        "log",
        "detained",
        "rong-chhun",
        "--on",
        "2020-07-31",
    ]));
    // Bob's process, with read models of its own, sees Alice's writes at once...
    let status = bob.ok(&["status", "rong-chhun"]);
    assert!(status.contains("detained"), "{status}");
    let roster = bob.ok(&["person", "list"]);
    assert!(roster.contains("rong-chhun"), "{roster}");
    // ...and Alice's sees Bob's.
    bob.ok(&with_source(&[
        "log",
        "released",
        "rong-chhun",
        "--on",
        "2021-11-11",
    ]));
    let status = alice.ok(&["status", "rong-chhun"]);
    assert!(status.contains("released"), "{status}");
    let roster = alice.ok(&["person", "list"]);
    assert!(roster.contains("released"), "{roster}");
    let verified = alice.ok(&["verify"]);
    assert!(
        verified.contains("ok: 3 events, hash chain intact"),
        "{verified}"
    );
}

#[test]
fn reads_never_create_a_store_in_a_database() {
    let Some(database) = fresh_database() else {
        return;
    };
    let client = Client::new(&database);
    let output = client.run(&["status", "anyone"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no store at postgres://"), "{stderr}");
    client.ok(&["init"]);
    let output = client.run(&["status", "anyone"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no person matches"), "{stderr}");
}

#[test]
fn a_sled_export_piped_into_postgres_exports_byte_identical() {
    let Some(database) = fresh_database() else {
        return;
    };
    let scratch = tempfile::tempdir().expect("tempdir");
    let sled_store = scratch.path().join("sled");
    let sled_db = sled_store.to_str().expect("utf-8 path");
    let demo = run(sled_db, scratch.path(), &["demo"]);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let export = run(sled_db, scratch.path(), &["export"]);
    assert!(export.status.success());
    // `habeas export | habeas --db postgres://… import -`, as a shell pipes it.
    let client = Client::new(&database);
    let piped = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" --db "$1" export | "$0" --db "$2" import -"#)
        .arg(env!("CARGO_BIN_EXE_habeas"))
        .arg(sled_db)
        .arg(database.url())
        .env("HABEAS_CACHE_DIR", client.cache.path())
        .env("HABEAS_USER", "test officer")
        .output()
        .expect("run the pipe");
    let restored = String::from_utf8_lossy(&piped.stdout);
    assert!(
        piped.status.success() && restored.contains("hash chain verified"),
        "{restored} {}",
        String::from_utf8_lossy(&piped.stderr)
    );
    let again = client.run(&["export"]);
    assert!(again.status.success());
    assert!(
        again.stdout == export.stdout,
        "the export of the PostgreSQL store differs from the sled export it was restored from"
    );
    let verified = client.ok(&["verify"]);
    assert!(verified.contains("hash chain intact"), "{verified}");
}
