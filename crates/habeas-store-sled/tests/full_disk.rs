//! A store on a full device: the append that hits the full disk gets a clear
//! `DiskFull` naming the store and what to do, later appends a clear `WriterFailed`,
//! reopening on the still-full device a clear error, and once there is space again every
//! acknowledged append is there, no append is partial and `verify` passes.
//!
//! Runs as root on Linux, on a small tmpfs mounted for the test (and unmounted by a
//! guard whatever happens). Without the right to mount it prints a "skipped" line and
//! passes, unless `HABEAS_REQUIRE_FULL_DISK_TEST=1` is set (for CI), where it fails.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use habeas_store::{
    AppendMeta, AppendOutcome, Envelope, EventStore, ExpectedVersion, NewEvent, StoreError,
    StreamId,
};
use habeas_store_sled::{SledConfig, SledStore};
use serde_json::json;
use uuid::Uuid;

const WRITER_TASKS: usize = 4;

/// The tests of this file run one at a time: each spawns `mount` and `umount`, whose
/// children briefly inherit every open file, including those on the other's tmpfs.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A tmpfs mounted on a fresh directory; unmounted on drop.
struct Tmpfs {
    mount_point: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (as `mount -o size=` takes it); `None` when this process
    /// may not mount.
    fn mount(mount_point: &Path, size: &str) -> Option<Tmpfs> {
        let output = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(mount_point)
            .output()
            .expect("run mount");
        if output.status.success() {
            return Some(Tmpfs {
                mount_point: mount_point.to_owned(),
            });
        }
        let stderr = String::from_utf8_lossy(&output.stderr).to_lowercase();
        let not_permitted = [
            "permission denied",
            "not permitted",
            "only root",
            "superuser",
        ]
        .iter()
        .any(|phrase| stderr.contains(phrase));
        assert!(
            not_permitted,
            "mount failed for another reason than permissions: {stderr}"
        );
        None
    }

    fn resize(&self, size: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.mount_point)
            .status()
            .expect("run mount");
        assert!(status.success(), "remounting the tmpfs with size {size}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(&self.mount_point)
            .status()
            .is_ok_and(|status| status.success());
        if !unmounted {
            // Something still has a file open there (a panic mid-test): detach it.
            let lazy = Command::new("umount")
                .arg("-l")
                .arg(&self.mount_point)
                .status();
            eprintln!(
                "umount {} failed; lazy umount: {lazy:?}",
                self.mount_point.display()
            );
        }
    }
}

/// One acknowledged append.
#[derive(Debug)]
struct Ack {
    command_id: Uuid,
    first_position: u64,
    event_ids: Vec<Uuid>,
}

/// Appends until an append fails; returns the acknowledged appends and the error.
async fn append_until_failure(store: SledStore, task_index: usize) -> (Vec<Ack>, StoreError) {
    let stream = StreamId::new(format!("person-{task_index}")).expect("stream");
    let mut acks = Vec::new();
    let started = Instant::now();
    for round in 0usize.. {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the disk never filled up after {round} appends"
        );
        let count = 1 + (round + task_index) % 4;
        let command_id = Uuid::now_v7();
        let events: Vec<NewEvent> = (0..count)
            .map(|index| NewEvent {
                event_id: Uuid::now_v7(),
                event_type: "Noted".into(),
                schema_version: 1,
                payload: json!({ "count": count, "index": index, "text": "x".repeat(300) }),
            })
            .collect();
        let meta = AppendMeta {
            recorded_by: "full-disk test".into(),
            command_id: Some(command_id),
        };
        match store
            .append(&stream, ExpectedVersion::Any, events, meta)
            .await
        {
            Ok(AppendOutcome::Appended(result)) => acks.push(Ack {
                command_id,
                first_position: result.first_position,
                event_ids: result.event_ids,
            }),
            Ok(other) => panic!("unexpected outcome {other:?}"),
            Err(error) => return (acks, error),
        }
    }
    unreachable!("the loop only ends by returning")
}

async fn try_read_everything(store: &SledStore) -> Result<Vec<Envelope>, StoreError> {
    let head = store.head().await?;
    let mut log: Vec<Envelope> = Vec::new();
    while (log.len() as u64) < head {
        let batch = store.read_all(log.len() as u64 + 1, 4096).await?;
        assert!(!batch.is_empty(), "read_all stopped before the head");
        log.extend(batch);
    }
    Ok(log)
}

async fn read_everything(store: &SledStore) -> Vec<Envelope> {
    try_read_everything(store).await.expect("read")
}

