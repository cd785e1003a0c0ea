//! What the crash and concurrency tests share: the writer child process, its
//! acknowledgements, and the checks of a store after a crash.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

use habeas_store::{Envelope, EventStore};
use habeas_store_postgres::{PostgresConfig, PostgresStore};
use uuid::Uuid;

/// One acknowledged append as printed by the child.
#[derive(Debug, Clone)]
pub struct Ack {
    pub stream: String,
    pub first_position: u64,
    pub last_position: u64,
    pub event_ids: Vec<Uuid>,
}

pub fn parse_ack(line: &str) -> Option<Ack> {
    let mut words = line.strip_prefix("ack ")?.split(' ');
    let stream = words.next()?.to_owned();
    let first_position = words.next()?.parse().ok()?;
    let last_position = words.next()?.parse().ok()?;
    let event_ids = words
        .next()?
        .split(',')
        .map(|id| id.parse().ok())
        .collect::<Option<Vec<Uuid>>>()?;
    Some(Ack {
        stream,
        first_position,
        last_position,
        event_ids,
    })
}

/// A small deterministic generator, so that a failing run can be replayed from its seed.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

pub fn env_number(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
}

pub fn seed() -> u64 {
    env_number("HABEAS_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or(1)
    }) | 1
}

/// A running writer child: its complete stdout lines arrive on `lines` when it ends.
pub struct Writer {
    pub child: Child,
    pub ready: mpsc::Receiver<()>,
    lines: JoinHandle<Vec<String>>,
    errors: JoinHandle<String>,
}

impl Writer {
    pub fn spawn(url: &str, args: &[&str]) -> Writer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_habeas-store-postgres-crash-writer"))
            .arg(url)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the crash writer");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (ready_sender, ready) = mpsc::channel();
        let lines = thread::spawn(move || {
            let mut lines = Vec::new();
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            // Only complete lines count: a line cut by the kill was never fully printed.
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                if line.ends_with('\n') {
                    if line.starts_with("ready") {
                        let _ = ready_sender.send(());
                    }
                    lines.push(line.trim_end().to_owned());
                }
                line.clear();
            }
            lines
        });
        let errors = thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
            text
        });
        Writer {
            child,
            ready,
            lines,
            errors,
        }
    }

    /// SIGKILLs the child (if still running); returns whether it had exited by
    /// itself, its acknowledged appends and its stderr.
    pub fn kill(mut self) -> (bool, Vec<Ack>, String) {
        let exited = self.child.try_wait().expect("try_wait").is_some();
        let _ = self.child.kill();
        self.child.wait().expect("wait");
        self.finish(exited)
    }

    /// Waits for the child to exit; returns whether it succeeded, its acks and stderr.
    pub fn wait(mut self) -> (bool, Vec<Ack>, String) {
        let status = self.child.wait().expect("wait");
        self.finish(status.success())
    }

    fn finish(self, flag: bool) -> (bool, Vec<Ack>, String) {
        let lines = self.lines.join().expect("reader thread");
        let errors = self.errors.join().expect("stderr thread");
        let acks = lines.iter().filter_map(|line| parse_ack(line)).collect();
        (flag, acks, errors)
    }
}

/// Reopens the store and checks it after a crash: `verify` clean, positions gapless
/// up to the head, every acknowledged append present in full where it was
/// acknowledged, no append partial. Returns the whole log.
pub async fn check_store(url: &str, acks: &[Ack]) -> Vec<Envelope> {
    let store = PostgresStore::open_async(url, PostgresConfig::default())
        .await
        .expect("reopen after the crash")
        .expect("the store exists");
    let report = store.verify().await.expect("verify");
    assert!(report.is_ok(), "verify after a crash: {report:?}");
    let head = store.head().await.expect("head");
    assert_eq!(
        report.n_events, head,
        "positions are gapless up to the head"
    );

    let mut log: Vec<Envelope> = Vec::new();
    while (log.len() as u64) < head {
        let batch = store
            .read_all(log.len() as u64 + 1, 4096)
            .await
            .expect("read_all");
        assert!(!batch.is_empty(), "read_all stopped before the head");
        log.extend(batch);
    }
    for (index, envelope) in log.iter().enumerate() {
        assert_eq!(envelope.position, index as u64 + 1);
    }

    for ack in acks {
        let range = usize::try_from(ack.first_position - 1).expect("index")
            ..usize::try_from(ack.last_position).expect("index");
        let stored = log
            .get(range)
            .unwrap_or_else(|| panic!("acknowledged append lost: {ack:?}"));
        let ids: Vec<Uuid> = stored.iter().map(|envelope| envelope.event_id).collect();
        assert_eq!(ids, ack.event_ids, "acknowledged append changed: {ack:?}");
        assert!(
            stored
                .iter()
                .all(|envelope| envelope.stream.as_str() == ack.stream)
        );
    }

    let mut appends: BTreeMap<Uuid, Vec<&Envelope>> = BTreeMap::new();
    for envelope in &log {
        let command_id = envelope
            .command_id
            .expect("the writer always sets a command id");
        appends.entry(command_id).or_default().push(envelope);
    }
    for (command_id, events) in appends {
        let count = events[0].payload["count"].as_u64().expect("count");
        assert_eq!(events.len() as u64, count, "append {command_id} is partial");
        for (index, envelope) in events.iter().enumerate() {
            assert_eq!(envelope.payload["index"].as_u64(), Some(index as u64));
            assert_eq!(envelope.position, events[0].position + index as u64);
        }
    }
    log
}
