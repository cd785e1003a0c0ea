//! Opening a projections directory that something else holds.

use habeas_projections::{ProjectionConfig, ProjectionError, Projections};
use habeas_store::StoreError;

#[test]
fn projections_held_by_another_opener_are_reported_as_a_locked_store() {
    let directory = tempfile::tempdir().expect("temp dir");
    let first = Projections::open(directory.path(), ProjectionConfig::default()).expect("open");
    let error = Projections::open(directory.path(), ProjectionConfig::default())
        .expect_err("a second opener must be refused");
    assert!(
        matches!(&error, ProjectionError::Store(StoreError::Locked(path)) if path == directory.path()),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("another habeas process"), "{message}");
    drop(first);
}
