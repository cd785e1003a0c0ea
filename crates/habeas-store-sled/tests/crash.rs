//! Kill a writing process with SIGKILL at random moments; after each kill every
//! acknowledged append must be present, no append may be partial, positions must be
//! gapless and `verify` must pass.
//!
//! `HABEAS_CRASH_KILLS` sets the number of kills (default 20);
//! `HABEAS_CRASH_SEED` replays a run (the seed is printed).

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use habeas_store::{Envelope, EventStore};
use habeas_store_sled::{SledConfig, SledStore};
use uuid::Uuid;

const WRITER_TASKS: &str = "8";

/// One acknowledged append as printed by the child.
#[derive(Debug, Clone)]
struct Ack {
    stream: String,
    first_position: u64,
    last_position: u64,
    event_ids: Vec<Uuid>,
}

fn parse_ack(line: &str) -> Option<Ack> {
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
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
}

/// Runs the writer until a random moment, kills it, returns the complete lines it printed.
fn run_and_kill(path: &Path, rng: &mut XorShift) -> (Vec<String>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_habeas-store-crash-writer"))
        .arg(path)
        .arg("write")
        .arg(WRITER_TASKS)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the crash writer");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let (ready_sender, ready_receiver) = std::sync::mpsc::channel();
    let reader = thread::spawn(move || {
        let mut lines = Vec::new();
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        // Only complete lines count: a line cut by the kill was never fully acknowledged.
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
    // One kill in four lands during open and recovery, the others while appending.
    if rng.below(4) == 0 {
        thread::sleep(Duration::from_millis(rng.below(40)));
    } else {
        let _ = ready_receiver.recv_timeout(Duration::from_secs(20));
        thread::sleep(Duration::from_millis(20 + rng.below(250)));
    }
    let exited_early = child.try_wait().expect("try_wait");
    child.kill().expect("SIGKILL the writer");
    child.wait().expect("wait");
    let lines = reader.join().expect("reader thread");
    let stderr_text = errors.join().expect("stderr thread");
    assert!(
        exited_early.is_none(),
        "the writer exited by itself ({exited_early:?}): {stderr_text}"
    );
    (lines, stderr_text)
}

async fn check_store(path: &Path, acks: &[Ack]) -> u64 {
    let store = SledStore::open(path, SledConfig::default()).expect("reopen after the kill");
    let report = store.verify().await.expect("verify");
    assert!(report.is_ok(), "verify after a kill: {report:?}");
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

    // Every acknowledged append is present, in full, where it was acknowledged.
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

    // No append is partial: the events of one command are all there, contiguous, in order.
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
    head
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_sigkill() {
    let kills = env_number("HABEAS_CRASH_KILLS").unwrap_or(20);
    let seed = env_number("HABEAS_CRASH_SEED").unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or(1)
    }) | 1;
    println!("crash test: {kills} kills, HABEAS_CRASH_SEED={seed}");
    let mut rng = XorShift(seed);
    let directory = tempfile::tempdir().expect("tempdir");
    let path = directory.path().join("store");
    let started = Instant::now();
    let mut acks: Vec<Ack> = Vec::new();
    let mut last_head = 0;
    for kill in 0..kills {
        let (lines, _stderr) = run_and_kill(&path, &mut rng);
        let new_acks: Vec<Ack> = lines.iter().filter_map(|line| parse_ack(line)).collect();
        let n_new = new_acks.len();
        acks.extend(new_acks);
        let head = check_store(&path, &acks).await;
        assert!(
            head >= last_head,
            "the head went back from {last_head} to {head}"
        );
        println!("kill {kill}: {n_new} new acknowledged appends, head {head}");
        last_head = head;
    }
    println!(
        "crash test: {} acknowledged appends, {last_head} events, {:.1?}",
        acks.len(),
        started.elapsed()
    );
    assert!(
        !acks.is_empty(),
        "the writer acknowledged nothing in {kills} runs"
    );
}
