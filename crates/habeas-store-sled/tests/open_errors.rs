//! Opening refuses what is not a usable Habeas store and leaves it exactly as it was.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use habeas_store::{EventStore, StoreError};
use habeas_store_sled::{SLED_FORMAT_VERSION, SledConfig, SledStore};

use common::{fill, fingerprint};

#[test]
fn a_directory_with_other_files_is_not_a_store() {
    let directory = tempfile::tempdir().expect("tempdir");
    fs::write(directory.path().join("notes.txt"), "prisoner list draft").expect("write");
    fs::create_dir(directory.path().join("photos")).expect("mkdir");
    let before = fingerprint(directory.path());
    let error = SledStore::open(directory.path(), SledConfig::default()).expect_err("refused");
    assert!(
        matches!(&error, StoreError::NotAHabeasStore { store, .. } if *store == directory.path().display().to_string()),
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
        common::close_raw_sled(db, directory.path());
    }
    let before = fingerprint(directory.path());
    let error = SledStore::open(directory.path(), SledConfig::default()).expect_err("refused");
    assert!(
        matches!(error, StoreError::NotAHabeasStore { .. }),
        "{error:?}"
    );
    assert_eq!(fingerprint(directory.path()), before);
}

#[test]
fn a_file_is_not_a_store() {
    let directory = tempfile::tempdir().expect("tempdir");
    let file = directory.path().join("store");
    fs::write(&file, "x").expect("write");
    let error = SledStore::open(&file, SledConfig::default()).expect_err("refused");
    assert!(
        matches!(error, StoreError::NotAHabeasStore { .. }),
        "{error:?}"
    );
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
        matches!(&error, StoreError::Locked { store } if *store == path.display().to_string()),
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

/// A closed store with three events.
async fn closed_store(directory: &tempfile::TempDir) -> PathBuf {
    let path = directory.path().join("store");
    let store = SledStore::open(&path, SledConfig::default()).expect("open");
    fill(&store, 3).await;
    path
}

/// Opening is refused as damaged with a message naming `named`, and changes nothing.
fn assert_damaged_and_untouched(path: &Path, named: &Path) -> String {
    let before = fingerprint(path);
    let error = SledStore::open(path, SledConfig::default()).expect_err("refused");
    assert_eq!(fingerprint(path), before, "the refused store was changed");
    assert!(
        matches!(&error, StoreError::Damaged { store: damaged, .. } if *damaged == path.display().to_string()),
        "{error:?}"
    );
    let message = error.to_string();
    for expected in [
        format!("the store at {} is damaged", path.display()),
        named.display().to_string(),
        "restore it from a backup".to_owned(),
    ] {
        assert!(
            message.contains(&expected),
            "{expected:?} not in: {message}"
        );
    }
    message
}

#[tokio::test]
async fn a_db_replaced_by_a_directory_is_damaged() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    fs::remove_file(path.join("db")).expect("remove");
    fs::create_dir(path.join("db")).expect("mkdir");
    let message = assert_damaged_and_untouched(&path, &path.join("db"));
    assert!(message.contains("not a regular file"), "{message}");
}

#[tokio::test]
async fn a_missing_or_emptied_db_is_damaged_not_a_new_empty_store() {
    // sled alone would start an empty database here and the store would open with
    // head 0, its events silently gone.
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    fs::remove_file(path.join("db")).expect("remove");
    let message = assert_damaged_and_untouched(&path, &path.join("db"));
    assert!(message.contains("is missing"), "{message}");

    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    fs::write(path.join("db"), b"").expect("truncate");
    let message = assert_damaged_and_untouched(&path, &path.join("db"));
    assert!(message.contains("truncated (0 bytes)"), "{message}");
}

