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
use crate::error::AppError;
use crate::input::{Paged, QueryParams, body_bytes, page, utf8};
use crate::routes::commands::record_line;
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
