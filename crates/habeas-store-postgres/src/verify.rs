//! `verify` for PostgreSQL: the shared chain check over the rows in position order,
//! plus the check that each row's indexed columns agree with its envelope.

use habeas_store::verify::{ChainVerifier, VerifyProblem, VerifyReport};
use habeas_store::{Envelope, EventStore, ProblemKind, StoreError};
use uuid::Uuid;

use crate::store::PostgresStore;
use crate::writer::from_sql;

/// Rows per page: large enough that the round trips do not count, small enough to
/// keep memory flat on a large log.
const PAGE: i64 = 4096;

/// One row of `habeas.events` as verify reads it.
pub(crate) struct Row {
    pub(crate) position: i64,
    pub(crate) stream: String,
    pub(crate) version: i64,
    pub(crate) event_id: Uuid,
    pub(crate) envelope: Vec<u8>,
}

pub(crate) async fn verify(
    store: &PostgresStore,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<VerifyReport, StoreError> {
    let recorded_head = store.head().await?;
    let mut verifier = ChainVerifier::new();
    let mut after = 0u64;
    loop {
        let rows = store.verify_page(after, PAGE).await?;
        let Some(last) = rows.last() else { break };
        after = from_sql(last.position);
        for row in &rows {
            if let Err(problem) = check_row(&mut verifier, row) {
                return Ok(VerifyReport {
                    n_events: verifier.n_events(),
                    first_problem: Some(problem),
                });
            }
        }
        progress(verifier.n_events(), recorded_head.max(verifier.n_events()));
    }
    if let Err(problem) = verifier.check_end(recorded_head) {
        return Ok(VerifyReport {
            n_events: verifier.n_events(),
            first_problem: Some(problem),
        });
    }
    progress(verifier.n_events(), verifier.n_events());
    Ok(VerifyReport {
        n_events: verifier.n_events(),
        first_problem: None,
    })
}

fn check_row(verifier: &mut ChainVerifier, row: &Row) -> Result<(), VerifyProblem> {
    let position = from_sql(row.position);
    let envelope: Envelope = serde_json::from_slice(&row.envelope)
        .map_err(|error| verifier.undecodable(position, &error.to_string()))?;
    verifier.check(position, &envelope)?;
    let mismatch = |what: &str, column: String, stored: String| VerifyProblem {
        position,
        kind: ProblemKind::IndexMismatch,
        detail: format!(
            "the row's {what} column says {column} but its envelope says {stored}: the row \
             was altered"
        ),
    };
    if row.stream != envelope.stream.as_str() {
        return Err(mismatch(
            "stream",
            row.stream.clone(),
            envelope.stream.to_string(),
        ));
    }
    if from_sql(row.version) != envelope.version {
        return Err(mismatch(
            "version",
            row.version.to_string(),
            envelope.version.to_string(),
        ));
    }
    if row.event_id != envelope.event_id {
        return Err(mismatch(
            "event_id",
            row.event_id.to_string(),
            envelope.event_id.to_string(),
        ));
    }
    verifier.accept(&envelope);
    Ok(())
}
