//! The log as a whole: export (streamed) and verify, for editors.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use habeas::error::TrackerError;
use serde::Serialize;

use crate::auth::{Authenticated, CanEdit};
use crate::error::{AppError, ErrorBody};
use crate::security::{self, SecurityEvent, SecurityKind};
use crate::state::AppState;

/// Envelopes per page of an export.
const PAGE: usize = 4096;

/// `GET /api/v1/export`: the whole log, one envelope per line, as stored
/// (restricted facts included, hence editors only), streamed page by page.
#[utoipa::path(get, path = "/api/v1/export", responses((status = 200, description = "the log, one envelope per line", content_type = "application/x-ndjson"), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    auth: Authenticated<CanEdit>,
) -> Result<Response, AppError> {
    security::record(
        state.tracker(),
        SecurityEvent {
            kind: SecurityKind::Export,
            account: Some(auth.account.name.clone()),
            address: auth.address.clone(),
            what: "GET /api/v1/export".to_owned(),
            outcome: "ok".to_owned(),
        },
    )
    .await;
    let store = state.tracker().store().clone();
    let pages = futures_util::stream::unfold(Some(1u64), move |from| {
        let store = store.clone();
        async move {
            let from = from?;
            match store.read_all(from, PAGE).await {
                Ok(page) if page.is_empty() => None,
                Ok(page) => {
                    let next = page.last().map(|e| e.position + 1);
                    let mut text = String::new();
                    for envelope in &page {
                        match serde_json::to_string(envelope) {
                            Ok(line) => {
                                text.push_str(&line);
                                text.push('\n');
                            }
                            Err(err) => return Some((Err(std::io::Error::other(err)), None)),
                        }
                    }
                    Some((Ok::<_, std::io::Error>(text), next))
                }
                Err(err) => {
                    tracing::error!(%err, "export failed");
                    Some((Err(std::io::Error::other(err.to_string())), None))
                }
            }
        }
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(pages),
    )
        .into_response())
}

/// What verify found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerifyAnswer {
    /// True when the chain is intact and the read models agree with the log.
    pub ok: bool,
    /// Events checked.
    pub n_events: u64,
    /// The first damaged position and what is wrong there.
    pub first_problem: Option<String>,
    /// Differences between the read models and a replay of the log.
    pub n_differences: usize,
}

/// `GET /api/v1/verify`: checks the hash chain, then audits the read models.
#[utoipa::path(get, path = "/api/v1/verify", responses((status = 200, description = "what verify found", body = VerifyAnswer), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    _auth: Authenticated<CanEdit>,
) -> Result<Json<VerifyAnswer>, AppError> {
    let tracker = state.tracker();
    let report = tracker.store().verify().await.map_err(TrackerError::from)?;
    let first_problem = report
        .first_problem
        .as_ref()
        .map(|p| format!("position {}: {:?}: {}", p.position, p.kind, p.detail));
    let audit = tracker
        .audit(chrono::Utc::now().date_naive(), &mut |_, _, _| {})
        .await?;
    Ok(Json(VerifyAnswer {
        ok: first_problem.is_none() && audit.is_clean(),
        n_events: report.n_events,
        first_problem,
        n_differences: audit.differences.len(),
    }))
}
