//! The import page: upload a CSV with its column mapping (uploaded, or
//! saved before and chosen by name) or a JSON-lines file (or paste JSON
//! lines), see the dry run row by row (accepted and rejected rows with
//! their reasons and line numbers, warnings), then confirm. For editors and
//! admins, like `POST /api/v1/import`.
//!
//! The checked upload is held by the server ([`crate::pending`]) and the
//! confirmation names its digest, so the file imported is the file shown.
//! The confirmation decides the dry run again first, against the same
//! moment: if the store changed meanwhile so that the import would do
//! something else, the new dry run is shown instead of importing.

use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use habeas_import::config::ImportConfig;
use habeas_import::report::Report;
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Authenticated, CanEdit};
use crate::error::AppError;
use crate::pending::Pending;
use crate::state::AppState;
use crate::upload::{Upload, read_form};
use crate::web::layout::{Page, WebError, page, respond};
use crate::web::preview::preview;
use crate::web::strings::UI;

/// What the confirmation sends.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    /// The digest of the upload shown.
    #[serde(default)]
    pub digest: String,
}

/// What the page shows above the upload form.
enum Shown<'a> {
    Nothing,
    /// A dry run, or an import, of `upload`.
    Result {
        upload: &'a Upload,
        report: &'a Report,
        notice: Option<&'a str>,
    },
    /// A refusal.
    Error(&'a AppError),
}

fn counts(report: &Report) -> Markup {
    html! {
        p #import-counts {
            (report.n_rows) " " (UI.rows) " · "
            (report.n_imported) " " @if report.dry_run { (UI.would_import) } @else { (UI.imported) } " · "
            (report.n_already_imported) " " (UI.already_imported) " · "
            (report.rejections.len()) " " (UI.rejected_rows)
        }
    }
}

fn result(upload: &Upload, report: &Report, notice: Option<&str>) -> Markup {
    let (rows, n_more) = preview(upload, report);
    html! {
        section aria-labelledby="report" {
            h2 #report { @if report.dry_run { (UI.dry_run_result) } @else { (UI.import_result) } }
            @if let Some(notice) = notice {
                p.error role="alert" #import-notice { (notice) }
            }
            (counts(report))
            @if !report.rejections.is_empty() {
                ul.error #import-rejections {
                    @for rejection in &report.rejections {
                        li { strong { (rejection.at) } ": " (rejection.reason) }
                    }
                }
            }
            @if !report.warnings.is_empty() {
                h3 { (UI.warnings) }
                ul #import-warnings {
                    @for warning in &report.warnings {
                        li { strong { (warning.at) } ": " (warning.message) }
                    }
                }
            }
            @if report.dry_run {
                h3 { (UI.preview_rows) }
                div.scroll {
                    table #import-rows {
                        thead { tr { th scope="col" { (UI.where_col) } th scope="col" { (UI.outcome) } th scope="col" { (UI.content_col) } } }
                        tbody {
                            @for row in &rows {
                                tr class=(if row.rejected.is_some() { "rejected" } else { "accepted" }) {
                                    th scope="row" { (row.at) }
                                    td {
                                        @if let Some(reason) = &row.rejected {
                                            strong { (UI.row_rejected) } ": " (reason)
                                        } @else {
                                            (UI.accepted)
                                        }
                                        @for warning in &row.warnings {
                                            br; em { (warning) }
                                        }
                                    }
                                    td { (row.summary) }
                                }
                            }
                        }
                    }
                }
                @if n_more > 0 {
                    p { (n_more) " " (UI.more_rows) }
                }
                @if report.n_imported > 0 {
                    form.card method="post" action="/import/confirm" {
                        input type="hidden" name="digest" value=(upload.digest());
                        p.hint { (UI.digest) ": " code #import-digest { (upload.digest()) } }
                        button type="submit" #confirm { (UI.confirm_import) }
                    }
                }
            } @else {
                p { a #see-people href="/" { (UI.see_people) } }
            }
        }
    }
}

