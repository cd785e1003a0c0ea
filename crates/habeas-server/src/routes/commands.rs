//! Recording developments: `POST /api/v1/commands` takes one command in the
//! JSON-lines format of imports (`crates/habeas-import/FORMAT.md`), the one
//! command format of Habeas (a whole file of them is an import:
//! [`crate::routes::import`]).

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use habeas::error::TrackerError;
use habeas::tracker::Subject;
use habeas_domain::command::Action;
use habeas_domain::id::{EventId, PersonId, StatementId};
use habeas_import::ids::{person_id_for, statement_id_for};
use habeas_import::jsonl::{Target, parse_line};
use habeas_import::reason::Reason;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::accounts::role::Role;
use crate::auth::{Authenticated, Records};
use crate::error::{AppError, ErrorBody};
use crate::input::{body_bytes, require_json_request, utf8};
use crate::state::AppState;

/// What a write recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordAnswer {
    /// The stream written to.
    pub stream: String,
    /// The person, when the stream is a person's.
    #[schema(value_type = Option<String>)]
    pub person: Option<PersonId>,
    /// The statement, when the stream is a statement's.
    #[schema(value_type = Option<String>)]
    pub statement: Option<StatementId>,
    /// The events recorded (or recorded before, for a retry).
    #[schema(value_type = Vec<String>)]
    pub event_ids: Vec<EventId>,
    /// The global position of the last one.
    pub position: u64,
    /// True when the command id was recorded before: nothing new was written.
    pub already_applied: bool,
}

/// The field a reason names, and the status it calls for.
fn reason_error(reason: Reason, text: &str) -> AppError {
    let field = match &reason {
        Reason::NotJson { .. } | Reason::NotAnObject { .. } => "body".to_owned(),
        Reason::UnknownKey { key } => key.clone(),
        Reason::BadKey { key, .. } => (*key).to_owned(),
        Reason::UnknownAction { .. } => "action".to_owned(),
        Reason::BadFields { .. } => field_path(text).unwrap_or_else(|| "fields".to_owned()),
        Reason::UnknownFields { fields, .. } => format!(
            "fields.{}",
            fields.first().map(String::as_str).unwrap_or_default()
        ),
        Reason::UnknownPerson { .. } | Reason::KeyRejected { .. } | Reason::KeyTaken { .. } => {
            return AppError::NotFound(reason.to_string());
        }
        Reason::Refused { source } => {
            return AppError::Conflict {
                events: crate::error::events_named(source),
                message: format!("rejected, nothing recorded: {source}"),
            };
        }
        _ => "fields".to_owned(),
    };
    AppError::bad_input(field, reason.to_string())
}

/// The field that does not read. Nested payloads (flattened facts,
/// adjacently tagged actions) hide serde's own path, so the field is found
/// from the error instead: the field whose value the message quotes, else
/// the one whose absence lets the fields read.
fn field_path(text: &str) -> Option<String> {
    let line: Value = serde_json::from_str(text).ok()?;
    let action = line.get("action")?.clone();
    let mut fields = line.get("fields")?.as_object()?.clone();
    if fields.contains_key("about") {
        // People are named by reference here; the domain reads ids.
        fields.insert("about".to_owned(), Value::Array(Vec::new()));
    }
    let reads = |fields: &serde_json::Map<String, Value>| {
        serde_json::from_value::<Action>(serde_json::json!({"action": action, "fields": fields}))
    };
    let message = reads(&fields).err()?.to_string();
    let quoted = |value: &Value| {
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            _ => return false,
        };
        message.contains(&format!("\"{text}\"")) || message.contains(&format!("`{text}`"))
    };
    let by_value = fields
        .iter()
        .find(|(_, value)| quoted(value))
        .map(|(key, _)| key.clone());
    let by_absence = || {
        fields
            .keys()
            .find(|key| {
                let mut without = fields.clone();
                without.remove(*key);
                reads(&without).is_ok()
            })
            .cloned()
    };
    by_value
        .or_else(by_absence)
        .map(|key| format!("fields.{key}"))
}

