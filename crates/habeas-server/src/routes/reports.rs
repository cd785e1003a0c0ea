//! Reports and rosters in every format, and the roster as a JSON list with
//! filters. Built by the facade with `public` set by the filter: without
//! clearance, always the public variant.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use habeas::reports::ReportOptions;
use habeas_domain::status::Headline;
use habeas_report::model::RosterRow;
use serde::Deserialize;

use crate::auth::ReportReader;
use crate::error::{AppError, ErrorBody};
use crate::input::{Paged, QueryParams, page, view};
use crate::state::AppState;

/// The formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Self-contained HTML.
    Html,
    /// Markdown.
    Md,
    /// JSON (versioned schema).
    Json,
    /// CSV (rosters only).
    Csv,
}

fn format(text: Option<&str>) -> Result<Format, AppError> {
    match text.unwrap_or("json") {
        "html" => Ok(Format::Html),
        "md" => Ok(Format::Md),
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        other => Err(AppError::bad_input(
            "format",
            format!("{other:?} is not a report format: use html, md, json or csv"),
        )),
    }
}

fn boolean(name: &str, text: Option<&str>) -> Result<bool, AppError> {
    match text {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(AppError::bad_input(
            name,
            format!("{other:?}: write true or false"),
        )),
    }
}

/// The query of a report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// html, md, json or csv.
    pub format: Option<String>,
    /// `true`: the public variant.
    pub public: Option<String>,
    /// The valid time.
    pub as_of: Option<String>,
    /// The transaction time.
    pub known_at: Option<String>,
}

fn options(
    reader: &ReportReader,
    params: &ReportParams,
) -> Result<(Format, ReportOptions), AppError> {
    let format = format(params.format.as_deref())?;
    let asked = boolean("public", params.public.as_deref())?;
    let view = view(params.as_of.as_deref(), params.known_at.as_deref())?;
    Ok((
        format,
        ReportOptions {
            view,
            public: reader.filter.public_reports(asked),
        },
    ))
}

fn document(format: Format, text: String) -> Response {
    let content_type = match format {
        Format::Html => "text/html; charset=utf-8",
        Format::Md => "text/markdown; charset=utf-8",
        Format::Json => "application/json",
        Format::Csv => "text/csv; charset=utf-8",
    };
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

/// `GET /api/v1/people/{person}/report?format=&public=&as_of=&known_at=`
#[utoipa::path(get, path = "/api/v1/people/{person}/report", params(("person" = String, Path, description = "an id, a slug, or a name or alias matching one person"), ("format" = Option<String>, Query, description = "html, md, json or csv"), ("public" = Option<String>, Query, description = "true or false"), ("as_of" = Option<String>, Query, description = "YYYY, YYYY-MM or YYYY-MM-DD"), ("known_at" = Option<String>, Query, description = "an RFC 3339 moment")), responses((status = 200, description = "the report", content((String = "text/html"), (String = "text/markdown"), (Object = "application/json"))), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such person", body = ErrorBody)))]
pub async fn person_report(
    State(state): State<AppState>,
    reader: ReportReader,
    crate::input::PathParam(reference): crate::input::PathParam,
    QueryParams(params): QueryParams<ReportParams>,
) -> Result<Response, AppError> {
    let (format, options) = options(&reader, &params)?;
    if format == Format::Csv {
        return Err(AppError::bad_input(
            "format",
            "csv is for rosters: use html, md or json for one person",
        ));
    }
    let entry = super::person(state.tracker(), &reference).await?;
    let report = state.tracker().person_report(entry.id, options).await?;
    if !options.public
        && let Some(account) = &reader.account
    {
        let history = state
            .tracker()
            .history_of(habeas::tracker::Subject::Person(entry.id))
            .await?;
        let restricted = !crate::filter::Filter::new(crate::filter::Clearance::PublicOnly)
            .hidden(&history)
            .is_empty();
        super::cases::note_restricted_read(
            &state,
            reader.filter,
            restricted,
            &account.name,
            reader.address.clone(),
            format!("report of {}", entry.id),
        )
        .await;
    }
    let text = match format {
        Format::Html => habeas_report::html::person_html(&report),
        Format::Json => habeas_report::json::person_json(&report),
        _ => habeas_report::markdown::person_markdown(&report),
    };
    Ok(document(format, text))
}

/// `GET /api/v1/roster/report?format=&public=&as_of=&known_at=`
#[utoipa::path(get, path = "/api/v1/roster/report", params(("format" = Option<String>, Query, description = "html, md, json or csv"), ("public" = Option<String>, Query, description = "true or false"), ("as_of" = Option<String>, Query, description = "YYYY, YYYY-MM or YYYY-MM-DD"), ("known_at" = Option<String>, Query, description = "an RFC 3339 moment")), responses((status = 200, description = "the roster", content((String = "text/html"), (String = "text/markdown"), (Object = "application/json"), (String = "text/csv"))), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody)))]
pub async fn roster_report(
    State(state): State<AppState>,
    reader: ReportReader,
    QueryParams(params): QueryParams<ReportParams>,
) -> Result<Response, AppError> {
    let (format, options) = options(&reader, &params)?;
    let roster = state.tracker().roster(options).await?;
    let text = match format {
        Format::Md => habeas_report::markdown::roster_markdown(&roster),
        Format::Html => habeas_report::html::roster_html(&roster),
        Format::Json => habeas_report::json::roster_json(&roster),
        Format::Csv => habeas_report::csv::roster_csv(&roster),
    };
    Ok(document(format, text))
}

/// The query of the roster list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterParams {
    /// Only these headlines (comma-separated).
    pub headline: Option<String>,
    /// Only this country (case ignored).
    pub country: Option<String>,
    /// Only people held in a facility whose name contains this (case ignored).
    pub facility: Option<String>,
    /// The valid time.
    pub as_of: Option<String>,
    /// The transaction time.
    pub known_at: Option<String>,
    /// `true`: the public variant.
    pub public: Option<String>,
    /// Where the page starts.
    pub offset: Option<String>,
    /// The page size.
    pub limit: Option<String>,
}

