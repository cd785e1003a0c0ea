//! Blocking work (sled reads and writes, deriving rows) off the async
//! executor: the projections serve an HTTP server's tasks, whose executor
//! threads must never wait on a disk or spend milliseconds on one request.

use crate::error::ProjectionError;

/// Runs `work` on tokio's blocking pool and waits for it without holding an
/// executor thread. A panic in `work` resumes in the caller, as if it had
/// run inline.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, ProjectionError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ProjectionError> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => Err(ProjectionError::Worker(error.to_string())),
    }
}