fn render(auth: &Authenticated<CanEdit>, saved: &[String], shown: Shown<'_>) -> Markup {
    let pasted = match &shown {
        Shown::Result { upload, .. } if upload.format == crate::upload::Format::JsonLines => {
            String::from_utf8_lossy(&upload.data).into_owned()
        }
        _ => String::new(),
    };
    page(
        UI.import,
        Some(&auth.account),
        html! {
            h1 { (UI.import) }
            @match shown {
                Shown::Nothing => {},
                Shown::Result { upload, report, notice } => (result(upload, report, notice)),
                Shown::Error(error) => p.error role="alert" #import-error { (error) },
            }
            form.card method="post" action="/import" enctype="multipart/form-data" {
                label for="file" { (UI.import_file) }
                input #file type="file" name="file" accept=".csv,.jsonl,.ndjson,.txt,text/csv,application/x-ndjson";
                label for="format" { (UI.import_format) }
                select #format name="format" {
                    option value="auto" { (UI.format_auto) }
                    option value="csv" { "CSV" }
                    option value="jsonl" { "JSON lines" }
                }
                label for="mapping_name" { (UI.saved_mapping) }
                select #mapping_name name="mapping_name" {
                    option value="" { (UI.no_saved_mapping) }
                    @for name in saved {
                        option value=(name) { (name) }
                    }
                }
                label for="mapping" { (UI.mapping_file) }
                input #mapping type="file" name="mapping" accept=".toml,text/plain" aria-describedby="mapping-hint";
                label for="save_as" { (UI.save_mapping_as) }
                input #save_as type="text" name="save_as" maxlength=(crate::mappings::MAX_NAME);
                p.hint #mapping-hint { (UI.mapping_hint) }
                label for="lines" { (UI.or_paste) }
                textarea #lines name="lines" rows="6" aria-describedby="lines-hint" { (pasted) }
                p.hint #lines-hint { (UI.import_hint) }
                button type="submit" #check { (UI.check) }
            }
        },
    )
}

async fn saved(state: &AppState) -> Result<Vec<String>, WebError> {
    Ok(crate::mappings::list(state.tracker())
        .await?
        .into_keys()
        .collect())
}

/// `GET /import`
pub async fn show(
    State(state): State<AppState>,
    Page(auth): Page<CanEdit>,
) -> Result<Response, WebError> {
    let saved = saved(&state).await?;
    Ok(respond(
        StatusCode::OK,
        render(&auth, &saved, Shown::Nothing),
    ))
}

/// `POST /import`: the upload's dry run, held for confirmation.
pub async fn check(
    State(state): State<AppState>,
    Page(auth): Page<CanEdit>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let read = match read_form(multipart).await {
        Ok(form) => form.upload(state.tracker(), &auth.account.name).await,
        Err(err) => Err(err),
    };
    let saved = saved(&state).await?;
    let upload = match read {
        Ok(upload) => upload,
        Err(err @ AppError::BadInput { .. }) => {
            return Ok(respond(
                StatusCode::BAD_REQUEST,
                render(&auth, &saved, Shown::Error(&err)),
            ));
        }
        Err(other) => return Err(other.into()),
    };
    let at = Utc::now();
    let report = match upload.run(state.tracker(), &dry_run(&auth, at)).await {
        Ok(report) => report,
        Err(err @ AppError::BadInput { .. }) => {
            return Ok(respond(
                StatusCode::BAD_REQUEST,
                render(&auth, &saved, Shown::Error(&err)),
            ));
        }
        Err(other) => return Err(other.into()),
    };
    let markup = render(
        &auth,
        &saved,
        Shown::Result {
            upload: &upload,
            report: &report,
            notice: None,
        },
    );
    state.pending_imports().hold(
        auth.account.id,
        Pending {
            upload,
            at,
            preview: report,
        },
    );
    Ok(respond(StatusCode::OK, markup))
}

fn dry_run(auth: &Authenticated<CanEdit>, at: chrono::DateTime<Utc>) -> ImportConfig {
    ImportConfig {
        recorded_by: auth.account.name.clone(),
        at,
        dry_run: true,
    }
}

/// `POST /import/confirm`: imports the upload checked last, if it is the
/// one whose digest the form names and its dry run still says the same.
pub async fn confirm(
    State(state): State<AppState>,
    Page(auth): Page<CanEdit>,
    Form(input): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    let saved = saved(&state).await?;
    let pending = match state
        .pending_imports()
        .take(auth.account.id, input.digest.trim())
    {
        Ok(pending) => pending,
        Err(err) => {
            return Ok(respond(
                err.status(),
                render(&auth, &saved, Shown::Error(&err)),
            ));
        }
    };
    let again = pending
        .upload
        .run(state.tracker(), &dry_run(&auth, pending.at))
        .await?;
    if again != pending.preview {
        let markup = render(
            &auth,
            &saved,
            Shown::Result {
                upload: &pending.upload,
                report: &again,
                notice: Some(UI.store_changed),
            },
        );
        state.pending_imports().hold(
            auth.account.id,
            Pending {
                preview: again,
                ..pending
            },
        );
        return Ok(respond(StatusCode::CONFLICT, markup));
    }
    let config = ImportConfig {
        dry_run: false,
        ..dry_run(&auth, pending.at)
    };
    let report = pending.upload.run(state.tracker(), &config).await?;
    Ok(respond(
        StatusCode::OK,
        render(
            &auth,
            &saved,
            Shown::Result {
                upload: &pending.upload,
                report: &report,
                notice: None,
            },
        ),
    ))
}
