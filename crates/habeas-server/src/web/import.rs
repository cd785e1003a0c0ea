//! The import page: JSON lines of commands (the format of
//! `crates/habeas-import/FORMAT.md`) pasted into a form, checked by a dry
//! run first (every line decided, nothing written; rejected lines with
//! their reasons, warnings), then imported on confirmation. The same
//! import as `POST /api/v1/import`, for editors and admins.

use axum::Form;
use axum::extract::State;
use axum::response::Html;
use chrono::Utc;
use habeas_import::config::ImportConfig;
use habeas_import::report::Report;
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Authenticated, CanEdit};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::layout::{Page, WebError, page};
use crate::web::strings::UI;

/// What the import form sends.
#[derive(Debug, Deserialize)]
pub struct ImportForm {
    /// The JSON lines.
    #[serde(default)]
    pub lines: String,
    /// `dry_run` or `import`.
    #[serde(default)]
    pub mode: String,
}

fn form(auth: &Authenticated<CanEdit>, lines: &str, report: Option<&Report>) -> Markup {
    page(
        UI.import,
        Some(&auth.account),
        html! {
            h1 { (UI.import) }
            @if let Some(report) = report {
                section aria-labelledby="report" {
                    h2 #report { @if report.dry_run { (UI.dry_run_result) } @else { (UI.import_result) } }
                    p #import-counts {
                        (report.n_rows) " " (UI.rows) " · "
                        (report.n_imported) " " @if report.dry_run { (UI.would_import) } @else { (UI.imported) } " · "
                        (report.n_already_imported) " " (UI.already_imported) " · "
                        (report.rejections.len()) " " (UI.rejected_rows)
                    }
                    @if !report.rejections.is_empty() {
                        ul.error #import-rejections {
                            @for rejection in &report.rejections {
                                li { strong { (rejection.at) } ": " (rejection.reason) }
                            }
                        }
                    }
                    @if !report.warnings.is_empty() {
                        ul #import-warnings {
                            @for warning in &report.warnings {
                                li { strong { (warning.at) } ": " (warning.message) }
                            }
                        }
                    }
                }
            }
            form.card method="post" action="/import" {
                label for="lines" { (UI.import_lines) }
                textarea #lines name="lines" rows="12" aria-describedby="lines-hint" { (lines) }
                p.hint #lines-hint { (UI.import_hint) }
                button type="submit" name="mode" value="dry_run" { (UI.check) }
                @if report.is_some_and(|r| r.dry_run && r.n_imported > 0) {
                    button type="submit" name="mode" value="import" #confirm { (UI.confirm_import) }
                }
            }
        },
    )
}

/// `GET /import`
pub async fn show(Page(auth): Page<CanEdit>) -> Html<String> {
    Html(form(&auth, "", None).into_string())
}

/// `POST /import`: a dry run, or the import itself.
pub async fn submit(
    State(state): State<AppState>,
    Page(auth): Page<CanEdit>,
    Form(input): Form<ImportForm>,
) -> Result<Html<String>, WebError> {
    if input.lines.trim().is_empty() {
        return Err(AppError::bad_input("lines", "is empty: paste JSON lines of commands").into());
    }
    let config = ImportConfig {
        recorded_by: auth.account.name.clone(),
        at: Utc::now(),
        dry_run: input.mode != "import",
    };
    let report = habeas_import::run_jsonl::import_jsonl(
        state.tracker(),
        &input.lines,
        &config,
        &mut |_, _| {},
    )
    .await
    .map_err(|err| match err {
        habeas_import::error::ImportError::Store { source, .. } => AppError::from(source),
        other => AppError::internal(other),
    })?;
    Ok(Html(form(&auth, &input.lines, Some(&report)).into_string()))
}
