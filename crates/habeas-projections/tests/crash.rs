//! Kill a process that appends domain events and projects them live with
//! SIGKILL at random moments; after each kill, reopening both and catching up
//! must give a read model equal to a fresh replay of the log (the audit finds
//! no difference), every time.
//!
//! `HABEAS_CRASH_KILLS` sets the number of kills (default 12);
//! `HABEAS_CRASH_SEED` replays a run (the seed is printed).

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use habeas_projections::{ProjectionConfig, Projections};
use habeas_store::EventStore;
use habeas_store_sled::{SledConfig, SledStore};

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

/// Runs the child until a random moment, kills it; returns its acks.
fn run_and_kill(path: &Path, rng: &mut XorShift) -> usize {
    let mode = if rng.below(4) == 0 {
        "rebuild-then-run"
    } else {
        "run"
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_habeas-projections-crash"))
        .arg(path)
        .arg(rng.next().to_string())
        .arg(mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the crash child");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let (ready_sender, ready_receiver) = std::sync::mpsc::channel();
    let reader = thread::spawn(move || {
        let mut acks = 0;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("ready") {
                let _ = ready_sender.send(());
            } else if line.starts_with("ack") {
                acks += 1;
            }
        }
        acks
    });
    let errors = thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    // One kill in four lands while opening, catching up or rebuilding.
    if rng.below(4) == 0 {
        thread::sleep(Duration::from_millis(rng.below(60)));
    } else {
        let _ = ready_receiver.recv_timeout(Duration::from_secs(20));
        thread::sleep(Duration::from_millis(100 + rng.below(500)));
    }
    let exited_early = child.try_wait().expect("try_wait");
    child.kill().expect("SIGKILL the child");
    child.wait().expect("wait");
    let acks = reader.join().expect("reader thread");
    let stderr_text = errors.join().expect("stderr thread");
    assert!(
        exited_early.is_none(),
        "the child exited by itself ({exited_early:?}): {stderr_text}"
    );
    acks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_model_matches_a_replay_after_every_sigkill() {
    let kills = env_number("HABEAS_CRASH_KILLS").unwrap_or(12);
    let seed = env_number("HABEAS_CRASH_SEED").unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or(1)
    }) | 1;
    println!("projection crash test: {kills} kills, HABEAS_CRASH_SEED={seed}");
    let mut rng = XorShift(seed);
    let directory = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let mut n_acks = 0;
    let mut behind_total = 0;
    for kill in 0..kills {
        n_acks += run_and_kill(directory.path(), &mut rng);
        let store = SledStore::open(directory.path().join("events"), SledConfig::default())
            .expect("reopen the store");
        let projections = Projections::open(
            directory.path().join("projections"),
            ProjectionConfig::default(),
        )
        .expect("reopen the projections");
        let head = store.head().await.expect("head");
        let before = projections.checkpoint().expect("checkpoint");
        assert!(before <= head, "checkpoint {before} beyond head {head}");
        let after = projections.catch_up(&store).await.expect("catch up");
        assert_eq!(after, head, "catch-up reaches the head");
        let audit = projections
            .audit(&store, chrono::Utc::now().date_naive())
            .await
            .expect("audit");
        assert!(
            audit.is_clean(),
            "kill {kill} (seed {seed}): the read model differs from the log: {:#?}",
            audit.differences
        );
        println!(
            "kill {kill}: head {head}, checkpoint after the kill {before}, {} people, audit clean",
            audit.n_people
        );
        behind_total += head - before;
    }
    println!(
        "projection crash test: {n_acks} acknowledged appends, {behind_total} events re-applied by catch-up, {:.1?}",
        started.elapsed()
    );
    assert!(n_acks > 0, "the child acknowledged nothing in {kills} runs");
}
