//! Test helper for the PostgreSQL backend's crash and concurrency tests: opens a store
//! and appends from many concurrent tasks, printing one line per acknowledged append.
//!
//! Usage:
//!
//! ```text
//! habeas-store-postgres-crash-writer <url> write <tasks>
//! habeas-store-postgres-crash-writer <url> race <tasks> <appends per task>
//! ```
//!
//! `write` appends to the stream `crash-<task>` until killed (or until an append
//! fails: the server was stopped). `race` makes each task append `<appends per task>`
//! times with an exact expected version, read first and retried on conflict, to the
//! stream `shared-<task mod 2>` (shared with every other task and process) and to a
//! stream of its own, `own-<pid>-<task>`, then exits.
//!
//! Output: `ready <head>` once the store is open, then one line per acknowledged
//! append: `ack <stream> <first_position> <last_position> <id>,<id>,...`. stdout is
//! flushed after every line, so a line exists only for a committed append. Exit codes:
//! 0 when `race` is done, 1 on any error, 2 on bad usage.

use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use habeas_store::{AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StreamId};
use habeas_store_postgres::{PostgresConfig, PostgresStore};
use serde_json::json;
use uuid::Uuid;

/// What each task does.
#[derive(Clone, Copy)]
enum Mode {
    Write,
    Race { appends: usize },
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let number = |index: usize| args.get(index).and_then(|arg| arg.parse::<usize>().ok());
    let parsed = match (args.get(2).map(String::as_str), args.len()) {
        (Some("write"), 4) => number(3).map(|tasks| (tasks, Mode::Write)),
        (Some("race"), 5) => number(3)
            .zip(number(4))
            .map(|(tasks, appends)| (tasks, Mode::Race { appends })),
        _ => None,
    };
    let Some((tasks, mode)) = parsed.filter(|(tasks, _)| *tasks > 0) else {
        eprintln!(
            "usage: habeas-store-postgres-crash-writer <url> (write <tasks> | race <tasks> <appends>)"
        );
        return ExitCode::from(2);
    };
    match run(&args[1], tasks, mode) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("habeas-store-postgres-crash-writer: {message}");
            ExitCode::from(1)
        }
    }
}

fn print_line(stdout: &Mutex<std::io::Stdout>, line: &str) -> Result<(), String> {
    let stdout = stdout
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut locked = stdout.lock();
    writeln!(locked, "{line}")
        .and_then(|()| locked.flush())
        .map_err(|error| format!("cannot write to stdout: {error}"))
}

fn run(url: &str, tasks: usize, mode: Mode) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the runtime: {error}"))?;
    runtime.block_on(async move {
        let store = PostgresStore::open_async(url, PostgresConfig::default())
            .await
            .map_err(|error| error.to_string())?
            .ok_or("no store")?;
        let stdout = Arc::new(Mutex::new(std::io::stdout()));
        let head = store.head().await.map_err(|error| error.to_string())?;
        print_line(&stdout, &format!("ready {head}"))?;
        let mut handles = Vec::new();
        for task_index in 0..tasks {
            let store = store.clone();
            let stdout = Arc::clone(&stdout);
            handles.push(tokio::spawn(async move {
                match mode {
                    Mode::Write => append_forever(store, stdout, task_index).await,
                    Mode::Race { appends } => race(store, stdout, task_index, appends).await,
                }
            }));
        }
        for handle in handles {
            handle
                .await
                .map_err(|error| format!("task failed: {error}"))??;
        }
        Ok(())
    })
}

fn events(count: usize) -> Vec<NewEvent> {
    (0..count)
        .map(|index| NewEvent {
            event_id: Uuid::now_v7(),
            event_type: "CrashTestNoted".into(),
            schema_version: 1,
            payload: json!({ "count": count, "index": index, "text": "x".repeat(64 * index) }),
        })
        .collect()
}

fn ack_line(stream: &StreamId, outcome: &AppendOutcome) -> Option<String> {
    let AppendOutcome::Appended(result) = outcome else {
        return None;
    };
    let ids: Vec<String> = result.event_ids.iter().map(Uuid::to_string).collect();
    Some(format!(
        "ack {stream} {} {} {}",
        result.first_position,
        result.last_position,
        ids.join(",")
    ))
}

async fn append_forever(
    store: PostgresStore,
    stdout: Arc<Mutex<std::io::Stdout>>,
    task_index: usize,
) -> Result<(), String> {
    let stream = StreamId::new(format!("crash-{task_index}")).map_err(|error| error.to_string())?;
    for round in 0usize.. {
        let count = 1 + (round + task_index) % 4;
        let meta = AppendMeta {
            recorded_by: format!("crash-writer task {task_index}"),
            command_id: Some(Uuid::now_v7()),
        };
        let outcome = store
            .append(&stream, ExpectedVersion::Any, events(count), meta)
            .await
            .map_err(|error| error.to_string())?;
        match ack_line(&stream, &outcome) {
            Some(line) => print_line(&stdout, &line)?,
            None => return Err(format!("unexpected outcome {outcome:?}")),
        }
    }
    Ok(())
}

async fn race(
    store: PostgresStore,
    stdout: Arc<Mutex<std::io::Stdout>>,
    task_index: usize,
    appends: usize,
) -> Result<(), String> {
    let shared = StreamId::new(format!("shared-{}", task_index % 2)).map_err(|e| e.to_string())?;
    let own = StreamId::new(format!("own-{}-{task_index}", std::process::id()))
        .map_err(|error| error.to_string())?;
    for round in 0..appends {
        for stream in [&shared, &own] {
            loop {
                let version = store
                    .read_stream(stream, 1)
                    .await
                    .map_err(|error| error.to_string())?
                    .last()
                    .map_or(0, |envelope| envelope.version);
                let meta = AppendMeta {
                    recorded_by: format!("race task {task_index}"),
                    command_id: Some(Uuid::now_v7()),
                };
                let count = 1 + (round + task_index) % 3;
                let outcome = store
                    .append(stream, ExpectedVersion::Exact(version), events(count), meta)
                    .await
                    .map_err(|error| error.to_string())?;
                match (&outcome, ack_line(stream, &outcome)) {
                    (_, Some(line)) => {
                        print_line(&stdout, &line)?;
                        break;
                    }
                    (AppendOutcome::Conflict { .. }, None) => continue,
                    (other, None) => return Err(format!("unexpected outcome {other:?}")),
                }
            }
        }
    }
    Ok(())
}
