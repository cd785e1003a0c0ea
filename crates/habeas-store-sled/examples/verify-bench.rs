//! Times `SledStore::verify` on a realistic store.
//!
//! Builds a sled store of about `--events` events (default 1 000 000): ~10 events per
//! stream, appended 1–5 at a time by 512 concurrent tasks (so that the writer commits big
//! groups), with JSON payloads of ~500 bytes (nested objects, arrays, numbers, non-ASCII
//! names, some strings with escapes), ~850 bytes per stored envelope; 1M events take
//! about 2 GB on disk. Then runs `verify()` `--reps` times (default 3) with the default
//! `SledConfig` (a 64 MB sled cache) on a 2-worker tokio runtime, and prints each time,
//! the longest wait between two progress reports, and the median.
//!
//! ```text
//! cargo run --release -p habeas-store --example verify-bench -- \
//!     [--events N] [--reps N] [--store DIR]
//! ```
//!
//! Without `--store`, the store lives in a temporary directory under `/tmp` and is
//! deleted at the end. With `--store DIR`, a store already in `DIR` is reused as it is
//! (`--events` is then ignored; building 1M events takes about a minute), and otherwise
//! a new one is built there and kept, so that several builds of the crate can be timed
//! on the same data.
//!
//! This example runs on the system allocator (glibc's on Linux). The `habeas` and
//! `habeas-bench` binaries use mimalloc, under which sled's page churn is cheaper and
//! `verify` faster; to time that, preload a mimalloc built as a shared library
//! (`LD_PRELOAD=/path/to/libmimalloc.so`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use habeas_store::{AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StreamId};
use habeas_store_sled::{SledConfig, SledStore};
use serde_json::{Value, json};
use uuid::Uuid;

/// Appends in flight while building the store.
const TASKS: u64 = 512;

struct Options {
    events: u64,
    reps: usize,
    store: Option<PathBuf>,
}

fn options() -> Options {
    let mut options = Options {
        events: 1_000_000,
        reps: 3,
        store: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--events" => options.events = value().parse().unwrap_or_else(|_| usage("--events N")),
            "--reps" => options.reps = value().parse().unwrap_or_else(|_| usage("--reps N")),
            "--store" => options.store = Some(PathBuf::from(value())),
            _ => usage(&format!("unknown argument {arg}")),
        }
    }
    options
}

fn usage(problem: &str) -> ! {
    eprintln!("{problem}\nusage: verify-bench [--events N] [--reps N] [--store DIR]");
    std::process::exit(2)
}

/// A small deterministic generator (splitmix64): no `rand` dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMES: &[&str] = &[
    "Алесь Бяляцкі",
    "Марыя Калеснікава",
    "Ihar Losik",
    "Katsiaryna Andreyeva",
    "Мікола Статкевіч",
    "Siarhei Tsikhanouski",
    "Maksim Znak",
    "Валянціна Гарачкіна",
];
const PLACES: &[&str] = &[
    "Minsk, SIZO-1 (Valadarskaha St.)",
    "Hrodna, prison No. 1",
    "Homiel, penal colony No. 4",
    "Mahilioŭ, SIZO-4",
    "Brest, temporary detention centre",
];
const COURTS: &[&str] = &[
    "Minsk City Court",
    "Partyzanski District Court of Minsk",
    "Hrodna Regional Court",
    "Supreme Court",
];
const ARTICLES: &[&str] = &["342", "361-1", "130", "243", "293", "369"];
const EVENT_TYPES: &[&str] = &["Detained", "Charged", "Sentenced", "Transferred", "Noted"];

fn payload(rng: &mut Rng, person: u64) -> Value {
    let day = |rng: &mut Rng| {
        format!(
            "20{:02}-{:02}-{:02}",
            10 + rng.below(15),
            1 + rng.below(12),
            1 + rng.below(28)
        )
    };
    let mut note = format!(
        "Reported by relatives on {}. Case {}-{}.",
        day(rng),
        rng.below(9000) + 1000,
        rng.below(100)
    );
    if rng.below(10) == 0 {
        note.push_str("\nLawyer said: \"the hearing was closed\".");
    }
    json!({
        "person": {
            "id": format!("p-{person:06}"),
            "name": rng.pick(NAMES),
            "born": day(rng),
        },
        "detention": {
            "date": day(rng),
            "place": rng.pick(PLACES),
            "court": rng.pick(COURTS),
            "articles": [rng.pick(ARTICLES), rng.pick(ARTICLES)],
            "sentence_months": rng.below(180),
            "political": rng.below(4) != 0,
            "appeal": if rng.below(2) == 0 { Value::Null } else { json!({"filed": day(rng), "upheld": true}) },
        },
        "sources": [
            {"url": format!("https://spring96.org/en/news/{}", rng.below(1_000_000)), "seen": day(rng)},
        ],
        "note": note,
    })
}

