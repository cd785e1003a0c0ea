//! Test helper for the store's crash tests: opens a sled store and either appends from
//! many concurrent tasks until killed, printing one line per acknowledged append, or
//! just holds the store open.
//!
//! Usage:
//!
//! ```text
//! habeas-store-crash-writer <store-dir> write <tasks>
//! habeas-store-crash-writer <store-dir> hold
//! ```
//!
//! Output: `ready <head>` once the store is open, then in `write` mode one line per
//! acknowledged append: `ack <stream> <first_position> <last_position> <id>,<id>,...`.
//! stdout is flushed after every line, so a line exists only for a durable append.
//! Exit codes: 0 never (it runs until killed), 1 on any error, 2 on bad usage.

use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use habeas_store::{AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StreamId};
use habeas_store_sled::{SledConfig, SledStore};
use serde_json::json;
use uuid::Uuid;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(2).map(String::as_str) {
        Some("hold") if args.len() == 3 => hold(&args[1]),
        Some("write") if args.len() == 4 => match args[3].parse::<usize>() {
            Ok(tasks) if tasks > 0 => write(&args[1], tasks),
            _ => return usage(),
        },
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("habeas-store-crash-writer: {message}");
            ExitCode::from(1)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: habeas-store-crash-writer <store-dir> (write <tasks> | hold)");
    ExitCode::from(2)
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

fn hold(path: &str) -> Result<(), String> {
    // Bound to a name so that the store stays open until the process is killed.
    let _store = SledStore::open(path, SledConfig::default()).map_err(|error| error.to_string())?;
    let stdout = Mutex::new(std::io::stdout());
    print_line(&stdout, "ready")?;
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

fn write(path: &str, tasks: usize) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|error| format!("cannot start the runtime: {error}"))?;
    runtime.block_on(async move {
        let store =
            SledStore::open(path, SledConfig::default()).map_err(|error| error.to_string())?;
        let stdout = Arc::new(Mutex::new(std::io::stdout()));
        let head = store.head().await.map_err(|error| error.to_string())?;
        print_line(&stdout, &format!("ready {head}"))?;
        let mut handles = Vec::new();
        for task_index in 0..tasks {
            let store = store.clone();
            let stdout = Arc::clone(&stdout);
            handles.push(tokio::spawn(async move {
                append_forever(store, stdout, task_index).await
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

async fn append_forever(
    store: SledStore,
    stdout: Arc<Mutex<std::io::Stdout>>,
    task_index: usize,
) -> Result<(), String> {
    let stream = StreamId::new(format!("crash-{task_index}")).map_err(|error| error.to_string())?;
    for round in 0usize.. {
        let count = 1 + (round + task_index) % 4;
        let command_id = Uuid::now_v7();
        let events: Vec<NewEvent> = (0..count)
            .map(|index| NewEvent {
                event_id: Uuid::now_v7(),
                event_type: "CrashTestNoted".into(),
                schema_version: 1,
                payload: json!({ "count": count, "index": index, "text": "x".repeat(64 * index) }),
            })
            .collect();
        let meta = AppendMeta {
            recorded_by: format!("crash-writer task {task_index}"),
            command_id: Some(command_id),
        };
        match store
            .append(&stream, ExpectedVersion::Any, events, meta)
            .await
        {
            Ok(AppendOutcome::Appended(result)) => {
                let ids: Vec<String> = result.event_ids.iter().map(Uuid::to_string).collect();
                print_line(
                    &stdout,
                    &format!(
                        "ack {stream} {} {} {}",
                        result.first_position,
                        result.last_position,
                        ids.join(",")
                    ),
                )?;
            }
            Ok(other) => return Err(format!("unexpected outcome {other:?}")),
            Err(error) => return Err(error.to_string()),
        }
    }
    Ok(())
}
