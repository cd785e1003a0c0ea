//! Benchmark of the projections (not a test): generates a log of domain
//! events directly into a sled store on /tmp, then measures in the same run
//!
//! 1. a full rebuild of the read models, in events per second;
//! 2. the baseline: a raw sled scan of the same store decoding every envelope
//!    with serde_json into `habeas_domain::event::Event`; and their ratio;
//! 3. status lookups from the read model for 10 000 random people (p50, p99);
//! 4. diagnostics: the store's paged `read_all` alone, and with the decoding
//!    into domain events (the decoded-envelope path readers of the store's
//!    API take; the rebuild reads stored envelopes instead).
//!
//! Each figure is the median of `--runs` runs (at least 3); the baseline
//! scans and the rebuilds take turns, so that both see the same machine
//! (after one scan that only warms the page cache). Progress lines
//! also give the CPU time each baseline scan and rebuild used (all threads):
//! on two cores a rebuild's three stages compete for them. The data set is
//! deleted at the end.
//!
//! ```text
//! cargo run --release -p habeas-projections --example bench-projections -- \
//!     [--persons 100000] [--runs 3] [--seed 7] [--cache-mib 64] [--chunk 65536]
//! ```

/// mimalloc rather than glibc malloc: the many small, short-lived allocations of
/// JSON decoding made glibc's free-list upkeep the largest cost of a rebuild
/// (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use habeas_domain::date::PartialDate;
use habeas_domain::event::{
    Appeal, Charge, Charging, Detention, DetentionKind, Event, Hearing, Recognition, Registration,
    Release, ReleaseKind, Restriction, RestrictionKind, Sentencing, Statement, StatementKind,
    Transfer,
};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::id::{PersonId, StatementId};
use habeas_projections::{ProjectionConfig, Projections};
use habeas_store::{AppendMeta, Envelope, EventStore, ExpectedVersion, NewEvent, StreamId};
use habeas_store_sled::{SledConfig, SledStore};
use uuid::Uuid;

struct Options {
    persons: usize,
    runs: usize,
    seed: u64,
    cache_mib: u64,
    chunk: usize,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        persons: 100_000,
        runs: 3,
        seed: 7,
        cache_mib: ProjectionConfig::default().cache_capacity_bytes / 1048576,
        chunk: ProjectionConfig::default().rebuild_chunk_events,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).ok_or("every option needs a value")?;
        let number: u64 = value
            .parse()
            .map_err(|_| format!("not a number: {value}"))?;
        match pair[0].as_str() {
            "--persons" => options.persons = number as usize,
            "--runs" => options.runs = (number as usize).max(3),
            "--seed" => options.seed = number,
            "--cache-mib" => options.cache_mib = number,
            "--chunk" => options.chunk = number as usize,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

/// A small deterministic generator (xorshift64).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const GIVEN: [&str; 16] = [
    "Rong", "Sokha", "Nimol", "Kanika", "Yonglu", "Đài", "Thida", "Vanna", "Mu", "Sophal", "Chea",
    "Dara", "Linh", "Minh", "Zhou", "Ayşe",
];
const FAMILY: [&str; 16] = [
    "Chhun", "Kem", "Ton", "Sar", "Sun", "Nguyễn", "Seng", "Hun", "Wang", "Phan", "Lê", "Li",
    "Chen", "Yılmaz", "Kaya", "Tran",
];

fn facts(on: PartialDate, random: &mut Random) -> Facts {
    let mut facts = Facts::new(
        on,
        vec![Source::url(format!(
            "https://example.org/reports/{}",
            random.below(1_000_000)
        ))],
    );
    if random.chance(20) {
        facts.note = Some("Family confirmed by phone.".into());
    }
    facts
}

/// A day `days` after 2000-01-01, given to the day or (one time in four)
/// only to the month. Successive facts are at least 40 days apart, so a
/// month-only date is still certainly before the next fact.
fn date(days: u64, random: &mut Random) -> PartialDate {
    let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    let day = start + chrono::Days::new(days);
    let exact = PartialDate::from_naive(day);
    if random.chance(25) {
        format!("{}", day.format("%Y-%m")).parse().unwrap_or(exact)
    } else {
        exact
    }
}

