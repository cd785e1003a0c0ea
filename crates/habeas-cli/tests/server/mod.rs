//! What the tests that run `habeas serve` as a child process share: the
//! binary over a store, a command's output, and starting the server on a
//! free loopback port.

// Each test binary that includes this module uses only part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The `habeas` binary over the store at `db` (a path or a `postgres://`
/// URL), as the operator.
pub(crate) fn habeas(db: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_habeas"));
    command
        .arg("--db")
        .arg(db)
        .env("HABEAS_USER", "operator")
        .env_remove("HABEAS_DB");
    command
}

/// The standard output of a command that must have succeeded.
pub(crate) fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// Starts `habeas serve` on a free loopback port; returns the child and the
/// address it listens on. A server that exits before saying so fails the
/// test with what it said.
pub(crate) fn start(db: impl AsRef<OsStr>) -> (Child, String) {
    start_command(habeas(db).args(["serve", "--listen", "127.0.0.1:0"]))
}

/// Starts a `habeas serve` command (with its `--listen 127.0.0.1:0`) and
/// waits until it says where it listens.
pub(crate) fn start_command(command: &mut Command) -> (Child, String) {
    let mut child = command
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn the server");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut said = Vec::new();
    let address = loop {
        let line = match lines.next() {
            Some(line) => line.expect("line"),
            None => panic!("the server exited: {said:?}"),
        };
        said.push(line.clone());
        if let Some((_, rest)) = line
            .split_once("on http://")
            .or_else(|| line.split_once("on https://"))
        {
            break rest.split('/').next().expect("address").to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, address)
}

/// One HTTP/1.1 request with extra header lines; returns status, head, body.
pub(crate) fn http(
    address: &str,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
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
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (status, head.to_owned(), body.to_owned())
}
