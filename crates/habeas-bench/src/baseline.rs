//! The baselines: raw sled and SQLite, written with the same encoded envelope
//! bytes and the same groups as Habeas.
//!
//! Raw sled writes the keys Habeas writes (`e/` envelope, `s/` stream index,
//! `i/` event-id index, `m/head`) with one `apply_batch` and one `flush` per group
//! and decides nothing; [`RawSledSync::Fsync`] adds the `fsync` of the `db` file
//! that Habeas adds because sled's flush does not reach stable storage. SQLite uses
//! WAL with `synchronous=FULL` and one transaction per group.

use std::ops::Range;
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use uuid::Uuid;

use crate::stats::Samples;

/// One stored envelope as the baselines write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedEvent {
    /// Global position.
    pub position: u64,
    /// Stream name.
    pub stream: String,
    /// Version in the stream.
    pub version: u64,
    /// The event id.
    pub event_id: Uuid,
    /// The envelope JSON, byte for byte as Habeas stores it.
    pub bytes: Vec<u8>,
}

/// Whether raw sled also fsyncs its `db` file after each flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RawSledSync {
    /// `flush` only (sled 0.34 uses `sync_file_range`: not durable on power loss).
    FlushOnly,
    /// `flush`, then `fsync` of the `db` file, as Habeas does.
    Fsync,
}

fn stream_key(stream: &str, version: u64) -> Vec<u8> {
    let mut key = b"s/".to_vec();
    key.extend_from_slice(stream.as_bytes());
    key.push(0);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

/// Writes `events` into a new sled database in `path`, one batch and one flush per
/// group; returns the time taken.
pub fn raw_sled_import(
    path: &Path,
    events: &[EncodedEvent],
    groups: &[Range<usize>],
    sync: RawSledSync,
) -> anyhow::Result<Duration> {
    let db = sled::Config::new()
        .path(path)
        .cache_capacity(64 * 1024 * 1024)
        .open()?;
    let db_file = std::fs::File::open(path.join("db"))?;
    let start = Instant::now();
    for group in groups {
        let mut batch = sled::Batch::default();
        let mut head = 0;
        for event in &events[group.clone()] {
            let position = event.position.to_be_bytes();
            let mut event_key = b"e/".to_vec();
            event_key.extend_from_slice(&position);
            batch.insert(event_key, event.bytes.as_slice());
            batch.insert(stream_key(&event.stream, event.version), &position);
            let mut id_key = b"i/".to_vec();
            id_key.extend_from_slice(event.event_id.as_bytes());
            batch.insert(id_key, &position);
            head = event.position;
        }
        batch.insert(b"m/head", &head.to_be_bytes());
        db.apply_batch(batch)?;
        db.flush()?;
        if sync == RawSledSync::Fsync {
            db_file.sync_all()?;
        }
    }
    Ok(start.elapsed())
}

/// Opens (or creates) the SQLite baseline database: WAL, `synchronous=FULL`, the
/// events table.
pub fn sqlite_open(path: &Path) -> anyhow::Result<Connection> {
    let connection = Connection::open(path)?;
    configure(&connection)?;
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS events (
             position INTEGER PRIMARY KEY,
             stream TEXT NOT NULL,
             version INTEGER NOT NULL,
             payload TEXT NOT NULL,
             UNIQUE (stream, version)
         );",
    )?;
    Ok(connection)
}

fn configure(connection: &Connection) -> anyhow::Result<()> {
    connection.busy_timeout(Duration::from_secs(30))?;
    let mode: String = connection.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    anyhow::ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "SQLite refused WAL mode: {mode}"
    );
    connection.execute_batch("PRAGMA synchronous=FULL;")?;
    Ok(())
}

/// Inserts `events` with one transaction per group; returns the time taken.
pub fn sqlite_import(
    connection: &mut Connection,
    events: &[EncodedEvent],
    groups: &[Range<usize>],
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    for group in groups {
        let transaction = connection.transaction()?;
        {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO events (position, stream, version, payload) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for event in &events[group.clone()] {
                let payload = std::str::from_utf8(&event.bytes)?;
                insert.execute(params![
                    event.position as i64,
                    event.stream,
                    event.version as i64,
                    payload
                ])?;
            }
        }
        transaction.commit()?;
    }
    Ok(start.elapsed())
}

/// What a run of concurrent writers did.
#[derive(Debug, Clone, Default)]
pub struct WritersRun {
    /// Events written.
    pub n_events: u64,
    /// From the start of the first write to the end of the last.
    pub elapsed: Duration,
    /// The latency of every write.
    pub latencies: Samples,
}

/// `writers` threads, each with its own connection, insert one event per commit
/// (autocommit) into their own stream for `duration`.
pub fn sqlite_concurrent_appends(
    path: &Path,
    writers: usize,
    duration: Duration,
    payload: &str,
    run_label: &str,
) -> anyhow::Result<WritersRun> {
    let start = Instant::now();
    let deadline = start + duration;
    let results = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|writer| {
                scope.spawn(move || -> anyhow::Result<Samples> {
                    let connection = Connection::open(path)?;
                    configure(&connection)?;
                    let stream = format!("sqlite-writer-{run_label}-{writer}");
                    let mut insert = connection.prepare(
                        "INSERT INTO events (stream, version, payload) VALUES (?1, ?2, ?3)",
                    )?;
                    let mut latencies = Samples::new();
                    let mut version = 0i64;
                    while Instant::now() < deadline {
                        version += 1;
                        let began = Instant::now();
                        insert.execute(params![stream, version, payload])?;
                        latencies.push(began.elapsed());
                    }
                    Ok(latencies)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("writer thread panicked"))
            .collect::<Vec<_>>()
    });
    let elapsed = start.elapsed();
    let mut run = WritersRun {
        elapsed,
        ..WritersRun::default()
    };
    for result in results {
        let latencies = result?;
        run.n_events += latencies.len() as u64;
        run.latencies.extend(latencies);
    }
    Ok(run)
}
