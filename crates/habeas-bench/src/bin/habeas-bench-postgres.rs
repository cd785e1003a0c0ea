//! `habeas-bench-postgres`: the PostgreSQL backend's benchmarks (issue 16) in one run
//! on one generated data set, with their baselines measured in the same invocation:
//! raw PostgreSQL inserting the same rows (multi-row `INSERT … UNNEST`, same indexes,
//! same commit groups), the sled backend, SQLite with one commit per event. Prints a
//! Markdown table on stdout and progress on stderr.
//!
//! ```text
//! habeas-bench-postgres [--persons 10000] [--seed 7] [--concurrency 256]
//!                       [--writer-seconds 2] [--cli-runs 20] [--habeas PATH]
//! ```
//!
//! The server: `HABEAS_BENCH_POSTGRES_URL` (a superuser URL; a database is created on
//! it per measurement), else a throwaway cluster started from the local PostgreSQL
//! binaries (`habeas_store_postgres::testing::Cluster`, fsync on, defaults otherwise).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::ops::Range;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use habeas_bench::baseline::{sqlite_concurrent_appends, sqlite_open};
use habeas_bench::dataset::{DataSetConfig, generate};
use habeas_bench::stats::{Samples, ms, rate};
use habeas_domain::event::Event;
use habeas_domain::subject::Subject;
use habeas_projections::{ProjectionConfig, Projections};
use habeas_store::{AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StreamId};
use habeas_store_postgres::testing::{Cluster, execute};
use habeas_store_postgres::{PostgresConfig, PostgresStore};
use habeas_store_sled::{SledConfig, SledStore};
use serde_json::json;
use uuid::Uuid;