async fn build(store: &SledStore, events: u64) -> u64 {
    let next_stream = Arc::new(AtomicU64::new(0));
    let reserved = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let store = store.clone();
        let next_stream = Arc::clone(&next_stream);
        let reserved = Arc::clone(&reserved);
        tasks.push(tokio::spawn(async move {
            loop {
                let person = next_stream.fetch_add(1, Ordering::Relaxed);
                let mut rng = Rng(person.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 7);
                let stream = StreamId::new(format!("person-{}", Uuid::now_v7())).expect("stream");
                let mut left = 5 + rng.below(11);
                while left > 0 {
                    let n = (1 + rng.below(5)).min(left);
                    if reserved.fetch_add(n, Ordering::Relaxed) >= events {
                        return;
                    }
                    let batch = (0..n)
                        .map(|_| NewEvent {
                            event_id: Uuid::now_v7(),
                            event_type: rng.pick(EVENT_TYPES).to_owned(),
                            schema_version: 1,
                            payload: payload(&mut rng, person),
                        })
                        .collect();
                    let meta = AppendMeta {
                        recorded_by: "importer".into(),
                        command_id: (rng.below(4) == 0).then(Uuid::now_v7),
                    };
                    let outcome = store
                        .append(&stream, ExpectedVersion::Any, batch, meta)
                        .await
                        .expect("append");
                    assert!(matches!(outcome, AppendOutcome::Appended(_)), "{outcome:?}");
                    left -= n;
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("append task");
    }
    store.head().await.expect("head")
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let temporary = options.store.is_none().then(|| {
        tempfile::Builder::new()
            .prefix("habeas-verify-bench-")
            .tempdir_in("/tmp")
            .expect("temporary directory")
    });
    let path = match (&options.store, &temporary) {
        (Some(path), _) => path.clone(),
        (None, directory) => directory.as_ref().expect("created").path().join("store"),
    };
    runtime.block_on(async {
        let store = SledStore::open(&path, SledConfig::default()).expect("open");
        let mut head = store.head().await.expect("head");
        if head == 0 {
            let began = Instant::now();
            head = build(&store, options.events).await;
            eprintln!(
                "built {head} events in {:.1} s at {}",
                began.elapsed().as_secs_f64(),
                path.display()
            );
        } else {
            eprintln!("reusing {head} events at {}", path.display());
        }
        let sample = store.read_all(1, 10_000).await.expect("read");
        let bytes: usize = sample
            .iter()
            .map(|envelope| serde_json::to_vec(envelope).expect("json").len())
            .sum();
        eprintln!(
            "envelope JSON: {} bytes on average (first {} events)",
            bytes / sample.len().max(1),
            sample.len()
        );
        let mut times = Vec::new();
        for _ in 0..options.reps.max(1) {
            let began = Instant::now();
            let mut last_progress = (0, 0);
            let mut last_report = began;
            let mut longest_wait = Duration::ZERO;
            let report = store
                .verify_with_progress(&mut |done, total| {
                    last_progress = (done, total);
                    longest_wait = longest_wait.max(last_report.elapsed());
                    last_report = Instant::now();
                })
                .await
                .expect("verify");
            let elapsed = began.elapsed();
            assert!(report.is_ok(), "verify found a problem: {report:?}");
            assert_eq!(report.n_events, head);
            assert_eq!(last_progress, (head, head), "progress ends at the total");
            eprintln!(
                "verify: {:.2} s (longest wait between progress reports: {} ms)",
                elapsed.as_secs_f64(),
                longest_wait.as_millis()
            );
            times.push(elapsed);
        }
        let median = median(&times);
        println!(
            "verify of {head} events: median {:.2} s over {} runs ({:.0} events/s; {:.2} s per 1M)",
            median.as_secs_f64(),
            times.len(),
            head as f64 / median.as_secs_f64(),
            median.as_secs_f64() * 1e6 / head as f64,
        );
    });
}