fn assert_disk_full(error: &StoreError, store_path: &Path) {
    assert!(
        matches!(error, StoreError::DiskFull { location } if location.starts_with(&store_path.display().to_string())),
        "expected DiskFull under {}: {error:?}",
        store_path.display()
    );
    let message = error.to_string();
    for expected in [
        "no space left on device",
        &store_path.display().to_string(),
        "free disk space",
        "reopen the store and retry",
    ] {
        assert!(message.contains(expected), "{expected:?} not in: {message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_loses_nothing_acknowledged_and_says_what_to_do() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    if !cfg!(target_os = "linux") {
        println!("skipped: the full-disk test mounts a tmpfs, which needs Linux");
        return;
    }
    let directory = tempfile::tempdir().expect("tempdir");
    let mount_point = directory.path().join("tmpfs");
    std::fs::create_dir(&mount_point).expect("mkdir");
    // Declared after `directory`, so dropped (unmounted) before it is removed.
    let Some(tmpfs) = Tmpfs::mount(&mount_point, "4m") else {
        assert!(
            std::env::var_os("HABEAS_REQUIRE_FULL_DISK_TEST").is_none(),
            "HABEAS_REQUIRE_FULL_DISK_TEST is set but this process may not mount a tmpfs"
        );
        println!("skipped: needs root to mount a tmpfs (the full-disk test did not run)");
        return;
    };
    let path = mount_point.join("store");
    let started = Instant::now();

    // Fill the device from several tasks, so that the failing commit is a group.
    let store = SledStore::open(&path, SledConfig::default()).expect("open");
    let mut tasks = Vec::new();
    for task_index in 0..WRITER_TASKS {
        let store = store.clone();
        tasks.push(tokio::spawn(append_until_failure(store, task_index)));
    }
    let mut acks = Vec::new();
    let mut errors = Vec::new();
    for task in tasks {
        let (task_acks, error) = task.await.expect("task");
        acks.extend(task_acks);
        errors.push(error);
    }
    println!(
        "disk full after {} acknowledged appends; errors: {:?}",
        acks.len(),
        errors.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    assert!(!acks.is_empty(), "nothing fitted on the device");
    // The appends of the failed group get DiskFull, any later one WriterFailed; each
    // says what happened and what to do.
    assert!(
        errors
            .iter()
            .any(|error| matches!(error, StoreError::DiskFull { .. })),
        "{errors:?}"
    );
    for error in &errors {
        match error {
            StoreError::DiskFull { .. } => assert_disk_full(error, &path),
            StoreError::WriterFailed { .. } => {}
            other => panic!("unexpected error {other:?}"),
        }
    }
    let later = store
        .append(
            &StreamId::new("person-late").expect("stream"),
            ExpectedVersion::Any,
            vec![common::note("after the failure")],
            common::meta(),
        )
        .await;
    let Err(later @ StoreError::WriterFailed { .. }) = later else {
        panic!("an append after the failure must get WriterFailed: {later:?}");
    };
    let message = later.to_string();
    for expected in [
        "accepts no more appends until it is reopened",
        "no space left on device",
        "free disk space",
        "acknowledged before are durable",
    ] {
        assert!(message.contains(expected), "{expected:?} not in: {message}");
    }
    // The head is the last acknowledged position. Reads show exactly the acknowledged
    // appends, or, when sled kept the write error (it may write on read), fail with the
    // same clear DiskFull.
    let last_acknowledged = acks
        .iter()
        .map(|ack| ack.first_position + ack.event_ids.len() as u64 - 1)
        .max()
        .expect("acks");
    assert_eq!(store.head().await.expect("head"), last_acknowledged);
    match try_read_everything(&store).await {
        Ok(log) => assert_eq!(log.len() as u64, last_acknowledged),
        Err(error) => {
            println!("reading after the failure: {error}");
            assert_disk_full(&error, &path);
        }
    }
    drop(store);

    // Reopening while the device is still full either fails clearly or opens a store
    // whose first append fails clearly.
    match SledStore::open(&path, SledConfig::default()) {
        Err(error) => {
            println!("reopening on the full device: {error}");
            assert_disk_full(&error, &path);
        }
        Ok(store) => {
            let outcome = store
                .append(
                    &StreamId::new("person-late").expect("stream"),
                    ExpectedVersion::Any,
                    vec![common::note("still full")],
                    common::meta(),
                )
                .await;
            println!("appending after reopening on the full device: {outcome:?}");
            let Err(error) = outcome else {
                panic!("an append on a full device succeeded");
            };
            assert_disk_full(&error, &path);
        }
    }

    // Make room, as an operator would, and reopen.
    tmpfs.resize("64m");
    let store = SledStore::open(&path, SledConfig::default()).expect("reopen with space");
    let report = store.verify().await.expect("verify");
    assert!(report.is_ok(), "verify after the full disk: {report:?}");
    let log = read_everything(&store).await;
    assert_eq!(report.n_events, log.len() as u64);
    assert!(log.len() as u64 >= last_acknowledged);
    // Every acknowledged append is there, whole, where it was acknowledged.
    for ack in &acks {
        let start = usize::try_from(ack.first_position - 1).expect("index");
        let stored = &log[start..start + ack.event_ids.len()];
        let ids: Vec<Uuid> = stored.iter().map(|envelope| envelope.event_id).collect();
        assert_eq!(ids, ack.event_ids, "acknowledged append changed: {ack:?}");
        assert!(
            stored
                .iter()
                .all(|envelope| envelope.command_id == Some(ack.command_id))
        );
    }
    // No append is partial: an unacknowledged one is wholly there or wholly absent.
    let mut appends: BTreeMap<Uuid, Vec<&Envelope>> = BTreeMap::new();
    for envelope in &log {
        let command_id = envelope.command_id.expect("every append has a command id");
        appends.entry(command_id).or_default().push(envelope);
    }
    for (command_id, events) in &appends {
        let count = events[0].payload["count"].as_u64().expect("count");
        assert_eq!(events.len() as u64, count, "append {command_id} is partial");
        for (index, envelope) in events.iter().enumerate() {
            assert_eq!(envelope.payload["index"].as_u64(), Some(index as u64));
            assert_eq!(envelope.position, events[0].position + index as u64);
        }
    }
    // The store takes appends again.
    let outcome = store
        .append(
            &StreamId::new("person-late").expect("stream"),
            ExpectedVersion::Any,
            vec![common::note("after making room")],
            common::meta(),
        )
        .await
        .expect("append with space");
    assert!(matches!(outcome, AppendOutcome::Appended(_)), "{outcome:?}");
    assert!(store.verify().await.expect("verify").is_ok());
    println!(
        "full-disk test: {} acknowledged appends checked, {} events after reopening \
         ({} unacknowledged appends found whole), {:.1?}",
        acks.len(),
        log.len(),
        appends.len() - acks.len(),
        started.elapsed()
    );
    drop(store);
    drop(tmpfs);
}

#[tokio::test]
async fn creating_a_store_on_a_full_disk_fails_clearly() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    if !cfg!(target_os = "linux") {
        println!("skipped: the full-disk test mounts a tmpfs, which needs Linux");
        return;
    }
    let directory = tempfile::tempdir().expect("tempdir");
    let mount_point = directory.path().join("tmpfs");
    std::fs::create_dir(&mount_point).expect("mkdir");
    let Some(tmpfs) = Tmpfs::mount(&mount_point, "1m") else {
        assert!(
            std::env::var_os("HABEAS_REQUIRE_FULL_DISK_TEST").is_none(),
            "HABEAS_REQUIRE_FULL_DISK_TEST is set but this process may not mount a tmpfs"
        );
        println!("skipped: needs root to mount a tmpfs (the full-disk test did not run)");
        return;
    };
    // Fill the device to the last page (tmpfs allocates whole pages).
    let filler = mount_point.join("filler");
    {
        let mut file = std::fs::File::create(&filler).expect("create the filler");
        let page = [0u8; 4096];
        loop {
            match std::io::Write::write(&mut file, &page) {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) if error.raw_os_error() == Some(28) => break,
                Err(error) => panic!("filling the tmpfs: {error}"),
            }
        }
    }
    let path = mount_point.join("store");
    let error = SledStore::open(&path, SledConfig::default()).expect_err("no room to create");
    println!("creating a store on a full device: {error}");
    assert_disk_full(&error, &path);
    // With room again the same directory becomes a store: the failed creation left
    // nothing behind that blocks it. (Room is made by growing the tmpfs: deleting the
    // filler frees nothing while any child process spawned meanwhile still holds it.)
    tmpfs.resize("8m");
    let store = SledStore::open(&path, SledConfig::default()).expect("create with room");
    common::fill(&store, 3).await;
    assert!(store.verify().await.expect("verify").is_ok());
    drop(store);
    drop(tmpfs);
}
