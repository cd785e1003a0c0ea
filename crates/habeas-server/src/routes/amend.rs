//! Correcting and retracting a recorded fact, by its event id, through the
//! tracker's `correct` and `retract`: documenters amend their own
//! recordings, editors anyone's; an event the caller may not see is not
//! found.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use habeas::error::TrackerError;
use habeas::tracker::{Recorded, Subject};
use habeas_domain::amendment::Amendment;
use habeas_domain::date::PartialDate;
use habeas_domain::facts::Source;
use habeas_domain::id::{CommandId, EventId};
use habeas_domain::term::Term;
use serde::Deserialize;

use crate::accounts::role::Role;
use crate::auth::{Authenticated, CanRecord};
use crate::error::{AppError, ErrorBody};
use crate::input::{JsonBody, PathParam};
use crate::routes::commands::RecordAnswer;
use crate::state::AppState;

/// A correction: the fields that change, and why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionBody {
    /// When it really happened.
    pub occurred: Option<PartialDate>,
    /// Sources found since, added to those cited.
    #[serde(default)]
    pub added_sources: Vec<Source>,
    /// The facility (of a detention, or where a transfer went).
    pub facility: Option<String>,
    /// The term of a sentence.
    pub term: Option<Term>,
    /// Why (kept in the history).
    pub reason: String,
    /// Makes a retry record nothing new.
    pub command_id: Option<CommandId>,
}

/// A retraction: why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetractionBody {
    /// Why (kept in the history).
    pub reason: String,
    /// Makes a retry record nothing new.
    pub command_id: Option<CommandId>,
}

fn event_id(text: &str) -> Result<EventId, AppError> {
    text.parse()
        .map_err(|_| AppError::bad_input("event", format!("{text:?} is not an event id")))
}

fn reason(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() || text.len() > 2000 {
        return Err(AppError::bad_input(
            "reason",
            "say why, in at most 2000 bytes: it is kept in the history",
        ));
    }
    Ok(text.to_owned())
}

/// The stream of `event`, if the caller may amend it.
pub(crate) async fn amendable(
    state: &AppState,
    auth: &Authenticated<CanRecord>,
    event: EventId,
) -> Result<Subject, AppError> {
    let not_found = || {
        AppError::NotFound(format!(
            "no event {event}: a person's history lists the ids of their events"
        ))
    };
    let tracker = state.tracker();
    let subject = tracker.subject_of(event).await?.ok_or_else(not_found)?;
    let history = tracker.history_of(subject).await?;
    if auth.filter().hidden(&history).contains(&event) {
        return Err(not_found());
    }
    let envelope = tracker
        .store()
        .read_event(*event.as_uuid())
        .await
        .map_err(TrackerError::from)?
        .ok_or_else(not_found)?;
    if auth.account.role < Role::Editor && envelope.recorded_by != auth.account.name {
        return Err(AppError::Forbidden(format!(
            "event {event} was recorded by {:?}: a documenter corrects and retracts only their own recordings; ask an editor",
            envelope.recorded_by
        )));
    }
    Ok(subject)
}

async fn answer(
    state: &AppState,
    auth: &Authenticated<CanRecord>,
    subject: Subject,
    result: Result<Recorded, TrackerError>,
) -> Result<impl IntoResponse + use<>, AppError> {
    let recorded = match result {
        Ok(recorded) => recorded,
        Err(TrackerError::Rejected(rejection)) => {
            let history = state.tracker().history_of(subject).await?;
            return Err(auth.filter().rejection(rejection, &history));
        }
        Err(other) => return Err(other.into()),
    };
    let (person, statement) = match subject {
        Subject::Person(id) => (Some(id), None),
        Subject::Statement(id) => (None, Some(id)),
    };
    Ok((
        crate::routes::people::created(recorded.already_applied),
        Json(RecordAnswer {
            stream: recorded.stream.to_string(),
            person,
            statement,
            event_ids: recorded.event_ids,
            position: recorded.last_position,
            already_applied: recorded.already_applied,
        }),
    ))
}

/// Corrects a recorded fact: the fields given change, the rest stay.
#[utoipa::path(post, path = "/api/v1/events/{event}/correction", params(("event" = String, Path, description = "the event id")), request_body(content = Object, content_type = "application/json"), responses((status = 201, description = "corrected", body = RecordAnswer), (status = 200, description = "corrected before with this command id", body = RecordAnswer), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such event", body = ErrorBody), (status = 409, description = "the rules refuse it, naming the conflicting events", body = ErrorBody)))]
pub async fn correct(
    State(state): State<AppState>,
    auth: Authenticated<CanRecord>,
    PathParam(event): PathParam,
    JsonBody(body): JsonBody<CorrectionBody>,
) -> Result<impl IntoResponse, AppError> {
    let event = event_id(&event)?;
    let reason = reason(&body.reason)?;
    let subject = amendable(&state, &auth, event).await?;
    let amendment = Amendment {
        occurred: body.occurred,
        added_sources: body.added_sources,
        facility: body.facility,
        term: body.term,
    };
    let issued = auth.issued(body.command_id);
    let result = state
        .tracker()
        .correct(event, &amendment, reason, &issued)
        .await;
    answer(&state, &auth, subject, result).await
}

/// Retracts a recorded fact: nothing is deleted; it no longer counts.
#[utoipa::path(post, path = "/api/v1/events/{event}/retraction", params(("event" = String, Path, description = "the event id")), request_body(content = Object, content_type = "application/json"), responses((status = 201, description = "retracted", body = RecordAnswer), (status = 200, description = "retracted before with this command id", body = RecordAnswer), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such event", body = ErrorBody), (status = 409, description = "the rules refuse it, naming the conflicting events", body = ErrorBody)))]
pub async fn retract(
    State(state): State<AppState>,
    auth: Authenticated<CanRecord>,
    PathParam(event): PathParam,
    JsonBody(body): JsonBody<RetractionBody>,
) -> Result<impl IntoResponse, AppError> {
    let event = event_id(&event)?;
    let reason = reason(&body.reason)?;
    let subject = amendable(&state, &auth, event).await?;
    let issued = auth.issued(body.command_id);
    let result = state.tracker().retract(event, reason, &issued).await;
    answer(&state, &auth, subject, result).await
}
