//! Finding people by name or alias, and registering one.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::Utc;
use habeas::people::fold;
use habeas::tracker::Subject;
use habeas_domain::id::PersonId;
use habeas_domain::status::{Headline, View, status};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{AnyRole, Authenticated, CanRecord};
use crate::error::{AppError, ErrorBody};
use crate::input::{Paged, QueryParams, body_bytes, page, utf8};
use crate::routes::commands::{RecordAnswer, record_line};
use crate::state::AppState;

/// The query of a search.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Part of a name or alias (case, accents and punctuation ignored).
    pub q: Option<String>,
    /// Where the page starts.
    pub offset: Option<String>,
    /// The page size.
    pub limit: Option<String>,
}

/// One person found.
#[derive(Debug, Serialize)]
pub struct Found {
    /// Their id.
    pub id: PersonId,
    /// Their slug.
    pub slug: String,
    /// Their name.
    pub name: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// Country of the case.
    pub country: Option<String>,
    /// Their headline today, from what the caller may see.
    pub headline: Headline,
}

/// `GET /api/v1/people?q=&offset=&limit=`
#[utoipa::path(get, path = "/api/v1/people", params(("q" = Option<String>, Query, description = "part of a name or alias"), ("offset" = Option<String>, Query, description = "where the page starts"), ("limit" = Option<String>, Query, description = "1 to 500")), responses((status = 200, description = "a page of people", body = Object), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    auth: Authenticated<AnyRole>,
    QueryParams(params): QueryParams<SearchParams>,
) -> Result<Json<Paged<Found>>, AppError> {
    let (offset, limit) = page(params.offset.as_deref(), params.limit.as_deref())?;
    let wanted = params.q.as_deref().map(fold).unwrap_or_default();
    if params.q.as_ref().is_some_and(|q| q.len() > 512) {
        return Err(AppError::bad_input("q", "is longer than 512 bytes"));
    }
    let index = state.tracker().people().await?;
    let matching: Vec<_> = index
        .people()
        .iter()
        .filter(|entry| {
            wanted.is_empty()
                || std::iter::once(&entry.identity.name)
                    .chain(&entry.identity.aliases)
                    .any(|name| fold(name).contains(&wanted))
        })
        .cloned()
        .collect();
    let paged = Paged::of(matching, offset, limit);
    let filter = auth.filter();
    let now = View {
        as_of: Utc::now().date_naive(),
        known_at: Utc::now(),
    };
    let mut items = Vec::with_capacity(paged.items.len());
    for entry in paged.items {
        let history = state
            .tracker()
            .history_of(Subject::Person(entry.id))
            .await?;
        let headline = status(&filter.history(history), now).headline;
        items.push(Found {
            id: entry.id,
            slug: entry.slug,
            name: entry.identity.name,
            aliases: entry.identity.aliases,
            country: entry.identity.country,
            headline,
        });
    }
    Ok(Json(Paged {
        items,
        total: paged.total,
        offset: paged.offset,
        limit: paged.limit,
        next_offset: paged.next_offset,
    }))
}

/// `POST /api/v1/people` with `{"fields": {…registration…}, "command_id": …}`:
/// a `register_person` line of the JSON-lines format.
#[utoipa::path(post, path = "/api/v1/people", request_body(content = Object, content_type = "application/json"), responses((status = 201, description = "registered", body = RecordAnswer), (status = 200, description = "registered before with this command id", body = RecordAnswer), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 409, description = "the rules refuse it, naming the conflicting events", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    auth: Authenticated<CanRecord>,
    request: Request,
) -> Result<impl IntoResponse, AppError> {
    crate::input::require_json_request(&request)?;
    let bytes = body_bytes(request, &state).await?;
    let mut object = match crate::input::parse_json::<Value>(utf8(&bytes)?)? {
        Value::Object(object) => object,
        _ => {
            return Err(AppError::bad_input(
                "body",
                "must be an object with \"fields\" (and optionally \"command_id\")",
            ));
        }
    };
    if let Some(key) = object
        .keys()
        .find(|key| !matches!(key.as_str(), "fields" | "command_id"))
    {
        return Err(AppError::bad_input(
            key.clone(),
            format!("unknown key {key:?}: a registration has only \"fields\" and \"command_id\""),
        ));
    }
    object.insert("action".into(), Value::String("register_person".into()));
    let text = Value::Object(object).to_string();
    let (status_code, answer) = record_line(&state, &auth, &text).await?;
    Ok((status_code, Json(answer)))
}

/// The status of a write that recorded something, or nothing new.
pub fn created(already_applied: bool) -> StatusCode {
    if already_applied {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    }
}
