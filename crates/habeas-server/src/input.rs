//! Reading requests: JSON bodies and query strings, with every failure a 400
//! that names the field (a JSON path such as `fields.occurred`, or the
//! query parameter), never the framework's own plain-text rejection.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use chrono::{DateTime, NaiveDate, Utc};
use habeas_domain::date::PartialDate;
use habeas_domain::status::View;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::state::AppState;

/// A JSON body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// The body's bytes, refused when too large (413) or unreadable.
pub async fn body_bytes(request: Request, state: &AppState) -> Result<Bytes, AppError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge(
                    "the body is larger than this server accepts: send less at a time".to_owned(),
                )
            } else {
                AppError::bad_input("body", rejection.body_text())
            }
        })
}

/// The body as UTF-8 text.
pub fn utf8(bytes: &[u8]) -> Result<&str, AppError> {
    std::str::from_utf8(bytes).map_err(|err| {
        AppError::bad_input(
            "body",
            format!(
                "is not UTF-8 (invalid byte at offset {}): send UTF-8 text",
                err.valid_up_to()
            ),
        )
    })
}

/// Parses JSON text as `T`, naming the field that does not read.
pub fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T, AppError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." || path.is_empty() {
            "body".to_owned()
        } else {
            path
        };
        AppError::bad_input(field, err.inner().to_string())
    })?;
    deserializer
        .end()
        .map_err(|err| AppError::bad_input("body", format!("{err}: send one JSON value")))?;
    Ok(value)
}

fn require_json(parts_headers: &axum::http::HeaderMap) -> Result<(), AppError> {
    let content_type = parts_headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if mime.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "content-type",
            format!("is {content_type:?}: send the body as application/json"),
        ))
    }
}

/// Refuses a request whose body is not declared as JSON.
pub fn require_json_request(request: &Request) -> Result<(), AppError> {
    require_json(request.headers())
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        require_json(request.headers())?;
        let bytes = body_bytes(request, state).await?;
        Ok(JsonBody(parse_json(utf8(&bytes)?)?))
    }
}

/// A query string of type `T` (whose fields are strings, parsed by the
/// handler so each failure names its parameter).
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryParams(value))
            .map_err(|rejection| {
                let text = rejection.body_text();
                let detail = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                let field = detail
                    .split_once("unknown field `")
                    .and_then(|(_, rest)| rest.split('`').next())
                    .unwrap_or("query");
                AppError::bad_input(field, detail.to_owned())
            })
    }
}

/// The valid and transaction times of a question.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewParams {
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: by the end of that period.
    pub as_of: Option<String>,
    /// An RFC 3339 moment.
    pub known_at: Option<String>,
}

/// Reads `as_of` and `known_at`, now by default.
pub fn view(as_of: Option<&str>, known_at: Option<&str>) -> Result<View, AppError> {
    let as_of: NaiveDate = match as_of {
        None => Utc::now().date_naive(),
        Some(text) => text
            .parse::<PartialDate>()
            .map_err(|err| AppError::bad_input("as_of", err.to_string()))?
            .latest(),
    };
    let known_at = match known_at {
        None => Utc::now(),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map_err(|err| {
                AppError::bad_input(
                    "known_at",
                    format!(
                        "{text:?} is not an RFC 3339 moment ({err}), e.g. 2021-11-01T00:00:00Z"
                    ),
                )
            })?
            .with_timezone(&Utc),
    };
    Ok(View { as_of, known_at })
}

/// The largest page a list returns.
pub const MAX_LIMIT: usize = 500;
/// The page size when none is asked for.
pub const DEFAULT_LIMIT: usize = 50;

/// Reads `offset` and `limit`.
pub fn page(offset: Option<&str>, limit: Option<&str>) -> Result<(usize, usize), AppError> {
    let number = |name: &str, text: &str| {
        text.parse::<usize>().map_err(|_| {
            AppError::bad_input(
                name,
                format!("{text:?} is not a whole number of zero or more"),
            )
        })
    };
    let offset = offset
        .map(|t| number("offset", t))
        .transpose()?
        .unwrap_or(0);
    let limit = limit
        .map(|t| number("limit", t))
        .transpose()?
        .unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(AppError::bad_input(
            "limit",
            format!("{limit} is out of range: ask for 1 to {MAX_LIMIT} items"),
        ));
    }
    Ok((offset, limit))
}

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct Paged<T> {
    /// The items of the page.
    pub items: Vec<T>,
    /// How many there are in all.
    pub total: usize,
    /// Where the page starts.
    pub offset: usize,
    /// The page size asked for.
    pub limit: usize,
    /// The offset of the next page, if there is one.
    pub next_offset: Option<usize>,
}

impl<T> Paged<T> {
    /// The page of `all` at `offset`, `limit` long.
    pub fn of(all: Vec<T>, offset: usize, limit: usize) -> Paged<T> {
        let total = all.len();
        let items: Vec<T> = all.into_iter().skip(offset).take(limit).collect();
        let end = offset.saturating_add(items.len());
        Paged {
            next_offset: (end < total).then_some(end),
            items,
            total,
            offset,
            limit,
        }
    }
}

/// A path parameter, refused with a 400 naming it when it does not decode.
#[derive(Debug)]
pub struct PathParam(pub String);

impl FromRequestParts<AppState> for PathParam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| PathParam(value))
            .map_err(|rejection| AppError::bad_input("path", rejection.body_text()))
    }
}
