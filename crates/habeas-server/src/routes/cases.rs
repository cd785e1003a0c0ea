//! One person's case: status, history and the statements naming them.

use axum::Json;
use axum::extract::State;
use habeas::tracker::Subject;
use habeas_domain::id::PersonId;
use habeas_domain::status::{Status, View, status};
use serde::Serialize;
use serde_json::Value;

use crate::auth::{AnyRole, Authenticated};
use crate::error::{AppError, ErrorBody};
use crate::filter::{Clearance, Filter};
use crate::input::{QueryParams, ViewParams, view};
use crate::security::{self, SecurityEvent, SecurityKind};
use crate::state::AppState;

/// A person's status as the caller may see it.
#[derive(Debug, Serialize)]
pub struct StatusAnswer {
    /// Their id.
    pub id: PersonId,
    /// Their slug.
    pub slug: String,
    /// The status.
    pub status: Status,
}

/// Logs a read of restricted facts: a cleared caller was sent facts that
/// others would not have been.
pub async fn note_restricted_read(
    state: &AppState,
    filter: Filter,
    hidden_from_public: bool,
    account: &str,
    address: Option<String>,
    what: String,
) {
    if filter.clearance == Clearance::Restricted && hidden_from_public {
        security::record(
            state.tracker(),
            SecurityEvent {
                kind: SecurityKind::RestrictedRead,
                account: Some(account.to_owned()),
                address,
                what,
                outcome: "ok".to_owned(),
            },
        )
        .await;
    }
}

/// `GET /api/v1/people/{person}/status?as_of=&known_at=`
#[utoipa::path(get, path = "/api/v1/people/{person}/status", params(("person" = String, Path, description = "an id, a slug, or a name or alias matching one person"), ("as_of" = Option<String>, Query, description = "YYYY, YYYY-MM or YYYY-MM-DD"), ("known_at" = Option<String>, Query, description = "an RFC 3339 moment")), responses((status = 200, description = "the status", body = Object), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such person", body = ErrorBody)))]
pub async fn get_status(
    State(state): State<AppState>,
    auth: Authenticated<AnyRole>,
    crate::input::PathParam(reference): crate::input::PathParam,
    QueryParams(params): QueryParams<ViewParams>,
) -> Result<Json<StatusAnswer>, AppError> {
    let view = view(params.as_of.as_deref(), params.known_at.as_deref())?;
    let entry = super::person(state.tracker(), &reference).await?;
    let history = state
        .tracker()
        .history_of(Subject::Person(entry.id))
        .await?;
    let filter = auth.filter();
    let public = Filter::new(Clearance::PublicOnly);
    note_restricted_read(
        &state,
        filter,
        !public.hidden(&history).is_empty(),
        &auth.account.name,
        auth.address.clone(),
        format!("status of {}", entry.id),
    )
    .await;
    let visible = filter.history(history);
    Ok(Json(StatusAnswer {
        id: entry.id,
        slug: entry.slug,
        status: status(&visible, view),
    }))
}

/// One line of a history as sent.
#[derive(Debug, Serialize)]
pub struct HistoryLine {
    /// The stored envelope.
    pub envelope: Value,
    /// The headline right after it was recorded, from what the caller may see.
    pub headline_after: habeas_domain::status::Headline,
}

/// `GET /api/v1/people/{person}/history`
#[utoipa::path(get, path = "/api/v1/people/{person}/history", params(("person" = String, Path, description = "an id, a slug, or a name or alias matching one person")), responses((status = 200, description = "every event with its envelope", body = Object), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such person", body = ErrorBody)))]
pub async fn get_history(
    State(state): State<AppState>,
    auth: Authenticated<AnyRole>,
    crate::input::PathParam(reference): crate::input::PathParam,
) -> Result<Json<Vec<HistoryLine>>, AppError> {
    let entry = super::person(state.tracker(), &reference).await?;
    let entries = state.tracker().history(entry.id).await?;
    let recorded: Vec<_> = entries
        .iter()
        .map(|e| habeas_domain::history::RecordedEvent {
            id: habeas_domain::id::EventId::from_uuid(e.envelope.event_id),
            recorded_at: e.envelope.recorded_at,
            command_id: e
                .envelope
                .command_id
                .map(habeas_domain::id::CommandId::from_uuid),
            event: e.event.clone(),
        })
        .collect();
    let filter = auth.filter();
    note_restricted_read(
        &state,
        filter,
        !Filter::new(Clearance::PublicOnly)
            .hidden(&recorded)
            .is_empty(),
        &auth.account.name,
        auth.address.clone(),
        format!("history of {}", entry.id),
    )
    .await;
    let visible = filter.history(recorded);
    let lines = entries
        .into_iter()
        .filter_map(|e| {
            let idx = visible
                .iter()
                .position(|r| *r.id.as_uuid() == e.envelope.event_id)?;
            let then = View {
                as_of: visible[idx].recorded_at.date_naive(),
                known_at: visible[idx].recorded_at,
            };
            Some(HistoryLine {
                envelope: serde_json::to_value(&e.envelope).ok()?,
                headline_after: status(&visible[..=idx], then).headline,
            })
        })
        .collect();
    Ok(Json(lines))
}

/// One statement as sent.
#[derive(Debug, Serialize)]
pub struct StatementLine {
    /// The statement's id.
    pub id: habeas_domain::id::StatementId,
    /// The event that recorded it.
    pub event_id: habeas_domain::id::EventId,
    /// The statement after corrections.
    pub statement: habeas_domain::event::Statement,
}

/// `GET /api/v1/people/{person}/statements`
#[utoipa::path(get, path = "/api/v1/people/{person}/statements", params(("person" = String, Path, description = "an id, a slug, or a name or alias matching one person")), responses((status = 200, description = "statements naming the person", body = Object), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such person", body = ErrorBody)))]
pub async fn get_statements(
    State(state): State<AppState>,
    auth: Authenticated<AnyRole>,
    crate::input::PathParam(reference): crate::input::PathParam,
) -> Result<Json<Vec<StatementLine>>, AppError> {
    let entry = super::person(state.tracker(), &reference).await?;
    let filter = auth.filter();
    let mut lines = Vec::new();
    for record in state.tracker().statements_about(entry.id).await? {
        let history = state
            .tracker()
            .history_of(Subject::Statement(record.id))
            .await?;
        if filter.hidden(&history).contains(&record.event_id) {
            continue;
        }
        lines.push(StatementLine {
            id: record.id,
            event_id: record.event_id,
            statement: record.statement,
        });
    }
    Ok(Json(lines))
}