#[tokio::test]
async fn an_overwritten_db_is_refused_every_time() {
    // Found only after sled opened the file (sled may already have discarded the
    // unreadable data), but the store never opens as an empty one.
    for keep in [0, 100] {
        let directory = tempfile::tempdir().expect("tempdir");
        let path = closed_store(&directory).await;
        let mut bytes = fs::read(path.join("db")).expect("read");
        for byte in &mut bytes[keep..] {
            *byte = 0xAB;
        }
        fs::write(path.join("db"), &bytes).expect("write");
        for attempt in 0..2 {
            let error = SledStore::open(&path, SledConfig::default()).expect_err("refused");
            assert!(
                matches!(&error, StoreError::Damaged { .. }),
                "attempt {attempt}: {error:?}"
            );
            assert!(
                error.to_string().contains(&path.display().to_string()),
                "{error}"
            );
        }
    }
}

#[tokio::test]
async fn a_garbage_marker_is_damaged() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    let marker = path.join("HABEAS_STORE");
    fs::write(&marker, b"\x00\xffnot a marker\n").expect("write");
    let message = assert_damaged_and_untouched(&path, &marker);
    assert!(message.contains("does not read"), "{message}");

    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    let path_marker = path.join("HABEAS_STORE");
    fs::write(&path_marker, b"").expect("truncate");
    assert_damaged_and_untouched(&path, &path_marker);

    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    let marker = path.join("HABEAS_STORE");
    fs::remove_file(&marker).expect("remove");
    fs::create_dir(&marker).expect("mkdir");
    let message = assert_damaged_and_untouched(&path, &marker);
    assert!(message.contains("not a regular file"), "{message}");
}

#[tokio::test]
async fn a_truncated_or_missing_conf_is_damaged() {
    // sled silently rewrites a conf of 8 bytes or less, and cannot parse a longer cut.
    for keep in [0, 8, 20, 40] {
        let directory = tempfile::tempdir().expect("tempdir");
        let path = closed_store(&directory).await;
        let conf = path.join("conf");
        let bytes = fs::read(&conf).expect("read");
        fs::write(&conf, &bytes[..keep]).expect("truncate");
        let named = if keep <= 8 {
            conf.clone()
        } else {
            path.clone()
        };
        let message = assert_damaged_and_untouched(&path, &named);
        assert!(message.contains("conf"), "{message}");
    }
    let directory = tempfile::tempdir().expect("tempdir");
    let path = closed_store(&directory).await;
    fs::remove_file(path.join("conf")).expect("remove");
    assert_damaged_and_untouched(&path, &path.join("conf"));
}

#[test]
fn an_interrupted_creation_is_finished() {
    // A creation killed after sled's files and the format key were written but before
    // the marker was renamed into place.
    let directory = tempfile::tempdir().expect("tempdir");
    let path = directory.path().join("store");
    {
        let db = sled::open(&path).expect("sled");
        db.insert(common::FORMAT_KEY, &SLED_FORMAT_VERSION.to_be_bytes())
            .expect("insert");
        common::close_raw_sled(db, &path);
    }
    fs::write(path.join("HABEAS_STORE.tmp"), "habeas-st").expect("write");
    drop(SledStore::open(&path, SledConfig::default()).expect("finish the creation"));
    assert_eq!(
        fs::read_to_string(path.join("HABEAS_STORE")).expect("marker"),
        format!("habeas-store format {SLED_FORMAT_VERSION}\n")
    );
    assert!(!path.join("HABEAS_STORE.tmp").exists());
    drop(SledStore::open(&path, SledConfig::default()).expect("reopen"));
}

#[test]
fn a_stray_temporary_marker_does_not_adopt_other_files() {
    let directory = tempfile::tempdir().expect("tempdir");
    fs::write(directory.path().join("HABEAS_STORE.tmp"), "").expect("write");
    fs::write(directory.path().join("notes.txt"), "case notes").expect("write");
    let before = fingerprint(directory.path());
    let error = SledStore::open(directory.path(), SledConfig::default()).expect_err("refused");
    assert!(
        matches!(error, StoreError::NotAHabeasStore { .. }),
        "{error:?}"
    );
    assert_eq!(fingerprint(directory.path()), before);
}
