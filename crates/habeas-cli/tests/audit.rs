//! `habeas audit` as a child process, over a store a served API wrote its
//! security events into: the table, `--json`, and each filter, and bad
//! filters refused naming the value.

use std::io::Write;
use std::process::{Command, Stdio};

mod server;

use server::{habeas, http, ok, start};

#[test]
fn the_audit_lists_who_did_what_from_where_and_filters_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    ok(habeas(&db).arg("init").output().expect("init"));
    let mut add = habeas(&db)
        .args(["user", "add", "ana", "--role", "editor", "--password-stdin"])
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
    let token = ok(habeas(&db)
        .args(["token", "create", "tests", "--user", "ana"])
        .output()
        .expect("token"))
    .trim()
    .to_owned();

    let (server, address) = start(&db);
    let (status, _, _) = http(
        &address,
        "POST",
        "/api/v1/session",
        "",
        r#"{"name": "ana", "password": "not the password at all"}"#,
    );
    assert_eq!(status, 401);
    let (status, _, _) = http(
        &address,
        "GET",
        "/api/v1/people",
        "Authorization: Bearer hbs_forged_0000\r\n",
        "",
    );
    assert_eq!(status, 401);
    let (status, _, _) = http(
        &address,
        "GET",
        "/api/v1/export",
        &format!("Authorization: Bearer {token}\r\n"),
        "",
    );
    assert_eq!(status, 200);
    let stopped = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill");
    assert!(stopped.success());
    let mut server = server;
    assert!(server.wait().expect("wait").success());

    let audit = |args: &[&str]| ok(habeas(&db).arg("audit").args(args).output().expect("audit"));

    let table = audit(&[]);
    let header = table.lines().next().expect("a header");
    for column in ["WHEN (UTC)", "KIND", "WHO", "FROM", "OUTCOME", "WHAT"] {
        assert!(header.contains(column), "{header}");
    }
    for seen in [
        "account_created",
        "token_created",
        "login_failed",
        "credential_refused",
        "export",
        "127.0.0.1",
        "operator",
    ] {
        assert!(table.contains(seen), "{seen} missing from\n{table}");
    }

    let json: Vec<serde_json::Value> =
        serde_json::from_str(&audit(&["--json"])).expect("JSON array");
    let kinds: Vec<&str> = json
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds.first().copied(),
        Some("account_created"),
        "oldest first: {kinds:?}"
    );
    let failed = json
        .iter()
        .find(|e| e["kind"] == "login_failed")
        .expect("the failed sign-in");
    assert_eq!(failed["who"], "ana");
    assert_eq!(failed["from"], "127.0.0.1");
    assert!(failed["at"].as_str().is_some_and(|at| at.contains('T')));

    // (arguments, kinds expected, kinds not expected)
    let cases: [(&[&str], &[&str], &[&str]); 5] = [
        (
            &["--kind", "login_failed"],
            &["login_failed"],
            &["export", "account_created"],
        ),
        (
            &["--kind", "export,credential_refused"],
            &["export", "credential_refused"],
            &["login_failed"],
        ),
        (
            &["--user", "ana"],
            &["account_created", "login_failed", "export"],
            &["credential_refused"],
        ),
        (&["--since", "2000-01-01"], &["login_failed"], &[]),
        (
            &["--since", "2999-01-01"],
            &[],
            &["login_failed", "account_created"],
        ),
    ];
    for (args, present, absent) in cases {
        let mut with_json = args.to_vec();
        with_json.push("--json");
        let listed: Vec<serde_json::Value> =
            serde_json::from_str(&audit(&with_json)).expect("JSON array");
        let kinds: Vec<&str> = listed
            .iter()
            .map(|e| e["kind"].as_str().unwrap_or(""))
            .collect();
        for kind in present {
            assert!(
                kinds.contains(kind),
                "{args:?}: {kind} missing from {kinds:?}"
            );
        }
        for kind in absent {
            assert!(!kinds.contains(kind), "{args:?}: {kind} in {kinds:?}");
        }
    }
    assert!(audit(&["--since", "2999-01-01"]).contains("no audit events"));

    // Bad filters: a usage error naming the value, nothing listed.
    for (args, named) in [
        (&["--kind", "logins"][..], "logins"),
        (&["--since", "last tuesday"][..], "last tuesday"),
    ] {
        let refused = habeas(&db).arg("audit").args(args).output().expect("audit");
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains(named), "{said}");
        assert!(refused.stdout.is_empty());
    }
}
