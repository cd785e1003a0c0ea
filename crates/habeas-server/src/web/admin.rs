//! The admin's page: the accounts with their roles and second factors, the
//! API tokens, and the latest security events (sign-ins, refusals, reads of
//! restricted facts), read with the API's own access check and the same
//! audit stream. Changes go through the API's handlers or their shared
//! functions ([`crate::routes::admin`]); a new token or second factor is
//! shown once, on the answer to the post that made it, never again.

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
    Ok(Html(
        admin_page(&state, &auth, None, None).await?.into_string(),
    ))
}

async fn admin_page(
    state: &AppState,
    auth: &Authenticated<CanAdminister>,
    error: Option<&AppError>,
    once: Option<Markup>,
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
    let book = state.accounts().book();
    let accounts: Vec<_> = book.accounts().cloned().collect();
    let tokens: Vec<_> = book.tokens().cloned().collect();
    let now = chrono::Utc::now();
    let owner = |id: uuid::Uuid| book.account(id).map(|a| a.name.clone()).unwrap_or_default();
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
            @if let Some(once) = once { (once) }
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
                                        form.inline method="post" action={ "/admin/users/" (account.id) "/second-factor" } {
                                            button type="submit" name="action" value="reset" { (UI.reset_second_factor) }
                                            @if account.second_factor {
                                                button.danger type="submit" name="action" value="remove" { (UI.remove_second_factor) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="tokens" {
                h2 #tokens { (UI.tokens) }
                form.card method="post" action="/admin/tokens" {
                    label for="token-user" { (UI.token_for) }
                    select #token-user name="user" {
                        @for account in &accounts { option value=(account.name) { (account.name) } }
                    }
                    label for="token-label" { (UI.token_label) }
                    input #token-label type="text" name="label" required maxlength="128";
                    label for="token-days" { (UI.token_days) }
                    input #token-days type="text" inputmode="numeric" name="days" value="90";
                    button type="submit" { (UI.create_token) }
                }
                div.table-wrap {
                    table #tokens-table {
                        thead { tr { th { (UI.token_for) } th { (UI.token_label) } th { (UI.expires) } th { (UI.token_state) } th { (UI.change) } } }
                        tbody {
                            @for token in &tokens {
                                tr id={ "token-" (token.id) } {
                                    td { (owner(token.account)) }
                                    td { (token.name) }
                                    td.date { (token.expires_at.format("%Y-%m-%d %H:%M")) }
                                    td {
                                        @if token.revoked { (UI.revoked) }
                                        @else if token.expires_at <= now { (UI.expired) }
                                        @else { (UI.active) }
                                    }
                                    td {
                                        @if !token.revoked {
                                            form.inline method="post" action={ "/admin/tokens/" (token.id) "/revoke" } {
                                                button.danger type="submit" { (UI.revoke) }
                                            }
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
    let name = account_named(&state, &id)?;
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
            admin_page(state, auth, Some(&error), None).await?,
        )),
    }
}

/// The account whose id a path names.
fn account_named(state: &AppState, id: &str) -> Result<String, AppError> {
    state
        .accounts()
        .book()
        .accounts()
        .find(|account| account.id.to_string() == id)
        .map(|account| account.name.clone())
        .ok_or_else(|| AppError::NotFound(format!("no account {id}")))
}

/// What the second-factor buttons send.
#[derive(Debug, Deserialize)]
pub struct SecondFactorForm {
    /// `reset` (a new secret, shown once) or `remove`.
    #[serde(default)]
    pub action: String,
}

/// `POST /admin/users/{id}/second-factor`: a new second factor for the
/// account, shown once here, or none.
pub async fn second_factor(
    State(state): State<AppState>,
    Page(auth): Page<CanAdminister>,
    PathParam(id): PathParam,
    Form(form): Form<SecondFactorForm>,
) -> Result<Response, WebError> {
    let name = account_named(&state, &id)?;
    let remove = match form.action.as_str() {
        "reset" => false,
        "remove" => true,
        other => {
            let error = AppError::bad_input(
                "action",
                format!("{other:?} is not a second-factor change: reset or remove"),
            );
            return done(&state, &auth, Err(error)).await;
        }
    };
    match admin::second_factor(&state, &auth, &name, remove).await {
        Ok(Some(new)) => {
            let once = html! {
                div.notice role="status" #new-second-factor {
                    p { (UI.new_second_factor_once) }
                    p { strong { (name) } ": " code #new-secret { (new.secret) } }
                    p { code #new-uri { (new.uri) } }
                }
            };
            Ok(respond(
                axum::http::StatusCode::OK,
                admin_page(&state, &auth, None, Some(once)).await?,
            ))
        }
        Ok(None) => done(&state, &auth, Ok(())).await,
        Err(error) => done(&state, &auth, Err(error)).await,
    }
}

/// What the new-token form sends.
#[derive(Debug, Deserialize)]
pub struct NewTokenForm {
    /// The account it acts as.
    #[serde(default)]
    pub user: String,
    /// What it is for.
    #[serde(default)]
    pub label: String,
    /// Days until it expires.
    #[serde(default)]
    pub days: String,
}

/// `POST /admin/tokens`: the API's token issue; the token is shown once.
pub async fn create_token(
    State(state): State<AppState>,
    Page(auth): Page<CanAdminister>,
    Form(form): Form<NewTokenForm>,
) -> Result<Response, WebError> {
    let days = match form.days.trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some).map_err(|_| {
            AppError::bad_input(
                "days",
                format!("{text:?} is not a number of days: write digits"),
            )
        }),
    };
    let issued = match days {
        Ok(days) => {
            let new = admin::NewToken {
                user: form.user.trim().to_owned(),
                name: form.label.trim().to_owned(),
                expires_in_days: days,
            };
            admin::issue_token(&state, &auth, &new).await
        }
        Err(error) => Err(error),
    };
    match issued {
        Ok(issued) => {
            let once = html! {
                div.notice role="status" #new-token {
                    p { (UI.new_token_once) }
                    p { strong { (form.user.trim()) " · " (issued.token.name) } ": " code #new-token-text { (issued.secret) } }
                }
            };
            Ok(respond(
                axum::http::StatusCode::CREATED,
                admin_page(&state, &auth, None, Some(once)).await?,
            ))
        }
        Err(error) => done(&state, &auth, Err(error)).await,
    }
}

/// `POST /admin/tokens/{id}/revoke`: the API's revocation.
pub async fn revoke_token(
    State(state): State<AppState>,
    Page(auth): Page<CanAdminister>,
    PathParam(id): PathParam,
) -> Result<Response, WebError> {
    let result = admin::revoke(&state, &auth, &id).await;
    done(&state, &auth, result).await
}