/// Decides and records one JSON-lines command as the caller.
pub async fn record_line<R: Records>(
    state: &AppState,
    auth: &Authenticated<R>,
    text: &str,
) -> Result<(StatusCode, RecordAnswer), AppError> {
    let tracker = state.tracker();
    let parsed = parse_line(text).map_err(|reason| reason_error(reason, text))?;
    if parsed.person_key().is_some() {
        return Err(AppError::bad_input(
            "person_key",
            "names a person for later lines of an import: a single command has no later lines; use command_id to make a retry safe",
        ));
    }
    let mut resolved = std::collections::HashMap::new();
    for reference in parsed.names() {
        if reference.len() > 512 {
            return Err(AppError::bad_input("person", "is longer than 512 bytes"));
        }
        let found = tracker.resolve(reference).await.map_err(AppError::from);
        resolved.insert(reference.to_owned(), found.map(|entry| entry.id));
    }
    let mut failure = None;
    let command = parsed.resolve(&mut |reference| match resolved.get(reference) {
        Some(Ok(id)) => Ok(*id),
        Some(Err(err)) => {
            let message = err.to_string();
            Err(Reason::UnknownPerson { detail: message })
        }
        None => Err(Reason::UnknownPerson {
            detail: format!("{reference:?}: @keys name people of an import file, not of the store"),
        }),
    });
    let command = match command {
        Ok(command) => command,
        Err(reason) => {
            // A reference that failed to resolve keeps its own class
            // (ambiguous is 400, unknown 404).
            for (_, found) in resolved {
                if let Err(err) = found {
                    failure = Some(err);
                    break;
                }
            }
            return Err(match (reason, failure) {
                (Reason::UnknownPerson { .. }, Some(err)) => err,
                (reason, _) => reason_error(reason, text),
            });
        }
    };
    let command_id = command.command_id;
    let subject = match &command.target {
        Target::NewPerson { .. } => Subject::Person(
            command_id.map_or_else(|| PersonId::from_uuid(Uuid::now_v7()), person_id_for),
        ),
        Target::Person(id) => Subject::Person(*id),
        Target::NewStatement => Subject::Statement(
            command_id.map_or_else(|| StatementId::from_uuid(Uuid::now_v7()), statement_id_for),
        ),
        Target::OwnerOf(event) => tracker.subject_of(*event).await?.ok_or_else(|| {
            AppError::NotFound(format!(
                "no event {event}: check the event id (see the history)"
            ))
        })?,
    };
    let filter = auth.filter();
    if let Action::CorrectEvent(correction) = &command.action {
        may_amend(state, auth, subject, correction.target).await?;
    }
    if let Action::RetractEvent(retraction) = &command.action {
        may_amend(state, auth, subject, retraction.target).await?;
    }
    let issued = auth.issued(command_id);
    let recorded = match tracker.execute(subject, command.action, &issued).await {
        Ok(recorded) => recorded,
        Err(TrackerError::Rejected(rejection)) => {
            let history = tracker.history_of(subject).await?;
            return Err(match rejection {
                habeas_domain::error::DomainError::InvalidField { .. } => {
                    TrackerError::Rejected(rejection).into()
                }
                rejection => filter.rejection(rejection, &history),
            });
        }
        Err(other) => return Err(other.into()),
    };
    let (person, statement) = match subject {
        Subject::Person(id) => (Some(id), None),
        Subject::Statement(id) => (None, Some(id)),
    };
    Ok((
        crate::routes::people::created(recorded.already_applied),
        RecordAnswer {
            stream: recorded.stream.to_string(),
            person,
            statement,
            event_ids: recorded.event_ids,
            position: recorded.last_position,
            already_applied: recorded.already_applied,
        },
    ))
}

/// Whether the caller may correct or retract `target`: documenters their
/// own recordings, editors anyone's; an event the caller may not see is not
/// found.
async fn may_amend<R: Records>(
    state: &AppState,
    auth: &Authenticated<R>,
    subject: Subject,
    target: EventId,
) -> Result<(), AppError> {
    let not_found = || {
        AppError::NotFound(format!(
            "no event {target} in this case: check the event id (see the history)"
        ))
    };
    let history = state.tracker().history_of(subject).await?;
    if auth.filter().hidden(&history).contains(&target) {
        return Err(not_found());
    }
    let Some(envelope) = state
        .tracker()
        .store()
        .read_event(*target.as_uuid())
        .await
        .map_err(TrackerError::from)?
    else {
        return Err(not_found());
    };
    if auth.account.role < Role::Editor && envelope.recorded_by != auth.account.name {
        return Err(AppError::Forbidden(format!(
            "event {target} was recorded by {:?}: a documenter corrects and retracts only their own recordings; ask an editor",
            envelope.recorded_by
        )));
    }
    Ok(())
}

/// `POST /api/v1/commands`: one command, as a JSON object.
#[utoipa::path(post, path = "/api/v1/commands", request_body(content = Object, content_type = "application/json"), responses((status = 201, description = "recorded", body = RecordAnswer), (status = 200, description = "recorded before with this command id", body = RecordAnswer), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such person", body = ErrorBody), (status = 409, description = "the rules refuse it, naming the conflicting events", body = ErrorBody)))]
pub async fn post_command(
    State(state): State<AppState>,
    auth: Authenticated<crate::auth::CanRecord>,
    request: Request,
) -> Result<impl IntoResponse, AppError> {
    require_json_request(&request)?;
    let bytes = body_bytes(request, &state).await?;
    let text = utf8(&bytes)?;
    if text.trim().is_empty() {
        return Err(AppError::bad_input(
            "body",
            "is empty: send one command object",
        ));
    }
    let (status, answer) = record_line(&state, &auth, text).await?;
    Ok((status, Json(answer)))
}
