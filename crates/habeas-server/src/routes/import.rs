//! `POST /api/v1/import`: a whole file of commands, dry run first. The body
//! is JSON lines (`application/x-ndjson`), or a `multipart/form-data`
//! upload ([`crate::upload`]) of a CSV with its column mapping (or a saved
//! mapping's name) or of a JSON-lines file. Every answer carries the
//! upload's `digest`; importing an uploaded file (`dry_run=false`) must
//! name the digest of its dry run, so the file imported is the file checked.

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::Utc;
use habeas_import::config::ImportConfig;
use serde::Deserialize;

use crate::auth::{Authenticated, CanEdit};
use crate::error::{AppError, ErrorBody};
use crate::input::{QueryParams, body_bytes};
use crate::state::AppState;
use crate::upload::{Format, Upload, read_form};

/// The query of an import.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// `true` (the default): decide everything, write nothing.
    pub dry_run: Option<String>,
    /// The digest the dry run reported; required to import an uploaded file.
    pub digest: Option<String>,
}

fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// `POST /api/v1/import?dry_run=true|false&digest=…`: JSON lines of
/// commands, or a multipart upload (parts `file`, and for a CSV `mapping`
/// or `mapping_name`; optional `format` and `save_as`). Each line or row is
/// decided on its own; the report lists every rejected one with its line or
/// row and reason, and the upload's `digest`. A dry run is the default;
/// importing a multipart upload needs `digest` from its dry run.
#[utoipa::path(post, path = "/api/v1/import", params(("dry_run" = Option<String>, Query, description = "true (default) or false"), ("digest" = Option<String>, Query, description = "the digest of the dry run: required to import a multipart upload, checked when given")), request_body(content((String = "application/x-ndjson"), (String = "text/plain"), (Object = "multipart/form-data"))), responses((status = 200, description = "the import report, with the upload's digest", body = Object), (status = 422, description = "every line was rejected", body = Object), (status = 400, description = "bad input, naming the field (file, mapping, mapping_name, format, digest)", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 409, description = "the digest is not the upload's: check it again", body = ErrorBody), (status = 413, description = "too large", body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    auth: Authenticated<CanEdit>,
    QueryParams(params): QueryParams<ImportParams>,
    request: Request,
) -> Result<impl IntoResponse, AppError> {
    let dry_run = match params.dry_run.as_deref() {
        None | Some("true") => true,
        Some("false") => false,
        Some(other) => {
            return Err(AppError::bad_input(
                "dry_run",
                format!("{other:?}: write true or false"),
            ));
        }
    };
    let multipart = is_multipart(&request);
    let upload = if multipart {
        let form = Multipart::from_request(request, &state)
            .await
            .map_err(|rejection| AppError::bad_input("body", rejection.body_text()))?;
        read_form(form)
            .await?
            .upload(state.tracker(), &auth.account.name)
            .await?
    } else {
        let bytes = body_bytes(request, &state).await?;
        let upload = Upload {
            format: Format::JsonLines,
            data: bytes.to_vec(),
            mapping: None,
        };
        if upload.text()?.trim().is_empty() {
            return Err(AppError::bad_input(
                "body",
                "is empty: send JSON lines of commands",
            ));
        }
        upload
    };
    let digest = upload.digest();
    match params.digest.as_deref() {
        None if multipart && !dry_run => {
            return Err(AppError::bad_input(
                "digest",
                "is missing: import an uploaded file with dry_run=false&digest=… where … is the digest its dry run reported",
            ));
        }
        Some(given) if given != digest => {
            return Err(AppError::Conflict {
                message: format!(
                    "digest {given:?} is not this upload's ({digest}): the file or its mapping changed since the dry run; check it again"
                ),
                events: vec![],
            });
        }
        _ => {}
    }
    let config = ImportConfig {
        recorded_by: auth.account.name.clone(),
        at: Utc::now(),
        dry_run,
    };
    let report = upload.run(state.tracker(), &config).await?;
    let status = if report.all_rejected() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut body = serde_json::to_value(&report).map_err(AppError::internal)?;
    body["digest"] = serde_json::Value::String(digest);
    body["format"] = serde_json::Value::String(upload.format.as_str().to_owned());
    Ok((status, Json(body)))
}

/// A saved column mapping.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SavedMapping {
    /// The name it is chosen by (`mapping_name` of an upload).
    pub name: String,
    /// The TOML text.
    pub toml: String,
}

/// `GET /api/v1/mappings`: the saved column mappings, by name (saved with
/// `save_as` on an upload).
#[utoipa::path(get, path = "/api/v1/mappings", responses((status = 200, description = "the saved mappings, by name", body = Vec<SavedMapping>), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody)))]
pub async fn list_mappings(
    State(state): State<AppState>,
    _auth: Authenticated<CanEdit>,
) -> Result<Json<Vec<SavedMapping>>, AppError> {
    let saved = crate::mappings::list(state.tracker()).await?;
    Ok(Json(
        saved
            .into_iter()
            .map(|(name, toml)| SavedMapping { name, toml })
            .collect(),
    ))
}
