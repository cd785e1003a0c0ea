//! Crashes on PostgreSQL: a writer process SIGKILLed at random moments, and the
//! server itself stopped with `pg_ctl stop -m immediate` in the middle of appends.
//! After each, every acknowledged append must be present, no append partial,
//! positions gapless and `verify` clean.
//!
//! `HABEAS_CRASH_KILLS` (default 50) and `HABEAS_CRASH_STOPS` (default 10) set the
//! number of crashes; `HABEAS_CRASH_SEED` replays a run (the seed is printed).

mod common;

use std::thread;
use std::time::{Duration, Instant};

use habeas_store_postgres::testing::{Cluster, binaries_available, fresh_database};
use habeas_store_postgres::{PostgresConfig, PostgresStore};

use common::{Ack, Writer, XorShift, check_store, env_number, seed};

const WRITER_TASKS: &str = "8";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_sigkill_of_the_writer() {
    let Some(database) = fresh_database() else {
        return;
    };
    let kills = env_number("HABEAS_CRASH_KILLS").unwrap_or(50);
    let seed = seed();
    println!("sigkill test: {kills} kills, HABEAS_CRASH_SEED={seed}");
    let mut rng = XorShift(seed);
    let started = Instant::now();
    let mut acks: Vec<Ack> = Vec::new();
    let mut last_head = 0;
    for kill in 0..kills {
        // The first run creates the store; one kill in four lands while the writer
        // connects and opens, the others while it appends.
        let writer = Writer::spawn(database.url(), &["write", WRITER_TASKS]);
        if kill > 0 && rng.below(4) == 0 {
            thread::sleep(Duration::from_millis(rng.below(40)));
        } else {
            let _ = writer.ready.recv_timeout(Duration::from_secs(20));
            thread::sleep(Duration::from_millis(20 + rng.below(200)));
        }
        let (exited, new_acks, stderr) = writer.kill();
        assert!(!exited, "the writer exited by itself: {stderr}");
        let n_new = new_acks.len();
        acks.extend(new_acks);
        let head = check_store(database.url(), &acks).await.len() as u64;
        assert!(
            head >= last_head,
            "the head went back from {last_head} to {head}"
        );
        println!("kill {kill}: {n_new} new acknowledged appends, head {head}");
        last_head = head;
    }
    println!(
        "sigkill test: {} acknowledged appends, {last_head} events, {:.1?}",
        acks.len(),
        started.elapsed()
    );
    assert!(
        !acks.is_empty(),
        "the writer acknowledged nothing in {kills} runs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_an_immediate_server_stop() {
    if !binaries_available() {
        return;
    }
    let stops = env_number("HABEAS_CRASH_STOPS").unwrap_or(10);
    let seed = seed();
    println!("server stop test: {stops} stops, HABEAS_CRASH_SEED={seed}");
    let mut rng = XorShift(seed);
    let cluster = Cluster::start().expect("start a cluster of our own");
    let url = cluster.create_database("crash").expect("create database");
    drop(
        PostgresStore::open_async(&url, PostgresConfig::default())
            .await
            .expect("create the store"),
    );
    let started = Instant::now();
    let mut acks: Vec<Ack> = Vec::new();
    for stop in 0..stops {
        let writer = Writer::spawn(&url, &["write", WRITER_TASKS]);
        let _ = writer.ready.recv_timeout(Duration::from_secs(20));
        thread::sleep(Duration::from_millis(50 + rng.below(300)));
        cluster
            .stop_immediately()
            .expect("pg_ctl stop -m immediate");
        // The writer's appends now fail; whatever it printed before was committed.
        let (_, new_acks, _) = writer.kill();
        let n_new = new_acks.len();
        acks.extend(new_acks);
        cluster.start_server().expect("restart the server");
        let head = check_store(&url, &acks).await.len();
        println!("stop {stop}: {n_new} new acknowledged appends, head {head}");
    }
    println!(
        "server stop test: {} acknowledged appends, {:.1?}",
        acks.len(),
        started.elapsed()
    );
    assert!(
        !acks.is_empty(),
        "the writer acknowledged nothing in {stops} runs"
    );
}