struct Options {
    persons: usize,
    seed: u64,
    concurrency: usize,
    writer_seconds: f64,
    cli_runs: usize,
    habeas_bin: Option<PathBuf>,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        persons: 10_000,
        seed: 7,
        concurrency: 256,
        writer_seconds: 2.0,
        cli_runs: 20,
        habeas_bin: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--persons" => options.persons = value()?.parse()?,
            "--seed" => options.seed = value()?.parse()?,
            "--concurrency" => options.concurrency = value()?.parse()?,
            "--writer-seconds" => options.writer_seconds = value()?.parse()?,
            "--cli-runs" => options.cli_runs = value()?.parse()?,
            "--habeas" => options.habeas_bin = Some(value()?.into()),
            other => anyhow::bail!("unknown option {other}"),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let result = options().and_then(|options| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(run(options))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("habeas-bench-postgres: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn log(message: impl AsRef<str>) {
    eprintln!(
        "[{}] {}",
        chrono::Utc::now().format("%H:%M:%S"),
        message.as_ref()
    );
}

/// Where databases are made.
struct Server {
    admin_url: String,
    _cluster: Option<Cluster>,
    next: AtomicUsize,
}

impl Server {
    fn start() -> anyhow::Result<Server> {
        if let Ok(url) = std::env::var("HABEAS_BENCH_POSTGRES_URL") {
            return Ok(Server {
                admin_url: url,
                _cluster: None,
                next: AtomicUsize::new(0),
            });
        }
        let cluster = Cluster::start().map_err(anyhow::Error::msg)?;
        Ok(Server {
            admin_url: cluster.url("postgres"),
            _cluster: Some(cluster),
            next: AtomicUsize::new(0),
        })
    }

    fn database(&self) -> anyhow::Result<String> {
        let name = format!(
            "habeas_bench_{}_{}",
            std::process::id(),
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        execute(
            &self.admin_url,
            &format!("CREATE DATABASE {name} TEMPLATE template0"),
        )
        .map_err(anyhow::Error::msg)?;
        let (base, _) = self
            .admin_url
            .rsplit_once('/')
            .context("the server URL names no database")?;
        Ok(format!("{base}/{name}"))
    }
}

async fn open_postgres(url: &str) -> anyhow::Result<PostgresStore> {
    PostgresStore::open_async(url, PostgresConfig::default())
        .await?
        .context("the store was not created")
}

fn meta() -> AppendMeta {
    AppendMeta {
        recorded_by: "habeas-bench".into(),
        command_id: None,
    }
}

fn new_event(event: &Event, id: Uuid) -> NewEvent {
    NewEvent {
        event_id: id,
        event_type: event.event_type().to_owned(),
        schema_version: event.schema_version(),
        payload: event.to_payload(),
    }
}

type Work = Arc<Vec<Mutex<Option<(StreamId, Vec<NewEvent>)>>>>;

/// Appends every stream's events, `concurrency` appends in flight.
async fn import(
    store: Arc<dyn EventStore>,
    work: Work,
    concurrency: usize,
) -> anyhow::Result<Duration> {
    let next = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (store, work, next) = (Arc::clone(&store), Arc::clone(&work), Arc::clone(&next));
        tasks.spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(slot) = work.get(index) else {
                    return anyhow::Ok(());
                };
                let (stream, events) = slot
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .take()
                    .context("taken twice")?;
                let outcome = store
                    .append(&stream, ExpectedVersion::NoStream, events, meta())
                    .await?;
                anyhow::ensure!(matches!(outcome, AppendOutcome::Appended(_)));
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined??;
    }
    Ok(began.elapsed())
}

/// The rows as stored and the commit groups (consecutive events sharing a
/// `recorded_at`: the writer takes the commit time once per transaction).
struct Stored {
    positions: Vec<i64>,
    streams: Vec<String>,
    versions: Vec<i64>,
    event_ids: Vec<Uuid>,
    envelopes: Vec<Vec<u8>>,
    groups: Vec<Range<usize>>,
}

async fn read_back(store: &PostgresStore) -> anyhow::Result<Stored> {
    let mut stored = Stored {
        positions: Vec::new(),
        streams: Vec::new(),
        versions: Vec::new(),
        event_ids: Vec::new(),
        envelopes: Vec::new(),
        groups: Vec::new(),
    };
    let mut last_recorded_at = None;
    let mut from = 1;
    loop {
        let page = store.read_all_stored(from, 4096).await?;
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        for row in page {
            let envelope = row.decode()?;
            let index = stored.positions.len();
            if last_recorded_at == Some(envelope.recorded_at) {
                stored.groups.last_mut().context("a group is open")?.end = index + 1;
            } else {
                stored.groups.push(index..index + 1);
                last_recorded_at = Some(envelope.recorded_at);
            }
            stored.positions.push(i64::try_from(envelope.position)?);
            stored.streams.push(envelope.stream.as_str().to_owned());
            stored.versions.push(i64::try_from(envelope.version)?);
            stored.event_ids.push(envelope.event_id);
            stored.envelopes.push(row.json.to_vec());
        }
    }
    Ok(stored)
}

/// Raw PostgreSQL: the same rows into a table with the same indexes, one
/// transaction and one multi-row `INSERT … SELECT FROM UNNEST` per commit group.
async fn raw_postgres_import(url: &str, stored: &Stored) -> anyhow::Result<Duration> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    client
        .batch_execute(
            "CREATE TABLE events (
                 position bigint PRIMARY KEY,
                 stream text NOT NULL,
                 version bigint NOT NULL,
                 event_id uuid NOT NULL,
                 envelope bytea NOT NULL,
                 UNIQUE (stream, version),
                 UNIQUE (event_id))",
        )
        .await?;
    let insert = client
        .prepare(
            "INSERT INTO events (position, stream, version, event_id, envelope) \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::bytea[])",
        )
        .await?;
    let began = Instant::now();
    for group in &stored.groups {
        let range = group.clone();
        client.batch_execute("BEGIN").await?;
        client
            .execute(
                &insert,
                &[
                    &&stored.positions[range.clone()],
                    &&stored.streams[range.clone()],
                    &&stored.versions[range.clone()],
                    &&stored.event_ids[range.clone()],
                    &&stored.envelopes[range],
                ],
            )
            .await?;
        client.batch_execute("COMMIT").await?;
    }
    Ok(began.elapsed())
}

/// `writers` tasks on each of `stores` append one event per append to streams of
/// their own for `duration`.
async fn writers(
    stores: &[Arc<dyn EventStore>],
    writers: usize,
    duration: Duration,
    label: &str,
) -> anyhow::Result<(u64, Duration, Samples)> {
    let began = Instant::now();
    let deadline = began + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for (store_index, store) in stores.iter().enumerate() {
        for writer in 0..writers {
            let store = Arc::clone(store);
            let stream = StreamId::new(format!("writer-{label}-{store_index}-{writer}"))?;
            tasks.spawn(async move {
                let mut samples = Samples::new();
                while Instant::now() < deadline {
                    let event = NewEvent {
                        event_id: Uuid::now_v7(),
                        event_type: "LatencyProbe".into(),
                        schema_version: 1,
                        payload: json!({"name": "Latency Probe", "country": "Belarus",
                            "sources": ["https://registry.example.org/people/probe"]}),
                    };
                    let started = Instant::now();
                    let outcome = store
                        .append(&stream, ExpectedVersion::Any, vec![event], meta())
                        .await?;
                    samples.push(started.elapsed());
                    anyhow::ensure!(matches!(outcome, AppendOutcome::Appended(_)));
                }
                anyhow::Ok(samples)
            });
        }
    }
    let mut all = Samples::new();
    while let Some(joined) = tasks.join_next().await {
        all.extend(joined??);
    }
    let elapsed = began.elapsed();
    Ok((all.len() as u64, elapsed, all))
}