/// One person's case, about ten events, valid by construction.
fn person_events(random: &mut Random) -> Vec<Event> {
    let name = format!(
        "{} {}",
        GIVEN[random.below(16) as usize],
        FAMILY[random.below(16) as usize]
    );
    let mut events = vec![Event::PersonRegistered(Registration {
        aliases: (0..random.below(3))
            .map(|idx| format!("{name} {idx}"))
            .collect(),
        name,
        country: Some("Cambodia".into()),
        affiliation: Some("union leader".into()),
        born: None,
        sources: vec![],
        details: habeas_domain::event::PersonDetails::default(),
    })];
    let mut day = random.below(6000);
    let mut step = |random: &mut Random| {
        day += 40 + random.below(200);
        day
    };
    events.push(Event::Detained(Detention {
        facts: facts(date(step(random), random), random),
        kind: DetentionKind::Arrest,
        place: Some("Phnom Penh".into()),
        authority: Some("police".into()),
        facility: Some("Prey Sar prison".into()),
    }));
    events.push(Event::Charged(Charging {
        facts: facts(date(step(random), random), random),
        charges: vec![Charge {
            offence: "incitement".into(),
            article: Some("Criminal Code art. 495".into()),
        }],
        court: Some("Phnom Penh Municipal Court".into()),
        case_number: Some(format!("{}", random.below(10_000))),
    }));
    events.push(Event::HearingHeld(Hearing {
        facts: facts(date(step(random), random), random),
        court: Some("Phnom Penh Municipal Court".into()),
        outcome: Some("adjourned".into()),
    }));
    events.push(Event::Sentenced(Sentencing {
        facts: facts(date(step(random), random), random),
        term: habeas_domain::term::Term::fixed(1 + random.below(8) as u32, 0, 0),
        court: Some("Phnom Penh Municipal Court".into()),
        in_absentia: false,
        suspended: false,
        ends: None,
        offences: Vec::new(),
    }));
    events.push(Event::Transferred(Transfer {
        facts: facts(date(step(random), random), random),
        from_facility: Some("Prey Sar prison".into()),
        to_facility: "Correctional Centre 1".into(),
    }));
    events.push(Event::Appealed(Appeal {
        facts: facts(date(step(random), random), random),
        court: Some("Court of Appeal".into()),
        outcome: None,
    }));
    events.push(Event::RecognisedAsPoliticalPrisoner(Recognition {
        facts: facts(date(step(random), random), random),
        by: "CCHR".into(),
    }));
    if random.chance(70) {
        events.push(Event::Released(Release {
            facts: facts(date(step(random), random), random),
            kind: ReleaseKind::EarlyReleaseWithoutReason,
            conditions: None,
            ordered_by: None,
        }));
        if random.chance(40) {
            let since = step(random);
            let until = random
                .chance(50)
                .then(|| date(since + 365 + random.below(2000), random));
            events.push(Event::RestrictionImposed(Restriction {
                facts: facts(date(since, random), random),
                kind: RestrictionKind::PoliticalActivityBan,
                description: Some("banned from political activity".into()),
                until,
            }));
        }
    }
    events
}

fn new_event(event: &Event) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: event.event_type().to_owned(),
        schema_version: event.schema_version(),
        payload: event.to_payload(),
    }
}

