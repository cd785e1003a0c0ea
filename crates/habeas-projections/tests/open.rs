//! Opening a projections directory that something else holds.

mod support;

use habeas_projections::{ProjectionConfig, ProjectionError, Projections};
use habeas_store::StoreError;
use support::folder_entries;

#[test]
fn projections_held_by_another_opener_are_reported_as_a_locked_store() {
    let directory = tempfile::tempdir().expect("temp dir");
    let first = Projections::open(directory.path(), ProjectionConfig::default()).expect("open");
    let error = Projections::open(directory.path(), ProjectionConfig::default())
        .expect_err("a second opener must be refused");
    assert!(
        matches!(&error, ProjectionError::Store(StoreError::Locked { store }) if *store == StoreError::location(directory.path())),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("another habeas process"), "{message}");
    drop(first);
}

#[test]
fn a_second_opener_leaves_a_rebuild_in_progress_alone() {
    let directory = tempfile::tempdir().expect("temp dir");
    let first = Projections::open(directory.path(), ProjectionConfig::default()).expect("open");
    // What a rebuild writes before it switches.
    let next = directory.path().join("generation-2");
    drop(sled::open(&next).expect("the next generation"));
    assert!(habeas_store_sled::wait_for_sled_release(
        &next,
        habeas_store_sled::SLED_RELEASE_TIMEOUT
    ));
    let before = folder_entries(directory.path());
    Projections::open(directory.path(), ProjectionConfig::default()).expect_err("locked");
    assert_eq!(folder_entries(directory.path()), before);
    drop(first);
    // The next opener that does hold the folder removes the leftover.
    drop(Projections::open(directory.path(), ProjectionConfig::default()).expect("reopen"));
    assert_eq!(
        folder_entries(directory.path()),
        ["CURRENT", "generation-1"]
    );
}

#[test]
fn a_folder_holding_anything_else_is_refused_untouched() {
    let directory = tempfile::tempdir().expect("temp dir");
    std::fs::write(directory.path().join("notes.txt"), "mine").expect("write");
    let error =
        Projections::open(directory.path(), ProjectionConfig::default()).expect_err("refused");
    assert!(
        matches!(error, ProjectionError::NotProjections(_)),
        "{error:?}"
    );
    assert_eq!(folder_entries(directory.path()), ["notes.txt"]);
}

#[test]
fn projections_of_the_single_database_layout_are_replaced() {
    let directory = tempfile::tempdir().expect("temp dir");
    {
        let db = sled::open(directory.path()).expect("an old-layout database");
        db.insert("generation", &1u64.to_be_bytes())
            .expect("insert");
        db.flush().expect("flush");
    }
    assert!(habeas_store_sled::wait_for_sled_release(
        directory.path(),
        habeas_store_sled::SLED_RELEASE_TIMEOUT
    ));
    assert!(folder_entries(directory.path()).contains(&"conf".to_owned()));
    let projections =
        Projections::open(directory.path(), ProjectionConfig::default()).expect("open");
    assert_eq!(projections.checkpoint().expect("checkpoint"), 0);
    drop(projections);
    assert_eq!(
        folder_entries(directory.path()),
        ["CURRENT", "generation-1"]
    );
}
