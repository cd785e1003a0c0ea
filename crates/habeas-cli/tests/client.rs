//! Client mode as child processes: `habeas --server URL` with a real token
//! against a real `habeas serve` on loopback, over a data directory the
//! server holds. The commands never open a store (HABEAS_DB points nowhere):
//! the server decides who may read and record what.

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod server;

use server::{habeas, ok, start};

const SOURCE: &str = "https://example.org/report";

fn add_user(db: &std::path::Path, name: &str, role: &str) -> String {
    let mut add = habeas(db)
        .args(["user", "add", name, "--role", role, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("user add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(b"correct horse battery staple\n")
        .expect("password");
    ok(add.wait_with_output().expect("user add"));
    ok(habeas(db)
        .args(["token", "create", "cli", "--user", name])
        .output()
        .expect("token"))
    .trim()
    .to_owned()
}

/// `habeas --server URL` with `token` in HABEAS_TOKEN, and no store.
fn client(url: &str, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_habeas"))
        .args(["--server", url])
        .args(args)
        .env("HABEAS_TOKEN", token)
        .env("HABEAS_DB", "/nonexistent/habeas-store")
        .env_remove("HABEAS_SERVER")
        .output()
        .expect("run the client")
}

fn said(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_cli_reads_and_records_through_a_running_server_as_its_token_allows() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    ok(habeas(&db).arg("init").output().expect("init"));
    let editor = add_user(&db, "ana", "editor");
    let viewer = add_user(&db, "vic", "viewer");
    ok(habeas(&db)
        .args([
            "person",
            "add",
            "Rong Chhun",
            "--alias",
            "Rorng Chhun",
            "--document",
            "file 1",
        ])
        .output()
        .expect("add"));
    ok(habeas(&db)
        .args([
            "log",
            "detained",
            "rong-chhun",
            "--on",
            "2020-07-31",
            "--source",
            SOURCE,
        ])
        .output()
        .expect("detained"));
    ok(habeas(&db)
        .args([
            "log",
            "transferred",
            "rong-chhun",
            "--on",
            "2020-09",
            "--to",
            "Secret Site 7",
            "--restricted",
            "--source",
            SOURCE,
        ])
        .output()
        .expect("transferred"));
    let (mut server, address) = start(&db);
    let url = format!("http://{address}");

    // Reads: the same output as without --server.
    let status = ok(client(
        &url,
        &editor,
        &["status", "Rorng Chhun", "--as-of", "2020-12"],
    ));
    assert!(
        status.starts_with("Rong Chhun (rong-chhun): detained"),
        "{status}"
    );
    assert!(status.contains("as of 2020-12-31"), "{status}");
    let json = ok(client(&url, &editor, &["status", "rong-chhun", "--json"]));
    let value: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(value["slug"], "rong-chhun");
    assert_eq!(value["status"]["headline"], "detained");
    let listed = ok(client(&url, &viewer, &["person", "list"]));
    assert!(
        listed.contains("rong-chhun") && listed.contains("detained"),
        "{listed}"
    );
    let roster = ok(client(
        &url,
        &viewer,
        &["report", "--roster", "--format", "csv"],
    ));
    assert!(roster.contains("Rong Chhun"), "{roster}");

    // The restricted transfer: seen with the editor's token, absent from
    // every answer to the viewer's.
    // (command, what the editor's answer holds)
    let reads: [&[&str]; 4] = [
        &["history", "rong-chhun"],
        &["history", "rong-chhun", "--json"],
        &["status", "rong-chhun", "--json"],
        &["report", "rong-chhun", "--format", "md"],
    ];
    for args in reads {
        let as_editor = ok(client(&url, &editor, args));
        assert!(as_editor.contains("Secret Site 7"), "{args:?}: {as_editor}");
        let as_viewer = ok(client(&url, &viewer, args));
        assert!(
            !as_viewer.contains("Secret Site 7"),
            "{args:?}: {as_viewer}"
        );
    }

    // Writes: recorded by the token's account, through the command format.
    let logged = ok(client(
        &url,
        &editor,
        &[
            "log",
            "released",
            "Rong Chhun",
            "--on",
            "2021-11-11",
            "--source",
            SOURCE,
        ],
    ));
    assert!(
        logged.starts_with("release recorded for Rong Chhun (event "),
        "{logged}"
    );
    assert!(logged.trim_end().ends_with("now released"), "{logged}");
    let history = ok(client(&url, &editor, &["history", "rong-chhun", "--json"]));
    assert!(history.contains(r#""recorded_by": "ana""#), "{history}");

    // Refusals: (token, arguments, exit code, the message holds)
    let hearing = [
        "log",
        "hearing",
        "rong-chhun",
        "--on",
        "2021-12",
        "--source",
        SOURCE,
    ];
    let cases: [(&str, &[&str], i32, &str); 5] = [
        (&viewer, &hearing, 6, "role"),
        (
            "hbs_00000000000000000000000000000000_forged",
            &["status", "rong-chhun"],
            6,
            "refused the token",
        ),
        (&editor, &["status", "Nobody Known"], 4, "Nobody Known"),
        (
            &editor,
            &["status", "rong-chhun", "--as-of", "2021-02-30"],
            2,
            "2021-02-30",
        ),
        (&editor, &["verify"], 2, "with --server"),
    ];
    for (token, args, code, message) in cases {
        let refused = client(&url, token, args);
        let text = said(&refused);
        assert_eq!(refused.status.code(), Some(code), "{args:?}: {text}");
        assert!(text.contains(message), "{args:?}: {text}");
        assert!(!text.contains(token), "{args:?} printed the token: {text}");
    }
    // Nothing the refusals asked for was recorded.
    let history = ok(client(&url, &editor, &["history", "rong-chhun"]));
    assert!(!history.contains("hearing"), "{history}");

    // A token is never sent in clear over a network, and is needed.
    let remote = client("http://192.0.2.1:8080", &editor, &["status", "rong-chhun"]);
    assert_eq!(remote.status.code(), Some(2), "{}", said(&remote));
    assert!(said(&remote).contains("refusing to send the token in clear"));
    let tokenless = client(&url, "", &["status", "rong-chhun"]);
    assert_eq!(tokenless.status.code(), Some(2), "{}", said(&tokenless));
    assert!(
        said(&tokenless).contains("needs a token"),
        "{}",
        said(&tokenless)
    );

    server.kill().expect("kill");
    server.wait().expect("wait");
}
