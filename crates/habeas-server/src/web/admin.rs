//! The admin's page: the accounts with their roles, and the latest
//! security events (sign-ins, refusals, reads of restricted facts), read
//! with the API's own access check and the same audit stream.

use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::accounts::role::Role;
use crate::auth::{Authenticated, CanAdminister};
use crate::error::AppError;
use crate::input::{JsonBody, PathParam};
use crate::routes::admin;
use crate::security;
use crate::state::AppState;
use crate::web::layout::{Page, WebError, page, respond};
use crate::web::strings::UI;

/// The security events shown, newest first.
const LATEST: u64 = 100;

/// `GET /admin`
pub async fn show(
    State(state): State<AppState>,
    Page(auth): Page<CanAdminister>,
) -> Result<Html<String>, WebError> {
    Ok(Html(admin_page(&state, &auth, None).await?.into_string()))
}

async fn admin_page(
    state: &AppState,
    auth: &Authenticated<CanAdminister>,
    error: Option<&AppError>,
) -> Result<Markup, WebError> {
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
    Ok(page(
        UI.admin,
        Some(&auth.account),
        html! {
            h1 { (UI.admin) }
            @if let Some(error) = error {
                p.error role="alert" #admin-error { (error) }
            }
            section aria-labelledby="accounts" {
                h2 #accounts { (UI.accounts) }
                form.card method="post" action="/admin/users" {
                    label for="new-name" { (UI.name) }
                    input #new-name type="text" name="name" required;
                    label for="new-role" { (UI.role) }
                    select #new-role name="role" {
                        @for role in Role::ALL { option value=(role.as_str()) { (role.as_str()) } }
                    }
                    div.check {
                        input #new-clearance type="checkbox" name="clearance" value="yes";
                        label for="new-clearance" { (UI.clearance) }
                    }
                    label for="new-password" { (UI.password) }
                    input #new-password type="password" name="password" autocomplete="new-password" required;
                    button type="submit" { (UI.add_account) }
                }
                p.hint { (UI.accounts_hint) }
                div.table-wrap {
                    table #accounts-table {
                        thead { tr { th { (UI.name) } th { (UI.role) } th { (UI.clearance) } th { (UI.second_factor) } th { (UI.disabled) } th { (UI.change) } } }
                        tbody {
                            @for account in &accounts {
                                tr {
                                    td { (account.name) }
                                    td { (account.role) }
                                    td { @if account.clearance { "✓" } }
                                    td { @if account.second_factor { "✓" } }
                                    td { @if account.disabled { "✓" } }
                                    td {
                                        form.inline method="post" action={ "/admin/users/" (account.id) } {
                                            label.visually-hidden for={ "role-" (account.id) } { (UI.role) }
                                            select id={ "role-" (account.id) } name="role" {
                                                @for role in Role::ALL { option value=(role.as_str()) selected[role == account.role] { (role.as_str()) } }
                                            }
                                            div.check {
                                                input id={ "disabled-" (account.id) } type="checkbox" name="disabled" value="yes" checked[account.disabled];
                                                label for={ "disabled-" (account.id) } { (UI.disabled) }
                                            }
                                            button type="submit" { (UI.change) }
                                        }
                                    }
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
    ))
}

/// What the new-account form sends.
#[derive(Debug, Deserialize)]
pub struct NewAccountForm {
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The role.
    #[serde(default)]
    pub role: String,
    /// `yes` for clearance.
    pub clearance: Option<String>,
    /// The first password.
    #[serde(default)]
    pub password: String,
}

fn role_of(text: &str) -> Result<Role, AppError> {
    text.parse::<Role>().map_err(|_| {
        AppError::bad_input(
            "role",
            format!("{text:?} is not a role: use viewer, documenter, editor or admin"),
        )
    })
}

/// `POST /admin/users`: the API's `add_user`.
pub async fn add(
    State(state): State<AppState>,
    Page(auth): Page<CanAdminister>,
    Form(form): Form<NewAccountForm>,
) -> Result<Response, WebError> {
    let result = match role_of(&form.role) {
        Ok(role) => {
            let user = admin::NewUser {
                name: form.name.trim().to_owned(),
                role,
                clearance: form.clearance.is_some(),
                password: form.password,
            };
            admin::add_user(State(state.clone()), same(&auth), JsonBody(user))
                .await
                .map(|_| ())
        }
        Err(error) => Err(error),
    };
    done(&state, &auth, result).await
}

/// What a row's change form sends.
#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    /// The role.
    #[serde(default)]
    pub role: String,
    /// `yes` when disabled.
    pub disabled: Option<String>,
}

/// `POST /admin/users/{id}`: the API's `change_user`.
pub async fn change(
    State(state): State<AppState>,
    Page(auth): Page<CanAdminister>,
    PathParam(id): PathParam,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let name = state
        .accounts()
        .book()
        .accounts()
        .find(|account| account.id.to_string() == id)
        .map(|account| account.name.clone())
        .ok_or_else(|| AppError::NotFound(format!("no account {id}")))?;
    let result = match role_of(&form.role) {
        Ok(role) => {
            let change = admin::UserChange {
                role: Some(role),
                clearance: None,
                disabled: Some(form.disabled.is_some()),
                password: None,
            };
            admin::change_user(
                State(state.clone()),
                same(&auth),
                PathParam(name),
                JsonBody(change),
            )
            .await
            .map(|_| ())
        }
        Err(error) => Err(error),
    };
    done(&state, &auth, result).await
}

/// The same account and address, for the API's handler.
fn same(auth: &Authenticated<CanAdminister>) -> Authenticated<CanAdminister> {
    auth.again()
}

async fn done(
    state: &AppState,
    auth: &Authenticated<CanAdminister>,
    result: Result<(), AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to("/admin").into_response()),
        Err(error) => Ok(respond(
            error.status(),
            admin_page(state, auth, Some(&error)).await?,
        )),
    }
}
