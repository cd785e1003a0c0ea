//! The measurements, in the order they run, and the table they fill.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use habeas::open::EVENTS_DIR;
use habeas::reports::ReportOptions;
use habeas::tracker::{Issued, Subject, Tracker};
use habeas_bench::baseline::{
    self, EncodedEvent, RawSledSync, WritersRun, raw_sled_import, sqlite_import, sqlite_open,
};
use habeas_bench::dataset::{DataSet, DataSetConfig, action_of, generate};
use habeas_bench::machine::{Machine, disk_usage, filesystem_of};
use habeas_bench::stats::{Samples, median, ms, rate};
use habeas_domain::event::{Event, Registration};
use habeas_domain::facts::Source;
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{EventId, PersonId};
use habeas_domain::status::{View, status};
use habeas_projections::{ProjectionConfig, Projections};
use habeas_store::{
    AppendMeta, AppendOutcome, Envelope, EventStore, ExpectedVersion, NewEvent, StreamId,
};
use habeas_store_sled::{SledConfig, SledStore};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::Options;

/// One line of the result table.
struct Row {
    what: String,
    habeas: String,
    baseline: String,
    ratio: String,
    target: String,
}

impl Row {
    fn new(what: impl Into<String>, habeas: impl Into<String>) -> Row {
        Row {
            what: what.into(),
            habeas: habeas.into(),
            baseline: String::new(),
            ratio: String::new(),
            target: String::new(),
        }
    }

    fn against(mut self, baseline: impl Into<String>, ratio: f64) -> Row {
        self.baseline = baseline.into();
        self.ratio = format!("{ratio:.2}×");
        self
    }

    fn target(mut self, target: &str, met: bool) -> Row {
        self.target = format!("{target} {}", if met { "✅" } else { "❌" });
        self
    }
}

/// One append of the bulk import: a whole stream.
struct AppendWork {
    stream: StreamId,
    events: Vec<NewEvent>,
}

fn log(message: impl AsRef<str>) {
    eprintln!("[{}] {}", Utc::now().format("%H:%M:%S"), message.as_ref());
}

fn data_root(options: &Options) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &options.data_dir {
        return Ok(dir.clone());
    }
    let tmp = PathBuf::from("/tmp");
    if filesystem_of(&tmp).as_deref() == Some("tmpfs") {
        let fallback = PathBuf::from("/work/bench-tmp");
        std::fs::create_dir_all(&fallback)?;
        return Ok(fallback);
    }
    Ok(tmp)
}