/// `GET /api/v1/roster?headline=&country=&facility=&as_of=&known_at=&offset=&limit=`
#[utoipa::path(get, path = "/api/v1/roster", params(("headline" = Option<String>, Query, description = "comma-separated headlines"), ("country" = Option<String>, Query), ("facility" = Option<String>, Query), ("public" = Option<String>, Query), ("as_of" = Option<String>, Query, description = "YYYY, YYYY-MM or YYYY-MM-DD"), ("known_at" = Option<String>, Query, description = "an RFC 3339 moment"), ("offset" = Option<String>, Query, description = "where the page starts"), ("limit" = Option<String>, Query, description = "1 to 500")), responses((status = 200, description = "a page of roster rows", body = Object), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody)))]
pub async fn roster(
    State(state): State<AppState>,
    reader: ReportReader,
    QueryParams(params): QueryParams<RosterParams>,
) -> Result<Json<Paged<RosterRow>>, AppError> {
    let (offset, limit) = page(params.offset.as_deref(), params.limit.as_deref())?;
    let headlines = params
        .headline
        .as_deref()
        .map(|text| {
            text.split(',')
                .map(|h| {
                    h.trim()
                        .parse::<Headline>()
                        .map_err(|err| AppError::bad_input("headline", format!("{h:?}: {err}")))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let options = ReportOptions {
        view: view(params.as_of.as_deref(), params.known_at.as_deref())?,
        public: reader
            .filter
            .public_reports(boolean("public", params.public.as_deref())?),
    };
    let country = params.country.as_deref().map(str::to_lowercase);
    let facility = params.facility.as_deref().map(str::to_lowercase);
    let rows: Vec<RosterRow> = state
        .tracker()
        .roster(options)
        .await?
        .rows
        .into_iter()
        .filter(|row| headlines.is_empty() || headlines.contains(&row.headline))
        .filter(|row| {
            country.as_ref().is_none_or(|wanted| {
                row.country.as_deref().map(str::to_lowercase).as_ref() == Some(wanted)
            })
        })
        .filter(|row| {
            facility.as_ref().is_none_or(|wanted| {
                row.facility
                    .as_deref()
                    .is_some_and(|f| f.to_lowercase().contains(wanted))
            })
        })
        .collect();
    Ok(Json(Paged::of(rows, offset, limit)))
}
