//! What the tests that run `habeas serve` as a child process share: the
//! binary over a store, a command's output, and starting the server on a
//! free loopback port.

// Each test binary that includes this module uses only part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// The `habeas` binary over the store at `db`, as the operator.
pub(crate) fn habeas(db: &Path) -> Command {
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
pub(crate) fn start(db: &Path) -> (Child, String) {
    let mut child = habeas(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
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
        if let Some((_, rest)) = line.split_once("on http://") {
            break rest.split('/').next().expect("address").to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, address)
}
