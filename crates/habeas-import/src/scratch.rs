//! The store a dry run writes to: a copy of the real one in memory.
//!
//! A dry run must decide every line exactly as a real import would, including
//! the effect of earlier lines on later ones (a person registered on line 1
//! and detained on line 2) and of what the store already holds (a command id
//! imported before). So it runs the real import against a
//! [`MemoryStore`] seeded with every event of the real store, appended in the
//! same groups (one append per original append, with its command id), and
//! throws the copy away. The copy costs one read of the whole log and memory
//! in proportion to it, and its read models (in a temporary directory) are
//! built from it when a line first names someone.

use std::sync::Arc;

use habeas::codec;
use habeas::error::TrackerError;
use habeas::tracker::Tracker;
use habeas_store::{
    AppendMeta, AppendOutcome, Envelope, EventStore, ExpectedVersion, MemoryStore, NewEvent,
};

use crate::error::ImportError;

const PAGE: usize = 4096;

/// The tracker an import writes to, and a note on it for the report: the
/// real tracker, or for a dry run a tracker over an in-memory copy.
pub(crate) async fn workspace(
    tracker: &Tracker,
    dry_run: bool,
) -> Result<(Tracker, Option<String>), ImportError> {
    if !dry_run {
        return Ok((tracker.clone(), None));
    }
    let copy = MemoryStore::with_upcaster(Some(codec::upcaster()));
    let unreadable = |err| ImportError::StoreUnreadable {
        source: TrackerError::Store(err),
    };
    let copy_failed = |detail: String| ImportError::DryRunCopy { detail };
    let mut n_events = 0usize;
    let mut group: Vec<Envelope> = Vec::new();
    let mut from = 1;
    loop {
        let page = tracker
            .store()
            .read_all(from, PAGE)
            .await
            .map_err(unreadable)?;
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        for envelope in page {
            n_events += 1;
            if group
                .first()
                .is_some_and(|first| !same_append(first, &envelope))
            {
                append(&copy, std::mem::take(&mut group))
                    .await
                    .map_err(copy_failed)?;
            }
            group.push(envelope);
        }
    }
    if !group.is_empty() {
        append(&copy, group).await.map_err(copy_failed)?;
    }
    let note = format!(
        "dry run: decided against a copy in memory of the store ({n_events} events); nothing was written"
    );
    let tracker = Tracker::with_temporary_projections(Arc::new(copy))
        .map_err(|source| ImportError::StoreUnreadable { source })?;
    Ok((tracker, Some(note)))
}

/// Whether two consecutive envelopes were written by one append: the store
/// gives every event of an append the same stream, time, author and command.
fn same_append(first: &Envelope, next: &Envelope) -> bool {
    first.stream == next.stream
        && first.recorded_at == next.recorded_at
        && first.recorded_by == next.recorded_by
        && first.command_id == next.command_id
}

async fn append(copy: &MemoryStore, group: Vec<Envelope>) -> Result<(), String> {
    let first = group.first().expect("a group is never empty").clone();
    let events = group
        .into_iter()
        .map(|envelope| NewEvent {
            event_id: envelope.event_id,
            event_type: envelope.event_type,
            schema_version: envelope.schema_version,
            payload: envelope.payload,
        })
        .collect();
    let meta = AppendMeta {
        recorded_by: first.recorded_by.clone(),
        command_id: first.command_id,
    };
    match copy
        .append(&first.stream, ExpectedVersion::Any, events, meta)
        .await
        .map_err(|err| err.to_string())?
    {
        AppendOutcome::Appended(_) => Ok(()),
        other => Err(format!(
            "the events from position {} could not be copied: {other:?}",
            first.position
        )),
    }
}
