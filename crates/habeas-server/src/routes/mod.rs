//! The handlers of `/api/v1`, one file per group of routes. Each takes the
//! extractor its access needs ([`crate::auth`]) and builds what it sends
//! from [`crate::filter::Filter`].

pub mod admin;
pub mod amend;
pub mod cases;
pub mod commands;
pub mod import;
pub mod people;
pub mod reports;
pub mod session;
pub mod store;

use habeas::people::PersonEntry;
use habeas::tracker::Tracker;

use crate::error::AppError;

/// The person a path names: an id, a slug, or a name or alias matching one
/// person.
pub async fn person(tracker: &Tracker, reference: &str) -> Result<PersonEntry, AppError> {
    if reference.trim().is_empty() || reference.len() > 512 {
        return Err(AppError::bad_input(
            "person",
            "give a person's id, slug or name (at most 512 bytes)",
        ));
    }
    Ok(tracker.resolve(reference).await?)
}