/// Runs everything and prints the table.
pub(crate) fn run(options: Options) -> anyhow::Result<()> {
    let root = data_root(&options)?;
    let dir = tempfile::Builder::new()
        .prefix("habeas-bench-")
        .tempdir_in(&root)
        .with_context(|| format!("cannot create a data directory under {}", root.display()))?;
    let machine = Machine::describe(dir.path());
    log(format!("data in {}", dir.path().display()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let started = Utc::now();
    let outcome = runtime.block_on(bench(&options, dir.path()));
    drop(runtime);
    let (rows, notes) = outcome?;
    print_report(&options, &machine, started, &rows, &notes, dir.path());
    dir.close()
        .context("cannot delete the benchmark's data directory")?;
    Ok(())
}

fn print_report(
    options: &Options,
    machine: &Machine,
    started: DateTime<Utc>,
    rows: &[Row],
    notes: &[String],
    data_dir: &Path,
) {
    println!("## habeas-bench, {} UTC", started.format("%Y-%m-%d %H:%M"));
    println!();
    println!(
        "Machine: {} CPUs, {}, Linux {}, data on {} ({}), load average at start {}.",
        machine.n_cpus,
        machine.cpu_model,
        machine.kernel,
        machine.filesystem,
        data_dir.display(),
        machine.load_average
    );
    println!(
        "Options: --persons {} --seed {} --reps {} --concurrency {} --writer-seconds {} --cli-runs {}.",
        options.persons,
        options.seed,
        options.reps,
        options.concurrency,
        options.writer_seconds,
        options.cli_runs
    );
    let now_load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "Load average at the end: {}.",
        now_load
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!();
    println!("| measurement | Habeas | baseline | ratio | target |");
    println!("|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            row.what, row.habeas, row.baseline, row.ratio, row.target
        );
    }
    println!();
    for note in notes {
        println!("- {note}");
    }
}

fn new_event_of(id: EventId, event: &Event) -> NewEvent {
    NewEvent {
        event_id: *id.as_uuid(),
        event_type: event.event_type().to_owned(),
        schema_version: event.schema_version(),
        payload: event.to_payload(),
    }
}

fn meta() -> AppendMeta {
    AppendMeta {
        recorded_by: "habeas-bench".into(),
        command_id: None,
    }
}

/// A one-event append that registers a new person: valid domain data, so the
/// read models and reports accept a store that was also used for latency runs.
fn registration_append() -> (StreamId, NewEvent) {
    let person = PersonId::from_uuid(Uuid::now_v7());
    let event = Event::PersonRegistered(Registration {
        name: "Latency Probe".into(),
        aliases: Vec::new(),
        country: Some("Belarus".into()),
        affiliation: Some("journalist".into()),
        born: None,
        sources: vec![Source::url("https://registry.example.org/people/probe")],
        details: habeas_domain::event::PersonDetails::default(),
    });
    let stream = StreamId::new(person.stream_name()).expect("person streams are valid");
    (
        stream,
        new_event_of(EventId::from_uuid(Uuid::now_v7()), &event),
    )
}

async fn bench(options: &Options, dir: &Path) -> anyhow::Result<(Vec<Row>, Vec<String>)> {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let reps = options.reps;

    // The data set.
    let began = Instant::now();
    let data_set = generate(DataSetConfig {
        persons: options.persons,
        seed: options.seed,
    });
    let n_dataset_events = data_set.n_events();
    log(format!(
        "generated {} people, {} statements, {} events in {:.1} s",
        data_set.persons.len(),
        data_set.statements.len(),
        n_dataset_events,
        began.elapsed().as_secs_f64()
    ));
    let type_counts = data_set
        .event_type_counts()
        .iter()
        .map(|(name, count)| format!("{name} {count}"))
        .collect::<Vec<_>>()
        .join(", ");
    notes.push(format!(
        "Data set (seed {}): {} people, {} statements, {} events: {type_counts}.",
        options.seed,
        data_set.persons.len(),
        data_set.statements.len(),
        n_dataset_events
    ));
    let work: Vec<Mutex<Option<AppendWork>>> = data_set
        .cases()
        .map(|case| {
            Mutex::new(Some(AppendWork {
                stream: StreamId::new(case.subject.stream_name()).expect("valid stream"),
                events: case
                    .events
                    .iter()
                    .map(|generated| new_event_of(generated.id, &generated.event))
                    .collect(),
            }))
        })
        .collect();
    let work = Arc::new(work);

    // 1a + 7: Habeas bulk import with SledStore::append, pausing at 10k and 100k
    // stored events to time single durable appends.
    let data_dir = dir.join("habeas");
    let events_dir = data_dir.join(EVENTS_DIR);
    let store = open_store(&events_dir)?;
    let mut boundaries = Vec::new();
    let mut cumulative = 0;
    let mut milestones = [10_000usize, 100_000]
        .into_iter()
        .filter(|&m| m < n_dataset_events)
        .peekable();
    for (idx, case) in data_set.cases().enumerate() {
        cumulative += case.events.len();
        if let Some(&milestone) = milestones.peek()
            && cumulative >= milestone
        {
            boundaries.push(idx + 1);
            milestones.next();
        }
    }
    boundaries.push(work.len());
    let n_latency_samples = if options.persons >= 5_000 { 200 } else { 30 };
    let mut import_elapsed = Duration::ZERO;
    let mut latency_at = Vec::new();
    let mut start = 0;
    for &end in &boundaries {
        import_elapsed +=
            append_concurrently(&store, &work, start..end, options.concurrency).await?;
        start = end;
        let head = store.head().await?;
        let mut samples = Samples::new();
        for _ in 0..n_latency_samples {
            let (stream, event) = registration_append();
            let began = Instant::now();
            let outcome = store
                .append(&stream, ExpectedVersion::NoStream, vec![event], meta())
                .await?;
            samples.push(began.elapsed());
            anyhow::ensure!(matches!(outcome, AppendOutcome::Appended(_)));
        }
        log(format!(
            "imported up to {head} events ({:.1} s so far); single append p50 {} p99 {}",
            import_elapsed.as_secs_f64(),
            ms(samples.median()),
            ms(samples.percentile(0.99))
        ));
        latency_at.push((head, samples));
    }
    let habeas_append_rate = n_dataset_events as f64 / import_elapsed.as_secs_f64();

    // The stored envelopes, byte for byte, for the baselines.
    let began = Instant::now();
    let (encoded, group_sizes) = read_back(&store).await?;
    let n_stored = encoded.len();
    let json_bytes: usize = encoded.iter().map(|event| event.bytes.len()).sum();
    let groups = groups_of(&group_sizes);
    log(format!(
        "read back {n_stored} envelopes ({} groups) in {:.1} s",
        groups.len(),
        began.elapsed().as_secs_f64()
    ));
    let (sled_allocated, sled_apparent) = disk_usage(&events_dir)?;

    // 1b, 1c: raw sled with the same bytes and groups.
    let mut raw_rates = HashMap::new();
    let mut raw_sizes = HashMap::new();
    for sync in [RawSledSync::FlushOnly, RawSledSync::Fsync] {
        let path = dir.join(format!("raw-sled-{sync:?}"));
        let elapsed = raw_sled_import(&path, &encoded, &groups, sync)?;
        let rate_of = n_stored as f64 / elapsed.as_secs_f64();
        log(format!("raw sled {sync:?}: {}", rate(rate_of)));
        raw_rates.insert(sync, rate_of);
        raw_sizes.insert(sync, disk_usage(&path)?.0);
        std::fs::remove_dir_all(&path)?;
    }

    // 1d: SQLite with the same bytes and groups.
    let sqlite_path = dir.join("sqlite").join("events.db");
    std::fs::create_dir_all(sqlite_path.parent().expect("has a parent"))?;
    let mut connection = sqlite_open(&sqlite_path)?;
    let elapsed = sqlite_import(&mut connection, &encoded, &groups)?;
    let sqlite_rate = n_stored as f64 / elapsed.as_secs_f64();
    log(format!("sqlite import: {}", rate(sqlite_rate)));
    connection.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    let (sqlite_bytes, _) = disk_usage(sqlite_path.parent().expect("has a parent"))?;
    drop(connection);

    let mean_group = n_stored as f64 / groups.len() as f64;
    rows.push(
        Row::new(
            format!(
                "1. durable bulk import, `SledStore::append` per stream, {} appends in flight ({} groups, {:.1} events/group)",
                options.concurrency,
                groups.len(),
                mean_group
            ),
            rate(habeas_append_rate),
        )
        .against(
            format!("SQLite WAL FULL, same groups: {}", rate(sqlite_rate)),
            habeas_append_rate / sqlite_rate,
        )
        .target("≥ 1.0× SQLite", habeas_append_rate >= sqlite_rate),
    );
    let raw_flush = raw_rates[&RawSledSync::FlushOnly];
    let raw_fsync = raw_rates[&RawSledSync::Fsync];
    rows.push(
        Row::new(
            "1. same, against raw sled `apply_batch` + `flush`",
            rate(habeas_append_rate),
        )
        .against(
            format!("raw sled: {}", rate(raw_flush)),
            habeas_append_rate / raw_flush,
        )
        .target("≥ 0.7× raw sled", habeas_append_rate >= 0.7 * raw_flush),
    );
    rows.push(
        Row::new(
            "1. same, against raw sled `apply_batch` + `flush` + fsync of `db` (durable like Habeas)",
            rate(habeas_append_rate),
        )
        .against(format!("raw sled + fsync: {}", rate(raw_fsync)), habeas_append_rate / raw_fsync),
    );

    // 1e: the whole facade, Tracker::execute_all per stream.
    let tracker_dir = dir.join("tracker");
    let (tracker_elapsed, n_tracker_events) =
        tracker_import(&tracker_dir, &data_set, options.concurrency).await?;
    let tracker_rate = n_tracker_events as f64 / tracker_elapsed.as_secs_f64();
    log(format!("tracker import: {}", rate(tracker_rate)));
    std::fs::remove_dir_all(&tracker_dir)?;
    rows.push(
        Row::new(
            format!(
                "1. durable bulk import, `Tracker::execute_all` per stream (decide + encode + append), {} in flight",
                options.concurrency
            ),
            rate(tracker_rate),
        )
        .against(format!("SQLite: {}", rate(sqlite_rate)), tracker_rate / sqlite_rate),
    );

    // 3: the read models, built once for what follows (the measured
    // rebuilds come in turns with the raw scan, below), and the replay of
    // every status.
    let projections_dir = data_dir.join("projections");
    let projections = Projections::open(&projections_dir, ProjectionConfig::default())?;
    let first_build: anyhow::Result<u64> = async {
        let began = Instant::now();
        let checkpoint = projections.rebuild(&store, &mut |_, _| {}).await?;
        log(format!(
            "first rebuild (not counted): {:.1} s",
            began.elapsed().as_secs_f64()
        ));
        Ok(checkpoint)
    }
    .await;
    if let Err(error) = &first_build {
        notes.push(format!("`Projections::rebuild` failed: {error:#}"));
    }
    let mut replay_rates = Vec::new();
    for _ in 0..reps {
        let began = Instant::now();
        let n_replayed = replay_statuses(&store).await?;
        let elapsed = began.elapsed();
        replay_rates.push(n_replayed as f64 / elapsed.as_secs_f64());
        log(format!(
            "replay of every status: {:.1} s",
            elapsed.as_secs_f64()
        ));
        if elapsed > Duration::from_secs(20) {
            break;
        }
    }

    // 4: verify.
    let mut verify_times = Vec::new();
    for _ in 0..reps {
        let began = Instant::now();
        let report = store.verify().await?;
        let elapsed = began.elapsed();
        anyhow::ensure!(report.is_ok(), "verify found a problem: {report:?}");
        verify_times.push(elapsed.as_secs_f64());
        log(format!("verify: {:.2} s", elapsed.as_secs_f64()));
        if elapsed > Duration::from_secs(20) {
            break;
        }
    }

    // 5: status, as-of status, person report, person index, in process.
    let tracker = Tracker::new(Arc::new(store.clone()), projections.clone());
    let mut rng = StdRng::seed_from_u64(options.seed ^ 0x5eed);
    let persons: Vec<PersonId> = data_set
        .persons
        .iter()
        .map(|case| match case.subject {
            Subject::Person(id) => id,
            Subject::Statement(_) => unreachable!("persons are people"),
        })
        .collect();
    let today = View {
        as_of: Utc::now().date_naive(),
        known_at: Utc::now(),
    };
    let mut status_samples = Samples::new();
    let mut as_of_samples = Samples::new();
    for _ in 0..1000 {
        let person = persons[rng.gen_range(0..persons.len())];
        let began = Instant::now();
        tracker.status(person, today).await?;
        status_samples.push(began.elapsed());
        let as_of = NaiveDate::from_ymd_opt(2005, 1, 1).expect("valid date")
            + chrono::Days::new(rng.gen_range(0..5500));
        let view = View {
            as_of,
            known_at: Utc::now(),
        };
        let person = persons[rng.gen_range(0..persons.len())];
        let began = Instant::now();
        tracker.status(person, view).await?;
        as_of_samples.push(began.elapsed());
    }
    let mut report_samples = Samples::new();
    let report_budget = Instant::now();
    while report_samples.len() < 20
        && (report_samples.len() < 3 || report_budget.elapsed() < Duration::from_secs(60))
    {
        let person = persons[rng.gen_range(0..persons.len())];
        let began = Instant::now();
        let report = tracker
            .person_report(
                person,
                ReportOptions {
                    view: today,
                    public: false,
                },
            )
            .await?;
        let markdown = habeas_report::markdown::person_markdown(&report);
        report_samples.push(began.elapsed());
        anyhow::ensure!(!markdown.is_empty());
    }
    log(format!(
        "status p99 {}, as-of p99 {}, report p50 {}",
        ms(status_samples.percentile(0.99)),
        ms(as_of_samples.percentile(0.99)),
        ms(report_samples.median())
    ));
    // Resolving what a user types, from the projections' person index: by
    // slug, and by name with case and accents ignored.
    let index = tracker.people().await?;
    let everyone = index.people();
    let mut slugs = Vec::new();
    for _ in 0..options.cli_runs {
        slugs.push(everyone[rng.gen_range(0..everyone.len())].slug.clone());
    }
    let mut resolve_samples = Samples::new();
    for _ in 0..1000 {
        let person = &everyone[rng.gen_range(0..everyone.len())];
        let reference = person.identity.name.to_uppercase();
        let began = Instant::now();
        let found = tracker.resolve(&reference).await;
        resolve_samples.push(began.elapsed());
        // Namesakes are ambiguous by design; anything else must find them.
        match found {
            Ok(entry) => anyhow::ensure!(entry.id == person.id, "{reference} found someone else"),
            Err(habeas::error::TrackerError::AmbiguousPerson { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    drop(tracker);
    // `habeas status` below opens these projections: this process must let go.
    drop(projections);
    drop(store);

    // 3 (and its baseline): a full rebuild of the read models, and a raw sled
    // scan of the same store decoding every envelope and its event with
    // serde_json, in turns, so that the two see the same machine: other users'
    // jobs on a shared machine move either by a quarter from one minute to the
    // next.
    let mut scan_rates = Vec::new();
    let mut rebuild_rates = Vec::new();
    let mut rebuild_outcome = first_build.map(|_| ());
    for rep in 0..reps {
        let began = Instant::now();
        let n_scanned = raw_scan(&events_dir)?;
        let elapsed = began.elapsed();
        scan_rates.push(n_scanned as f64 / elapsed.as_secs_f64());
        log(format!("raw scan {rep}: {:.1} s", elapsed.as_secs_f64()));
        if rebuild_outcome.is_ok() {
            rebuild_outcome = timed_rebuild(&events_dir, &projections_dir, rep)
                .await
                .map(|rate| rebuild_rates.push(rate));
            if let Err(error) = &rebuild_outcome {
                notes.push(format!("`Projections::rebuild` failed: {error:#}"));
            }
        }
    }
    let scan_rate = median(&scan_rates);
    if rebuild_outcome.is_ok() && !rebuild_rates.is_empty() {
        let rebuild_rate = median(&rebuild_rates);
        rows.push(
            Row::new(
                format!(
                    "3. full projection rebuild (`Projections::rebuild`, median of {})",
                    rebuild_rates.len()
                ),
                rate(rebuild_rate),
            )
            .against(
                format!("raw sled scan + serde_json decode: {}", rate(scan_rate)),
                rebuild_rate / scan_rate,
            )
            .target("≥ 0.8× raw scan", rebuild_rate >= 0.8 * scan_rate),
        );
    }
    let replay_rate = median(&replay_rates);
    rows.push(
        Row::new(
            format!(
                "3. replay of every person's status from `read_all` (no read model, median of {})",
                replay_rates.len()
            ),
            rate(replay_rate),
        )
        .against(
            format!("raw scan: {}", rate(scan_rate)),
            replay_rate / scan_rate,
        ),
    );

    let verify_seconds = median(&verify_times);
    let per_million = verify_seconds * 1_000_000.0 / n_stored as f64;
    rows.push(
        Row::new(
            format!(
                "4. `verify` of {n_stored} events (median of {})",
                verify_times.len()
            ),
            format!(
                "{} ({verify_seconds:.2} s; {per_million:.2} s per 1M)",
                rate(n_stored as f64 / verify_seconds)
            ),
        )
        .target("1M events < 5 s", per_million < 5.0),
    );

    rows.push(
        Row::new(
            "5. in-process `Tracker::status`, today, 1000 random people",
            format!(
                "p50 {} / p99 {}",
                ms(status_samples.median()),
                ms(status_samples.percentile(0.99))
            ),
        )
        .target(
            "p99 < 2 ms",
            status_samples.percentile(0.99) < Duration::from_millis(2),
        ),
    );
    rows.push(Row::new(
        "5. in-process `Tracker::status` as of a past day, 1000 random people",
        format!(
            "p50 {} / p99 {}",
            ms(as_of_samples.median()),
            ms(as_of_samples.percentile(0.99))
        ),
    ));
    rows.push(Row::new(
        format!(
            "5. person report (`Tracker::person_report` + Markdown), {} random people",
            report_samples.len()
        ),
        format!(
            "p50 {} / p99 {}",
            ms(report_samples.median()),
            ms(report_samples.percentile(0.99))
        ),
    ));
    rows.push(Row::new(
        format!(
            "5. person lookup by name (`Tracker::resolve`, upper-cased name, read-model index), {} random people",
            resolve_samples.len()
        ),
        format!(
            "p50 {} / p99 {}",
            ms(resolve_samples.median()),
            ms(resolve_samples.percentile(0.99))
        ),
    ));

    // 5: `habeas status` end to end.
    let habeas_bin = match &options.habeas_bin {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("the benchmark binary has no directory")?
            .join("habeas"),
    };
    if habeas_bin.exists() {
        let mut cli_samples = Samples::new();
        let cli_budget = Instant::now();
        for slug in &slugs {
            if cli_samples.len() >= 3 && cli_budget.elapsed() > Duration::from_secs(120) {
                break;
            }
            let began = Instant::now();
            let output = std::process::Command::new(&habeas_bin)
                .arg("--db")
                .arg(&data_dir)
                .arg("status")
                .arg(slug)
                .output()?;
            cli_samples.push(began.elapsed());
            anyhow::ensure!(
                output.status.success(),
                "habeas status {slug} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        log(format!(
            "habeas status: median {}",
            ms(cli_samples.median())
        ));
        rows.push(
            Row::new(
                format!(
                    "5. `habeas --db DIR status SLUG` end to end, median of {} runs",
                    cli_samples.len()
                ),
                format!(
                    "{} (min {}, max {})",
                    ms(cli_samples.median()),
                    ms(cli_samples.percentile(0.0)),
                    ms(cli_samples.percentile(1.0))
                ),
            )
            .target(
                "< 100 ms",
                cli_samples.median() < Duration::from_millis(100),
            ),
        );
    } else {
        notes.push(format!(
            "`habeas status` end to end not measured: {} does not exist (build habeas-cli in release).",
            habeas_bin.display()
        ));
    }

    // 6: disk bytes per event.
    let per_event = |bytes: u64| bytes as f64 / n_stored as f64;
    rows.push(
        Row::new(
            "6. disk bytes per event (du of the sled dir after import)",
            format!(
                "{:.0} B (apparent {:.0} B; {:.1} MB total)",
                per_event(sled_allocated),
                per_event(sled_apparent),
                sled_allocated as f64 / 1e6
            ),
        )
        .against(
            format!(
                "envelope JSON {:.0} B; SQLite {:.0} B; raw sled {:.0} B",
                json_bytes as f64 / n_stored as f64,
                per_event(sqlite_bytes),
                per_event(raw_sizes[&RawSledSync::FlushOnly])
            ),
            sled_allocated as f64 / json_bytes as f64,
        ),
    );

    // 2: concurrent durable single appends.
    let store = open_store(&events_dir)?;
    let sqlite_payload = String::from_utf8(encoded[0].bytes.clone())?;
    drop(encoded);
    let writer_time = Duration::from_secs_f64(options.writer_seconds);
    for writers in [1usize, 4, 16, 64] {
        let mut habeas_rates = Vec::new();
        let mut habeas_latencies = Samples::new();
        let mut sqlite_rates = Vec::new();
        let mut sqlite_latencies = Samples::new();
        for rep in 0..reps {
            let run = habeas_writers(&store, writers, writer_time).await?;
            habeas_rates.push(run.n_events as f64 / run.elapsed.as_secs_f64());
            habeas_latencies.extend(run.latencies);
            let label = format!("{writers}-{rep}");
            let run = baseline::sqlite_concurrent_appends(
                &sqlite_path,
                writers,
                writer_time,
                &sqlite_payload,
                &label,
            )?;
            sqlite_rates.push(run.n_events as f64 / run.elapsed.as_secs_f64());
            sqlite_latencies.extend(run.latencies);
        }
        let (habeas_rate, sqlite_rate) = (median(&habeas_rates), median(&sqlite_rates));
        log(format!(
            "{writers} writers: habeas {} sqlite {}",
            rate(habeas_rate),
            rate(sqlite_rate)
        ));
        let mut row = Row::new(
            format!(
                "2. durable single appends, {writers} writers (median of {reps} × {:.1} s)",
                options.writer_seconds
            ),
            format!(
                "{}, p50 {} / p99 {}",
                rate(habeas_rate),
                ms(habeas_latencies.median()),
                ms(habeas_latencies.percentile(0.99))
            ),
        )
        .against(
            format!(
                "SQLite, one commit per event: {}, p50 {} / p99 {}",
                rate(sqlite_rate),
                ms(sqlite_latencies.median()),
                ms(sqlite_latencies.percentile(0.99))
            ),
            habeas_rate / sqlite_rate,
        );
        if writers == 16 {
            row = row.target("≥ 2× SQLite", habeas_rate >= 2.0 * sqlite_rate);
        }
        rows.push(row);
    }
    drop(store);

    // 7: single append latency as the store grows.
    let first_p99 = latency_at
        .first()
        .map(|(_, samples)| samples.percentile(0.99))
        .unwrap_or_default();
    let n_points = latency_at.len();
    for (idx, (head, samples)) in latency_at.iter().enumerate() {
        let p99 = samples.percentile(0.99);
        let mut row = Row::new(
            format!(
                "7. single durable append at {head} stored events ({} sequential appends)",
                samples.len()
            ),
            format!("p50 {} / p99 {}", ms(samples.median()), ms(p99)),
        );
        if idx + 1 == n_points && idx > 0 {
            row = row
                .against(
                    format!("p99 at the first point: {}", ms(first_p99)),
                    p99.as_secs_f64() / first_p99.as_secs_f64(),
                )
                .target(
                    "p99 ≤ 1.5× the first point",
                    p99.as_secs_f64() <= 1.5 * first_p99.as_secs_f64(),
                );
        }
        rows.push(row);
    }
    notes.push(format!(
        "Ratios are Habeas / baseline within this run. The baselines write the envelopes Habeas stored, byte for byte ({json_bytes} bytes of JSON), in Habeas' own commit groups (recovered from the shared `recorded_at` of each group), with the same `e/`, `s/`, `i/` and `m/head` keys for raw sled."
    ));
    Ok((rows, notes))
}

/// Opens the store and its projections, rebuilds the projections and closes
/// both again (the raw scan opens the store's database directly); returns
/// the rebuild's events per second.
async fn timed_rebuild(
    events_dir: &Path,
    projections_dir: &Path,
    rep: usize,
) -> anyhow::Result<f64> {
    let store = open_store(events_dir)?;
    let projections = Projections::open(projections_dir, ProjectionConfig::default())?;
    let began = Instant::now();
    let checkpoint = projections.rebuild(&store, &mut |_, _| {}).await?;
    let elapsed = began.elapsed();
    log(format!("rebuild {rep}: {:.1} s", elapsed.as_secs_f64()));
    drop(projections);
    drop(store);
    habeas_store_sled::wait_for_sled_release(events_dir, habeas_store_sled::SLED_RELEASE_TIMEOUT);
    Ok(checkpoint as f64 / elapsed.as_secs_f64())
}

fn open_store(path: &Path) -> anyhow::Result<SledStore> {
    let config = SledConfig {
        upcaster: Some(habeas::codec::upcaster()),
        ..SledConfig::default()
    };
    SledStore::open(path, config).with_context(|| format!("cannot open {}", path.display()))
}

/// Appends the work items in `range` from `concurrency` tasks, each taking the next
/// item; returns the time taken.
async fn append_concurrently(
    store: &SledStore,
    work: &Arc<Vec<Mutex<Option<AppendWork>>>>,
    range: Range<usize>,
    concurrency: usize,
) -> anyhow::Result<Duration> {
    let next = Arc::new(AtomicUsize::new(range.start));
    let began = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let store = store.clone();
        let work = Arc::clone(work);
        let next = Arc::clone(&next);
        let end = range.end;
        tasks.spawn(async move {
            loop {
                let idx = next.fetch_add(1, Ordering::Relaxed);
                if idx >= end {
                    return anyhow::Ok(());
                }
                let item = work[idx]
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .take()
                    .context("work item taken twice")?;
                let outcome = store
                    .append(&item.stream, ExpectedVersion::NoStream, item.events, meta())
                    .await?;
                anyhow::ensure!(
                    matches!(outcome, AppendOutcome::Appended(_)),
                    "append to {} not applied: {outcome:?}",
                    item.stream
                );
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined??;
    }
    Ok(began.elapsed())
}

/// Every stored envelope, encoded as stored, and the sizes (in events) of the
/// commit groups, recovered from `recorded_at`, which every append of one group
/// shares and the next group does not (the writer takes the commit time once per
/// group and it has microsecond precision).
async fn read_back(store: &SledStore) -> anyhow::Result<(Vec<EncodedEvent>, Vec<usize>)> {
    let mut encoded = Vec::new();
    let mut group_sizes: Vec<usize> = Vec::new();
    let mut last_recorded_at = None;
    let mut from = 1;
    loop {
        let page = store.read_all(from, 4096).await?;
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        for envelope in page {
            if last_recorded_at == Some(envelope.recorded_at) {
                *group_sizes.last_mut().expect("a group is open") += 1;
            } else {
                group_sizes.push(1);
                last_recorded_at = Some(envelope.recorded_at);
            }
            encoded.push(EncodedEvent {
                position: envelope.position,
                stream: envelope.stream.as_str().to_owned(),
                version: envelope.version,
                event_id: envelope.event_id,
                bytes: serde_json::to_vec(&envelope)?,
            });
        }
    }
    Ok((encoded, group_sizes))
}

fn groups_of(sizes: &[usize]) -> Vec<Range<usize>> {
    let mut start = 0;
    sizes
        .iter()
        .map(|size| {
            let range = start..start + size;
            start += size;
            range
        })
        .collect()
}

/// Imports the data set through the facade: one `execute_all` per stream, then
/// one for the stream's corrections (whose targets are the ids the first one
/// recorded). Returns the time taken and the number of events written.
async fn tracker_import(
    data_dir: &Path,
    data_set: &DataSet,
    concurrency: usize,
) -> anyhow::Result<(Duration, usize)> {
    let tracker = Tracker::open(data_dir)?;
    let cases: Arc<Vec<_>> = Arc::new(data_set.cases().cloned().collect());
    let next = Arc::new(AtomicUsize::new(0));
    let written = Arc::new(AtomicUsize::new(0));
    let issued = Issued {
        recorded_by: "habeas-bench".into(),
        command_id: None,
        at: Utc::now(),
    };
    let began = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let tracker = tracker.clone();
        let cases = Arc::clone(&cases);
        let next = Arc::clone(&next);
        let written = Arc::clone(&written);
        let issued = issued.clone();
        tasks.spawn(async move {
            loop {
                let idx = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(idx) else {
                    return anyhow::Ok(());
                };
                let subject = case.subject;
                let split = case
                    .events
                    .iter()
                    .position(|generated| matches!(generated.event, Event::EventCorrected(_)))
                    .unwrap_or(case.events.len());
                let actions = case.events[..split]
                    .iter()
                    .map(|generated| action_of(generated.event.clone()))
                    .collect();
                let recorded = tracker.execute_all(subject, actions, &issued).await?;
                let real_ids: HashMap<EventId, EventId> = case.events[..split]
                    .iter()
                    .map(|generated| generated.id)
                    .zip(recorded.event_ids.iter().copied())
                    .collect();
                let mut n_written = recorded.event_ids.len();
                if split < case.events.len() {
                    let corrections = case.events[split..]
                        .iter()
                        .map(|generated| {
                            let mut event = generated.event.clone();
                            if let Event::EventCorrected(correction) = &mut event {
                                correction.target = real_ids[&correction.target];
                            }
                            action_of(event)
                        })
                        .collect();
                    n_written += tracker
                        .execute_all(subject, corrections, &issued)
                        .await?
                        .event_ids
                        .len();
                }
                written.fetch_add(n_written, Ordering::Relaxed);
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined??;
    }
    Ok((began.elapsed(), written.load(Ordering::Relaxed)))
}

/// Reads the whole log with `read_all`, decodes every event and derives every
/// person's status today from their history; returns the number of events read.
async fn replay_statuses(store: &SledStore) -> anyhow::Result<usize> {
    let mut histories: HashMap<String, Vec<RecordedEvent>> = HashMap::new();
    let mut n_events = 0;
    let mut from = 1;
    loop {
        let page: Vec<Envelope> = store.read_all(from, 4096).await?;
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        n_events += page.len();
        for envelope in &page {
            if envelope.stream.as_str().starts_with("person-") {
                histories
                    .entry(envelope.stream.as_str().to_owned())
                    .or_default()
                    .push(habeas::codec::recorded(envelope)?);
            }
        }
    }
    let view = View {
        as_of: Utc::now().date_naive(),
        known_at: Utc::now(),
    };
    let mut n_in_custody = 0;
    for history in histories.values() {
        if status(history, view).in_custody() {
            n_in_custody += 1;
        }
    }
    anyhow::ensure!(n_in_custody <= histories.len());
    Ok(n_events)
}

/// Scans the `e/` keys of the store's sled database directly, decoding every
/// envelope and its event with serde_json; returns the number of events.
fn raw_scan(events_dir: &Path) -> anyhow::Result<usize> {
    let db = sled::Config::new()
        .path(events_dir)
        .cache_capacity(64 * 1024 * 1024)
        .open()?;
    let mut n_events = 0;
    for entry in db.scan_prefix(b"e/") {
        let (_, bytes) = entry?;
        let envelope: Envelope = serde_json::from_slice(&bytes)?;
        let event = Event::from_payload(
            &envelope.event_type,
            envelope.schema_version,
            envelope.payload,
        )?;
        std::hint::black_box(&event);
        n_events += 1;
    }
    // The store is opened again next; sled's background jobs release its lock late.
    drop(db);
    habeas_store_sled::wait_for_sled_release(events_dir, habeas_store_sled::SLED_RELEASE_TIMEOUT);
    Ok(n_events)
}

/// `writers` tasks append one registration each, waiting for durability, for
/// `duration`.
async fn habeas_writers(
    store: &SledStore,
    writers: usize,
    duration: Duration,
) -> anyhow::Result<WritersRun> {
    let began = Instant::now();
    let deadline = began + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..writers {
        let store = store.clone();
        tasks.spawn(async move {
            let mut latencies = Samples::new();
            while Instant::now() < deadline {
                let (stream, event) = registration_append();
                let began = Instant::now();
                let outcome = store
                    .append(&stream, ExpectedVersion::NoStream, vec![event], meta())
                    .await?;
                latencies.push(began.elapsed());
                anyhow::ensure!(matches!(outcome, AppendOutcome::Appended(_)));
            }
            anyhow::Ok(latencies)
        });
    }
    let mut run = WritersRun::default();
    while let Some(joined) = tasks.join_next().await {
        let latencies = joined??;
        run.n_events += latencies.len() as u64;
        run.latencies.extend(latencies);
    }
    run.elapsed = began.elapsed();
    Ok(run)
}