async fn generate(store: Arc<SledStore>, options: &Options) -> Result<Vec<PersonId>, String> {
    let mut random = Random(options.seed | 1);
    let mut people = Vec::with_capacity(options.persons);
    let mut in_flight = tokio::task::JoinSet::new();
    let started = Instant::now();
    for idx in 0..options.persons {
        let person = PersonId::from_uuid(Uuid::now_v7());
        people.push(person);
        let mut batches = vec![(person.stream_name(), person_events(&mut random))];
        if idx % 100 == 99 {
            let about = vec![people[random.below(people.len() as u64) as usize], person];
            let statement = StatementId::from_uuid(Uuid::now_v7());
            let on = date(6000 + random.below(2000), &mut random);
            batches.push((
                statement.stream_name(),
                vec![Event::StatementIssued(Statement {
                    facts: facts(on, &mut random),
                    by: "United Nations".into(),
                    by_role: None,
                    about,
                    kind: StatementKind::CallForRelease,
                    summary: "Urges the release of the detained.".into(),
                })],
            ));
        }
        for (stream, events) in batches {
            let store = Arc::clone(&store);
            let stream = StreamId::new(stream).map_err(|e| e.to_string())?;
            let new_events: Vec<NewEvent> = events.iter().map(new_event).collect();
            in_flight.spawn(async move {
                let meta = AppendMeta {
                    recorded_by: "bench".into(),
                    command_id: None,
                };
                store
                    .append(&stream, ExpectedVersion::NoStream, new_events, meta)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
        }
        while in_flight.len() >= 512 {
            if let Some(joined) = in_flight.join_next().await {
                joined.map_err(|e| e.to_string())??;
            }
        }
        if idx % 20_000 == 19_999 {
            eprintln!("generated {} people in {:.1?}", idx + 1, started.elapsed());
        }
    }
    while let Some(joined) = in_flight.join_next().await {
        joined.map_err(|e| e.to_string())??;
    }
    Ok(people)
}

/// The baseline: every stored envelope scanned from sled and decoded with
/// serde_json into a domain event, nothing else.
fn baseline_scan(events_dir: &Path) -> Result<(u64, Duration), String> {
    let db = sled::Config::new()
        .path(events_dir)
        .cache_capacity(SledConfig::default().cache_capacity_bytes)
        .open()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut n_events = 0u64;
    for entry in db.scan_prefix(b"e/") {
        let (_, bytes) = entry.map_err(|e| e.to_string())?;
        let envelope: Envelope = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        let event = Event::from_payload(
            &envelope.event_type,
            envelope.schema_version,
            envelope.payload,
        )
        .map_err(|e| e.to_string())?;
        std::hint::black_box(&event);
        n_events += 1;
    }
    Ok((n_events, started.elapsed()))
}

/// Reads the whole log through `EventStore::read_all` in pages of 4096,
/// decoding each envelope into a domain event when `decode`.
async fn read_pages(store: &SledStore, decode: bool) -> Result<(u64, Duration), String> {
    let started = Instant::now();
    let (mut next, mut n) = (1, 0u64);
    loop {
        let page = store
            .read_all(next, 4096)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        next = last.position + 1;
        n += page.len() as u64;
        if decode {
            for envelope in &page {
                let recorded = habeas_projections::recorded(envelope).map_err(|e| e.to_string())?;
                std::hint::black_box(recorded);
            }
        }
        std::hint::black_box(&page);
    }
    Ok((n, started.elapsed()))
}

fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn median<T: Copy + PartialOrd>(values: &mut [T]) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values[values.len() / 2]
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn directory_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| {
                    let path = entry.path();
                    if path.is_dir() {
                        directory_size(&path)
                    } else {
                        entry.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Opens the store and the projections, rebuilds the projections and closes
/// both again; returns the rebuild's events per second.
async fn timed_rebuild(
    data: &Path,
    config: ProjectionConfig,
    run: usize,
    n_events: u64,
) -> Result<f64, String> {
    let events_dir = data.join("events");
    let store = SledStore::open(&events_dir, SledConfig::default()).map_err(|e| e.to_string())?;
    let projections =
        Projections::open(data.join("projections"), config).map_err(|e| e.to_string())?;
    let cpu0 = cpu_ticks();
    let started = Instant::now();
    let mut last_shown = 0;
    let checkpoint = projections
        .rebuild(&store, &mut |done, total| {
            if done * 10 / total.max(1) > last_shown {
                last_shown = done * 10 / total.max(1);
                eprint!("{}% ", last_shown * 10);
            }
        })
        .await
        .map_err(|e| e.to_string())?;
    let took = started.elapsed();
    let cpu = (cpu_ticks() - cpu0) as f64 / 100.0;
    if checkpoint != n_events {
        return Err(format!(
            "the rebuild reached {checkpoint}, the head is {n_events}"
        ));
    }
    let rate = n_events as f64 / took.as_secs_f64();
    eprintln!("\nrebuild run {run}: {rate:.0} events/s ({took:.2?}, {cpu:.2} CPU-s)");
    drop(projections);
    drop(store);
    habeas_store_sled::wait_for_sled_release(&events_dir, habeas_store_sled::SLED_RELEASE_TIMEOUT);
    Ok(rate)
}

async fn bench(data: &Path, options: &Options) -> Result<(), String> {
    let events_dir = data.join("events");
    let store =
        Arc::new(SledStore::open(&events_dir, SledConfig::default()).map_err(|e| e.to_string())?);
    let started = Instant::now();
    let people = generate(Arc::clone(&store), options).await?;
    let n_events = store.head().await.map_err(|e| e.to_string())?;
    eprintln!(
        "generated {n_events} events for {} people in {:.1?}",
        people.len(),
        started.elapsed()
    );
    drop(store);

    // The baseline and the rebuild run in turns, so that the two see the same
    // machine (other users' jobs move either by a quarter from one minute to
    // the next). The baseline needs the store's directory to itself: each
    // rebuild opens the store and closes it again.
    let config = ProjectionConfig {
        cache_capacity_bytes: options.cache_mib * 1048576,
        rebuild_chunk_events: options.chunk,
        ..ProjectionConfig::default()
    };
    let mut baseline_rates = Vec::new();
    let mut rebuild_rates = Vec::new();
    for run in 0..=options.runs {
        let cpu0 = cpu_ticks();
        let (scanned, took) = baseline_scan(&events_dir)?;
        let cpu = (cpu_ticks() - cpu0) as f64 / 100.0;
        if scanned != n_events {
            return Err(format!(
                "the scan saw {scanned} events, the head is {n_events}"
            ));
        }
        let rate = scanned as f64 / took.as_secs_f64();
        eprintln!("baseline run {run}: {rate:.0} events/s ({took:.2?}, {cpu:.2} CPU-s)");
        if run == 0 {
            continue; // run 0 warms the page cache
        }
        baseline_rates.push(rate);
        rebuild_rates.push(timed_rebuild(data, config.clone(), run, n_events).await?);
    }

    let store =
        Arc::new(SledStore::open(&events_dir, SledConfig::default()).map_err(|e| e.to_string())?);
    let projections =
        Projections::open(data.join("projections"), config).map_err(|e| e.to_string())?;
    // Where a rebuild's reading half spends its time: the store's paged
    // reads alone, then with the decoding into domain events the projector
    // needs (diagnostics, not targets).
    let mut read_rates = Vec::new();
    let mut read_decode_rates = Vec::new();
    for _ in 0..options.runs {
        let (n, took) = read_pages(store.as_ref(), false).await?;
        read_rates.push(n as f64 / took.as_secs_f64());
        let (n, took) = read_pages(store.as_ref(), true).await?;
        read_decode_rates.push(n as f64 / took.as_secs_f64());
    }

    let today = Utc::now().date_naive();
    let mut random = Random(options.seed.wrapping_mul(31) | 1);
    let mut p50s = Vec::new();
    let mut p99s = Vec::new();
    let mut n_derived_again = 0;
    for run in 0..options.runs {
        let mut timings = Vec::with_capacity(10_000);
        for _ in 0..10_000 {
            let person = people[random.below(people.len() as u64) as usize];
            let started = Instant::now();
            let row = projections
                .status(store.as_ref(), person, today)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("a generated person has no row")?;
            timings.push(started.elapsed());
            if run == 0 && !row.window.holds_on(today) {
                n_derived_again += 1;
            }
            std::hint::black_box(row);
        }
        timings.sort();
        p50s.push(timings[timings.len() / 2]);
        p99s.push(timings[timings.len() * 99 / 100]);
    }

    let baseline = median(&mut baseline_rates);
    let rebuild = median(&mut rebuild_rates);
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!("machine: {nproc} cores, {}", cpu_model());
    println!(
        "data: {n_events} events, {} people; store {:.0} MiB, projections {:.0} MiB",
        people.len(),
        directory_size(&events_dir) as f64 / 1048576.0,
        directory_size(&data.join("projections")) as f64 / 1048576.0
    );
    println!(
        "medians of {} runs; projection cache {} MiB",
        options.runs, options.cache_mib
    );
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!("| full rebuild | {rebuild:.0} events/s |");
    println!("| baseline: sled scan + serde_json to Event | {baseline:.0} events/s |");
    println!(
        "| diagnostic: `EventStore::read_all` pages of 4096 | {:.0} events/s |",
        median(&mut read_rates)
    );
    println!(
        "| diagnostic: `read_all` + decode to domain events | {:.0} events/s |",
        median(&mut read_decode_rates)
    );
    println!(
        "| ratio rebuild / baseline (target >= 0.8) | {:.2} |",
        rebuild / baseline
    );
    println!(
        "| status lookup p50 (10k random people) | {:.1} us |",
        median(&mut p50s).as_secs_f64() * 1e6
    );
    println!(
        "| status lookup p99 (target < 2 ms) | {:.1} us |",
        median(&mut p99s).as_secs_f64() * 1e6
    );
    println!(
        "| lookups read on a later day than stored (standing read again) | {:.0}% |",
        n_derived_again as f64 / 100.0
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("bench-projections: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let data: PathBuf = std::env::temp_dir().join(format!("habeas-bench-{}", std::process::id()));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bench-projections: {error}");
            return std::process::ExitCode::from(1);
        }
    };
    let result = runtime.block_on(bench(&data, &options));
    let _ = std::fs::remove_dir_all(&data);
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-projections: {message}");
            std::process::ExitCode::from(1)
        }
    }
}
