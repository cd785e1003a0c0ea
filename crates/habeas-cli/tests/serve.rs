//! `habeas serve` as a child process, spoken to over real HTTP on loopback:
//! accounts made with `habeas user add` and `habeas token create`, a write
//! and a read through the API, a CLI command refused while the server holds
//! the store, and a graceful stop on SIGTERM that keeps every acknowledged
//! write.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

mod server;

use server::{habeas, ok, start};

/// One HTTP/1.1 request on a fresh connection; returns status and body.
fn http(address: &str, method: &str, path: &str, token: &str, body: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn the_binary_serves_the_api_on_loopback_and_stops_gracefully() {
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
    assert!(token.starts_with("hbs_"), "{token}");

    let (server, address) = start(&db);
    let (status, body) = http(
        &address,
        "POST",
        "/api/v1/people",
        &token,
        Some(r#"{"fields": {"name": "Rong Chhun"}}"#),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = http(
        &address,
        "POST",
        "/api/v1/commands",
        &token,
        Some(
            r#"{"person": "Rong Chhun", "action": "record_detention", "fields": {"occurred": "2020-07", "kind": "arrest", "sources": [{"url": "https://example.org/a"}]}}"#,
        ),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = http(
        &address,
        "GET",
        "/api/v1/people/rong-chhun/status",
        &token,
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""headline":"detained""#), "{body}");
    let (status, _) = http(&address, "GET", "/api/v1/people", "hbs_forged_0000", None);
    assert_eq!(status, 401);

    // The server holds the store: the CLI says so and changes nothing.
    let refused = habeas(&db)
        .args(["--lock-wait", "0", "person", "list"])
        .output()
        .expect("list");
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("habeas serve"), "{said}");

    let stopped = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill");
    assert!(stopped.success());
    let exit = server.wait_with_output().expect("wait");
    assert!(exit.status.success(), "{:?}", exit.status);

    // Every acknowledged write is there, recorded by the account.
    let history = ok(habeas(&db)
        .args(["history", "rong-chhun", "--json"])
        .output()
        .expect("history"));
    assert!(history.contains("\"Detained\""), "{history}");
    assert!(history.contains("\"recorded_by\": \"ana\""), "{history}");
    let verify = ok(habeas(&db).arg("verify").output().expect("verify"));
    assert!(verify.contains("hash chain intact"), "{verify}");
}
