//! Opening refuses what is not a usable Habeas store and leaves it exactly as it was.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use habeas_store::{EventStore, SLED_FORMAT_VERSION, SledConfig, SledStore, StoreError};

use common::{fill, fingerprint};

#[test]
fn a_directory_with_other_files_is_not_a_store() {
    let directory = tempfile::tempdir().expect("tempdir");
    fs::write(directory.path().join("notes.txt"), "prisoner list draft").expect("write");
    fs::create_dir(directory.path().join("photos")).expect("mkdir");
    let before = fingerprint(directory.path());
    let error = SledStore::open(directory.path(), SledConfig::default()).expect_err("refused");
    assert!(
        matches!(&error, StoreError::NotAHabeasStore(path) if path == directory.path()),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("is not a habeas store"),
        "{error}"
    );
    assert_eq!(fingerprint(directory.path()), before);
}

#[test]
fn a_foreign_sled_database_is_not_a_store() {
    let directory = tempfile::tempdir().expect("tempdir");
    {
        let db = sled::open(directory.path()).expect("sled");
        db.insert("k", "v").expect("insert");
        db.flush().expect("flush");
    }
    let before = fingerprint(directory.path());
    let error = SledStore::open(directory.path(), SledConfig::default()).expect_err("refused");
    assert!(matches!(error, StoreError::NotAHabeasStore(_)), "{error:?}");
    assert_eq!(fingerprint(directory.path()), before);
}

#[test]
fn a_file_is_not_a_store() {
    let directory = tempfile::tempdir().expect("tempdir");
    let file = directory.path().join("store");
    fs::write(&file, "x").expect("write");
    let error = SledStore::open(&file, SledConfig::default()).expect_err("refused");
    assert!(matches!(error, StoreError::NotAHabeasStore(_)), "{error:?}");
    assert_eq!(fs::read(&file).expect("read"), b"x");
}

#[tokio::test]
async fn a_newer_format_is_refused() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = directory.path().join("store");
    {
        let store = SledStore::open(&path, SledConfig::default()).expect("open");
        fill(&store, 3).await;
    }
    let newer = SLED_FORMAT_VERSION + 1;
    fs::write(
        path.join("HABEAS_STORE"),
        format!("habeas-store format {newer}\n"),
    )
    .expect("write");
    let before = fingerprint(&path);
    let error = SledStore::open(&path, SledConfig::default()).expect_err("refused");
    assert!(
        matches!(error, StoreError::NewerFormat { found, supported, .. }
            if found == newer && supported == SLED_FORMAT_VERSION),
        "{error:?}"
    );
    assert_eq!(fingerprint(&path), before);
}

#[tokio::test]
async fn a_store_open_in_another_process_is_locked() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = directory.path().join("store");
    {
        let store = SledStore::open(&path, SledConfig::default()).expect("open");
        fill(&store, 3).await;
    }
    let mut holder = Command::new(env!("CARGO_BIN_EXE_habeas-store-crash-writer"))
        .arg(&path)
        .arg("hold")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the holder");
    let mut ready = String::new();
    BufReader::new(holder.stdout.take().expect("stdout"))
        .read_line(&mut ready)
        .expect("read");
    assert_eq!(ready.trim(), "ready", "the holder opened the store");

    let before = fingerprint(&path);
    let error = SledStore::open(&path, SledConfig::default()).expect_err("refused");
    let after = fingerprint(&path);
    holder.kill().expect("kill the holder");
    holder.wait().expect("wait");

    assert!(
        matches!(&error, StoreError::Locked(locked) if *locked == path),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("another habeas process is using it"),
        "{error}"
    );
    assert_eq!(after, before);
    // Once the other process is gone, the store opens with its events.
    let store = SledStore::open(&path, SledConfig::default()).expect("open after the holder died");
    assert_eq!(store.head().await.expect("head"), 3);
    assert!(store.verify().await.expect("verify").is_ok());
}

#[test]
fn missing_and_empty_directories_become_new_stores() {
    let directory = tempfile::tempdir().expect("tempdir");
    let missing = directory.path().join("a").join("b");
    drop(SledStore::open(&missing, SledConfig::default()).expect("create in a missing directory"));
    assert_eq!(
        fs::read_to_string(missing.join("HABEAS_STORE")).expect("marker"),
        format!("habeas-store format {SLED_FORMAT_VERSION}\n")
    );
    let empty = directory.path().join("empty");
    fs::create_dir(&empty).expect("mkdir");
    drop(SledStore::open(&empty, SledConfig::default()).expect("create in an empty directory"));
    assert!(empty.join("HABEAS_STORE").is_file());
    // And both reopen as stores.
    drop(SledStore::open(&missing, SledConfig::default()).expect("reopen"));
    drop(SledStore::open(&empty, SledConfig::default()).expect("reopen"));
}
