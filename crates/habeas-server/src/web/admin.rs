//! The admin's page: the accounts with their roles, and the latest
//! security events (sign-ins, refusals, reads of restricted facts), read
//! with the API's own access check and the same audit stream.

use axum::extract::State;
use axum::response::Html;
use maud::html;

use crate::auth::CanAdminister;
use crate::error::AppError;
use crate::security;
use crate::state::AppState;
use crate::web::layout::{Page, WebError, page};
use crate::web::strings::UI;

/// The security events shown, newest first.
const LATEST: u64 = 100;

/// `GET /admin`
pub async fn show(
    State(state): State<AppState>,
    Page(auth): Page<CanAdminister>,
) -> Result<Html<String>, WebError> {
    let failed = |err| AppError::from(habeas::error::TrackerError::from(err));
    let (_, total) = security::list(state.tracker(), 0, 1)
        .await
        .map_err(failed)?;
    let (mut events, _) = security::list(
        state.tracker(),
        total.saturating_sub(LATEST),
        LATEST as usize,
    )
    .await
    .map_err(failed)?;
    events.reverse();
    let accounts: Vec<_> = state.accounts().book().accounts().cloned().collect();
    let kind = |kind: &security::SecurityKind| {
        serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(|t| t.replace('_', " ")))
            .unwrap_or_default()
    };
    Ok(Html(
        page(
            UI.admin,
            Some(&auth.account),
            html! {
                h1 { (UI.admin) }
                section aria-labelledby="accounts" {
                    h2 #accounts { (UI.accounts) }
                    p.hint { (UI.accounts_hint) }
                    div.table-wrap {
                        table #accounts-table {
                            thead { tr { th { (UI.name) } th { (UI.role) } th { (UI.clearance) } th { (UI.second_factor) } th { (UI.disabled) } } }
                            tbody {
                                @for account in &accounts {
                                    tr {
                                        td { (account.name) }
                                        td { (account.role) }
                                        td { @if account.clearance { "✓" } }
                                        td { @if account.second_factor { "✓" } }
                                        td { @if account.disabled { "✓" } }
                                    }
                                }
                            }
                        }
                    }
                }
                section aria-labelledby="security" {
                    h2 #security { (UI.security_events) }
                    div.table-wrap {
                        table #security-table {
                            thead { tr { th { (UI.recorded_at) } th { (UI.what) } th { (UI.name) } th { (UI.address) } th { (UI.outcome) } } }
                            tbody {
                                @for listed in &events {
                                    tr {
                                        td.date { (listed.at.format("%Y-%m-%d %H:%M:%S")) }
                                        td { (kind(&listed.event.kind)) ": " (listed.event.what) }
                                        td { (listed.event.account.clone().unwrap_or_default()) }
                                        td { (listed.event.address.clone().unwrap_or_default()) }
                                        td { (listed.event.outcome) }
                                    }
                                }
                            }
                        }
                    }
                }
            },
        )
        .into_string(),
    ))
}