fn row(
    rows: &mut Vec<[String; 4]>,
    what: impl Into<String>,
    habeas: String,
    baseline: String,
    ratio: String,
) {
    rows.push([what.into(), habeas, baseline, ratio]);
}

async fn run(options: Options) -> anyhow::Result<()> {
    let server = Server::start()?;
    let scratch = tempfile::tempdir()?;
    let mut rows: Vec<[String; 4]> = Vec::new();
    let writer_time = Duration::from_secs_f64(options.writer_seconds);

    let data_set = generate(DataSetConfig {
        persons: options.persons,
        seed: options.seed,
    });
    let n_events = data_set.n_events();
    let slugs: Vec<String> = data_set
        .persons
        .iter()
        .take(options.cli_runs.max(1))
        .filter_map(|case| match case.subject {
            Subject::Person(id) => Some(id.to_string()),
            Subject::Statement(_) => None,
        })
        .collect();
    let work = || -> anyhow::Result<Work> {
        Ok(Arc::new(
            data_set
                .cases()
                .map(|case| {
                    let stream = StreamId::new(case.subject.stream_name())?;
                    let events = case
                        .events
                        .iter()
                        .map(|generated| new_event(&generated.event, *generated.id.as_uuid()))
                        .collect();
                    Ok(Mutex::new(Some((stream, events))))
                })
                .collect::<anyhow::Result<Vec<_>>>()?,
        ))
    };
    log(format!(
        "generated {} people, {n_events} events",
        data_set.persons.len()
    ));

    // 1. Bulk import: PostgreSQL backend, raw PostgreSQL, sled backend.
    let url = server.database()?;
    let store = open_postgres(&url).await?;
    let elapsed = import(Arc::new(store.clone()), work()?, options.concurrency).await?;
    let pg_rate = n_events as f64 / elapsed.as_secs_f64();
    log(format!("postgres import: {}", rate(pg_rate)));
    let stored = read_back(&store).await?;
    let raw_elapsed = raw_postgres_import(&server.database()?, &stored).await?;
    let raw_rate = n_events as f64 / raw_elapsed.as_secs_f64();
    log(format!("raw postgres: {}", rate(raw_rate)));
    let sled_store = SledStore::open(scratch.path().join("sled"), SledConfig::default())?;
    let sled_elapsed = import(Arc::new(sled_store.clone()), work()?, options.concurrency).await?;
    let sled_rate = n_events as f64 / sled_elapsed.as_secs_f64();
    log(format!("sled import: {}", rate(sled_rate)));
    let group_mean = n_events as f64 / stored.groups.len() as f64;
    row(
        &mut rows,
        format!(
            "1. durable bulk import, `PostgresStore::append` per stream, {} in flight ({} groups, {group_mean:.1} events/group)",
            options.concurrency,
            stored.groups.len()
        ),
        rate(pg_rate),
        format!(
            "raw PostgreSQL, same rows, groups and indexes (multi-row INSERT … UNNEST): {}",
            rate(raw_rate)
        ),
        format!("{:.2}×", pg_rate / raw_rate),
    );
    row(
        &mut rows,
        "1. same, against the sled backend (same data, same concurrency)",
        rate(pg_rate),
        format!("sled backend: {}", rate(sled_rate)),
        format!("{:.2}×", pg_rate / sled_rate),
    );

    // 3. Rebuild of the read models from the PostgreSQL log, and from sled's.
    for (name, source) in [
        ("PostgreSQL", Arc::new(store.clone()) as Arc<dyn EventStore>),
        ("sled", Arc::new(sled_store.clone()) as Arc<dyn EventStore>),
    ] {
        let projections = Projections::temporary(ProjectionConfig::default())?;
        let began = Instant::now();
        let applied = projections.rebuild(source.as_ref(), &mut |_, _| {}).await?;
        let rebuild_rate = applied as f64 / began.elapsed().as_secs_f64();
        log(format!("rebuild from {name}: {}", rate(rebuild_rate)));
        row(
            &mut rows,
            format!("3. full projection rebuild from the {name} log ({applied} events)"),
            rate(rebuild_rate),
            String::new(),
            String::new(),
        );
    }
    drop(sled_store);

    // 5. `habeas --db URL status ID` end to end.
    let habeas_bin = match &options.habeas_bin {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no directory")?
            .join("habeas"),
    };
    if habeas_bin.exists() {
        let cache = scratch.path().join("cache");
        let status = |slug: &str| -> anyhow::Result<Duration> {
            let began = Instant::now();
            let output = std::process::Command::new(&habeas_bin)
                .args(["--db", &url, "status", slug])
                .env("HABEAS_CACHE_DIR", &cache)
                .output()?;
            anyhow::ensure!(
                output.status.success(),
                "habeas status failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            Ok(began.elapsed())
        };
        let first = status(&slugs[0])?;
        let mut samples = Samples::new();
        for slug in &slugs {
            samples.push(status(slug)?);
        }
        log(format!("habeas status: median {}", ms(samples.median())));
        row(
            &mut rows,
            format!(
                "5. `habeas --db postgres://… status ID` end to end, median of {} runs (read models warm; the first run, which builds them, took {})",
                samples.len(),
                ms(first)
            ),
            format!(
                "{} (min {}, max {})",
                ms(samples.median()),
                ms(samples.percentile(0.0)),
                ms(samples.percentile(1.0))
            ),
            String::new(),
            String::new(),
        );
    }
    drop(store);

    // 2. Concurrent durable writers, one store, against SQLite one commit per event.
    let sqlite_path = scratch.path().join("sqlite.db");
    drop(sqlite_open(&sqlite_path)?);
    let payload = r#"{"name":"Latency Probe","country":"Belarus","sources":["https://registry.example.org/people/probe"]}"#;
    for n_writers in [1usize, 4, 16, 64] {
        let url = server.database()?;
        let store: Arc<dyn EventStore> = Arc::new(open_postgres(&url).await?);
        let (n, elapsed, samples) =
            writers(&[store], n_writers, writer_time, &n_writers.to_string()).await?;
        let pg = n as f64 / elapsed.as_secs_f64();
        let sqlite = sqlite_concurrent_appends(
            &sqlite_path,
            n_writers,
            writer_time,
            payload,
            &n_writers.to_string(),
        )?;
        let sqlite_rate = sqlite.n_events as f64 / sqlite.elapsed.as_secs_f64();
        log(format!(
            "{n_writers} writers: {} vs sqlite {}",
            rate(pg),
            rate(sqlite_rate)
        ));
        row(
            &mut rows,
            format!(
                "2. durable single appends, {n_writers} writers, one store ({:.1} s)",
                options.writer_seconds
            ),
            format!(
                "{}, p50 {} / p99 {}",
                rate(pg),
                ms(samples.median()),
                ms(samples.percentile(0.99))
            ),
            format!(
                "SQLite, one commit per event: {}, p50 {} / p99 {}",
                rate(sqlite_rate),
                ms(sqlite.latencies.median()),
                ms(sqlite.latencies.percentile(0.99))
            ),
            format!("{:.2}×", pg / sqlite_rate),
        );
    }

    // The chain lock across processes: separate stores (own writer, own connection,
    // as separate processes have) contend for the one log_head row.
    for n_stores in [1usize, 4, 16] {
        let url = server.database()?;
        let mut stores: Vec<Arc<dyn EventStore>> = Vec::new();
        for _ in 0..n_stores {
            stores.push(Arc::new(open_postgres(&url).await?));
        }
        let (n, elapsed, samples) =
            writers(&stores, 16, writer_time, &format!("s{n_stores}")).await?;
        let pg = n as f64 / elapsed.as_secs_f64();
        log(format!("{n_stores} stores × 16 writers: {}", rate(pg)));
        row(
            &mut rows,
            format!(
                "8. chain lock: {n_stores} store handles (as {n_stores} processes) × 16 writers each"
            ),
            format!(
                "{}, p50 {} / p99 {}",
                rate(pg),
                ms(samples.median()),
                ms(samples.percentile(0.99))
            ),
            String::new(),
            String::new(),
        );
    }

    println!("| measurement | PostgreSQL backend | baseline | ratio |");
    println!("|---|---|---|---|");
    for [what, habeas, baseline, ratio] in rows {
        println!("| {what} | {habeas} | {baseline} | {ratio} |");
    }
    println!();
    println!(
        "- Data set: seed {}, {} people, {n_events} events; {} appends in flight for the imports.",
        options.seed,
        data_set.persons.len(),
        options.concurrency
    );
    Ok(())
}
