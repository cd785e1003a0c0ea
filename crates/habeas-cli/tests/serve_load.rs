//! `habeas serve` under load over real HTTP on loopback, then killed with
//! SIGKILL while the clients are still writing: every write the server
//! acknowledged (2xx) must be in the log afterwards, and the chain must
//! verify. Bounded in time: `HABEAS_LOAD_SECONDS` (default 3) of load by
//! `HABEAS_LOAD_CLIENTS` (default 64) clients; the figures are printed
//! (`cargo test -p habeas-cli --test serve_load -- --nocapture`).

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod server;

use server::{habeas, ok, start};

/// One request on a fresh connection; `None` when the server is gone.
fn http(address: &str, method: &str, path: &str, token: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    Some((status, body.to_owned()))
}

fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    acknowledged: Vec<String>,
    writes: Vec<Duration>,
    reads: Vec<Duration>,
    refused: Vec<String>,
}

#[test]
fn every_acknowledged_write_survives_sigkill_under_load() {
    let seconds = env_number("HABEAS_LOAD_SECONDS", 3);
    let n_clients = env_number("HABEAS_LOAD_CLIENTS", 64) as usize;
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    ok(habeas(&db).arg("init").output().expect("init"));
    let mut add = habeas(&db)
        .args([
            "user",
            "add",
            "loader",
            "--role",
            "documenter",
            "--password-stdin",
        ])
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
        .args(["token", "create", "load", "--user", "loader"])
        .output()
        .expect("token"))
    .trim()
    .to_owned();

    let (server, address) = start(&db);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let running = Arc::new(AtomicBool::new(true));
    let began = Instant::now();
    let clients: Vec<_> = (0..n_clients)
        .map(|client| {
            let (address, token, tally, running) =
                (address.clone(), token.clone(), tally.clone(), running.clone());
            std::thread::spawn(move || {
                let mut mine = Tally::default();
                let register = format!(r#"{{"fields": {{"name": "Load Client {client}"}}}}"#);
                let Some((201, body)) = http(&address, "POST", "/api/v1/people", &token, &register) else {
                    return;
                };
                let value: serde_json::Value = serde_json::from_str(&body).expect("json");
                let person = value["person"].as_str().expect("person").to_owned();
                let mut day = 0u32;
                while running.load(Ordering::Relaxed) {
                    day = day % 28 + 1;
                    let command_id = uuid::Uuid::now_v7().to_string();
                    let line = format!(
                        r#"{{"person": "{person}", "action": "record_hearing", "command_id": "{command_id}", "fields": {{"occurred": "2020-08-{day:02}", "sources": [{{"url": "https://example.org/h"}}]}}}}"#
                    );
                    let at = Instant::now();
                    match http(&address, "POST", "/api/v1/commands", &token, &line) {
                        Some((status, _)) if (200..300).contains(&status) => {
                            mine.writes.push(at.elapsed());
                            mine.acknowledged.push(command_id);
                        }
                        Some((status, body)) => mine.refused.push(format!("{status} {body}")),
                        None => break,
                    }
                    let at = Instant::now();
                    match http(&address, "GET", &format!("/api/v1/people/{person}/status"), &token, "") {
                        Some((200, _)) => mine.reads.push(at.elapsed()),
                        Some((status, body)) => mine.refused.push(format!("{status} {body}")),
                        None => break,
                    }
                }
                let mut all = tally.lock().expect("tally");
                all.acknowledged.extend(mine.acknowledged);
                all.writes.extend(mine.writes);
                all.reads.extend(mine.reads);
                all.refused.extend(mine.refused);
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    // Killed while the clients are still writing.
    signal(&server, "-KILL");
    let elapsed = began.elapsed();
    let _ = server.wait_with_output();
    running.store(false, Ordering::Relaxed);
    for client in clients {
        client.join().expect("client");
    }
    let mut tally = Arc::try_unwrap(tally)
        .ok()
        .expect("joined")
        .into_inner()
        .expect("tally");
    assert!(
        tally.refused.is_empty(),
        "refused: {:?}",
        &tally.refused[..tally.refused.len().min(5)]
    );
    assert!(!tally.acknowledged.is_empty(), "nothing was acknowledged");

    // Every acknowledged write is in the log after the kill.
    let export = ok(habeas(&db).arg("export").output().expect("export"));
    let stored: HashSet<String> = export
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|e| e["command_id"].as_str().map(str::to_owned))
        .collect();
    let lost: Vec<&String> = tally
        .acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    let verify = ok(habeas(&db).arg("verify").output().expect("verify"));
    assert!(verify.contains("hash chain intact"), "{verify}");

    // The server starts again on the store.
    let (server, address) = start(&db);
    let (status, _) =
        http(&address, "GET", "/api/v1/people?q=load", &token, "").expect("restarted");
    assert_eq!(status, 200);
    signal(&server, "-TERM");
    assert!(server.wait_with_output().expect("wait").status.success());

    tally.writes.sort();
    tally.reads.sort();
    let n_requests = tally.writes.len() + tally.reads.len();
    eprintln!(
        "load: {n_clients} clients, {:.1} s until SIGKILL: {} acknowledged writes, {} reads, {:.0} requests/s; \
         write p50 {:.1} ms p99 {:.1} ms; read p50 {:.1} ms p99 {:.1} ms; 0 acknowledged writes lost; chain verifies",
        elapsed.as_secs_f64(),
        tally.acknowledged.len(),
        tally.reads.len(),
        n_requests as f64 / elapsed.as_secs_f64(),
        percentile(&tally.writes, 0.5),
        percentile(&tally.writes, 0.99),
        percentile(&tally.reads, 0.5),
        percentile(&tally.reads, 0.99),
    );
}
