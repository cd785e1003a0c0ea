//! Accounts, tokens and the security audit, for admins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::AccountsError;
use crate::accounts::book::{Account, AccountCommand, AccountError, Token};
use crate::accounts::role::Role;
use crate::accounts::secrets::password_problem;
use crate::auth::{Authenticated, CanAdminister};
use crate::error::{AppError, ErrorBody};
use crate::input::{JsonBody, Paged, QueryParams, page};
use crate::security::{self, ListedEvent, SecurityEvent, SecurityKind};
use crate::state::AppState;

impl From<AccountsError> for AppError {
    fn from(error: AccountsError) -> Self {
        match error {
            AccountsError::Refused(
                refusal @ (AccountError::UnknownAccount(_) | AccountError::UnknownToken(_)),
            ) => AppError::NotFound(refusal.to_string()),
            AccountsError::Refused(refusal @ AccountError::BadName(_)) => {
                AppError::bad_input("name", refusal.to_string())
            }
            AccountsError::Refused(refusal) => AppError::Conflict {
                message: refusal.to_string(),
                events: Vec::new(),
            },
            AccountsError::Contention => AppError::Conflict {
                message: error.to_string(),
                events: Vec::new(),
            },
            AccountsError::Store(habeas_store::StoreError::Locked { .. }) => {
                AppError::Locked("the store is locked by another habeas process".to_owned())
            }
            other => AppError::internal(other),
        }
    }
}

async fn audit(state: &AppState, auth: &Authenticated<CanAdminister>, what: String) {
    security::record(
        state.tracker(),
        SecurityEvent {
            kind: SecurityKind::AccountChanged,
            account: Some(auth.account.name.clone()),
            address: auth.address.clone(),
            what,
            outcome: "ok".to_owned(),
        },
    )
    .await;
}

/// `GET /api/v1/users`
#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, description = "every account", body = [Account]), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    _auth: Authenticated<CanAdminister>,
) -> Json<Vec<Account>> {
    Json(state.accounts().book().accounts().cloned().collect())
}

/// A new account.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Its sign-in name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Clearance for restricted facts.
    #[serde(default)]
    pub clearance: bool,
    /// Its first password.
    pub password: String,
}

/// `POST /api/v1/users`
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUser, responses((status = 201, description = "added", body = Account), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 409, description = "the rules refuse it, naming the conflicting events", body = ErrorBody)))]
pub async fn add_user(
    State(state): State<AppState>,
    auth: Authenticated<CanAdminister>,
    JsonBody(user): JsonBody<NewUser>,
) -> Result<impl IntoResponse, AppError> {
    if let Some(problem) = password_problem(&user.password) {
        return Err(AppError::bad_input(
            "password",
            format!("the password {problem}"),
        ));
    }
    let account = state
        .accounts()
        .create(
            &user.name,
            user.role,
            user.clearance,
            &user.password,
            &auth.account.name,
        )
        .await?;
    audit(
        &state,
        &auth,
        format!("add user {} as {}", account.name, account.role),
    )
    .await;
    Ok((StatusCode::CREATED, Json(account)))
}

/// Changes to an account; absent fields stay as they are.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// A new role.
    pub role: Option<Role>,
    /// Clearance for restricted facts.
    pub clearance: Option<bool>,
    /// Disable or enable.
    pub disabled: Option<bool>,
    /// A new password.
    pub password: Option<String>,
}

/// `PATCH /api/v1/users/{name}`
#[utoipa::path(patch, path = "/api/v1/users/{name}", params(("name" = String, Path, description = "the account")), request_body = UserChange, responses((status = 200, description = "changed", body = Account), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such person", body = ErrorBody), (status = 409, description = "the rules refuse it, naming the conflicting events", body = ErrorBody)))]
pub async fn change_user(
    State(state): State<AppState>,
    auth: Authenticated<CanAdminister>,
    crate::input::PathParam(name): crate::input::PathParam,
    JsonBody(change): JsonBody<UserChange>,
) -> Result<Json<Account>, AppError> {
    let by = auth.account.name.clone();
    let accounts = state.accounts();
    if accounts.book().by_name(&name).is_none() {
        return Err(AppError::NotFound(format!("no account named {name:?}")));
    }
    if let Some(password) = &change.password {
        if let Some(problem) = password_problem(password) {
            return Err(AppError::bad_input(
                "password",
                format!("the password {problem}"),
            ));
        }
        accounts.set_password(&name, password, &by).await?;
    }
    if let Some(role) = change.role {
        accounts
            .execute(
                AccountCommand::SetRole {
                    name: name.clone(),
                    role,
                },
                &by,
                |_, _| {},
            )
            .await?;
    }
    if let Some(clearance) = change.clearance {
        accounts
            .execute(
                AccountCommand::SetClearance {
                    name: name.clone(),
                    clearance,
                },
                &by,
                |_, _| {},
            )
            .await?;
    }
    if let Some(disabled) = change.disabled {
        accounts
            .execute(
                AccountCommand::SetDisabled {
                    name: name.clone(),
                    disabled,
                },
                &by,
                |_, _| {},
            )
            .await?;
    }
    audit(&state, &auth, format!("change user {name}")).await;
    accounts
        .book()
        .by_name(&name)
        .cloned()
        .map(Json)
        .ok_or_else(|| AppError::NotFound(format!("no account named {name:?}")))
}

/// A token to issue.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// The account it acts as.
    pub user: String,
    /// What it is for.
    pub name: String,
    /// Days until it expires (1 to 366, default 90).
    pub expires_in_days: Option<i64>,
}

/// A token just issued: its text is shown once.
#[derive(Serialize)]
pub struct IssuedToken {
    /// The token's record.
    pub token: Token,
    /// The bearer token to give the script.
    pub secret: String,
}

/// `POST /api/v1/tokens`
#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewToken, responses((status = 201, description = "issued; the secret is shown once", body = Object), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such person", body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    auth: Authenticated<CanAdminister>,
    JsonBody(new): JsonBody<NewToken>,
) -> Result<impl IntoResponse, AppError> {
    let issued = issue_token(&state, &auth, &new).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Issues the token `new` asks for, audited; its secret is in the answer
/// only (the store keeps its digest). Shared by the API and the admin page.
pub async fn issue_token(
    state: &AppState,
    auth: &Authenticated<CanAdminister>,
    new: &NewToken,
) -> Result<IssuedToken, AppError> {
    let days = new.expires_in_days.unwrap_or(90);
    if !(1..=366).contains(&days) {
        return Err(AppError::bad_input(
            "expires_in_days",
            format!("{days} is out of range: 1 to 366"),
        ));
    }
    if new.name.trim().is_empty() || new.name.len() > 128 {
        return Err(AppError::bad_input(
            "name",
            "say what the token is for, in at most 128 bytes",
        ));
    }
    let (token, secret) = state
        .accounts()
        .create_token(
            &new.user,
            &new.name,
            Utc::now() + Duration::days(days),
            &auth.account.name,
        )
        .await?;
    audit(
        state,
        auth,
        format!("create token {} for {}", token.id, new.user),
    )
    .await;
    Ok(IssuedToken { token, secret })
}

/// `DELETE /api/v1/tokens/{id}`
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = String, Path, description = "the token id")), responses((status = 204, description = "revoked"), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such person", body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    auth: Authenticated<CanAdminister>,
    crate::input::PathParam(id): crate::input::PathParam,
) -> Result<StatusCode, AppError> {
    revoke(&state, &auth, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes the token `id`, audited. Shared by the API and the admin page.
pub async fn revoke(
    state: &AppState,
    auth: &Authenticated<CanAdminister>,
    id: &str,
) -> Result<(), AppError> {
    let token: Uuid = id
        .parse()
        .map_err(|_| AppError::bad_input("id", format!("{id:?} is not a token id")))?;
    state
        .accounts()
        .execute(
            AccountCommand::RevokeToken { token },
            &auth.account.name,
            |secrets, _| {
                secrets.tokens.remove(&token);
            },
        )
        .await?;
    audit(state, auth, format!("revoke token {token}")).await;
    Ok(())
}

/// A second factor just set up: the secret and its `otpauth://` URI, shown
/// once, for the account's owner to scan into an authenticator app.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewSecondFactor {
    /// The base32 secret.
    pub secret: String,
    /// The URI an authenticator app scans.
    pub uri: String,
}

/// `POST /api/v1/users/{name}/second-factor`: replaces the account's TOTP
/// second factor with a new one (a lost phone); the old codes stop working.
#[utoipa::path(post, path = "/api/v1/users/{name}/second-factor", params(("name" = String, Path, description = "the account's name")), responses((status = 201, description = "the new secret, shown once", body = NewSecondFactor), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such account", body = ErrorBody), (status = 409, description = "the account is disabled", body = ErrorBody)))]
pub async fn reset_second_factor(
    State(state): State<AppState>,
    auth: Authenticated<CanAdminister>,
    crate::input::PathParam(name): crate::input::PathParam,
) -> Result<impl IntoResponse, AppError> {
    let new = second_factor(&state, &auth, &name, false).await?;
    Ok((StatusCode::CREATED, Json(new)))
}

/// `DELETE /api/v1/users/{name}/second-factor`: removes the account's
/// second factor (it signs in with its password alone, where its role
/// allows that). Removing none is no change.
#[utoipa::path(delete, path = "/api/v1/users/{name}/second-factor", params(("name" = String, Path, description = "the account's name")), responses((status = 204, description = "removed"), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 404, description = "no such account", body = ErrorBody)))]
pub async fn remove_second_factor(
    State(state): State<AppState>,
    auth: Authenticated<CanAdminister>,
    crate::input::PathParam(name): crate::input::PathParam,
) -> Result<StatusCode, AppError> {
    second_factor(&state, &auth, &name, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces (`remove` false: the new secret is returned) or removes the
/// second factor of `name`, audited. Shared by the API and the admin page.
pub async fn second_factor(
    state: &AppState,
    auth: &Authenticated<CanAdminister>,
    name: &str,
    remove: bool,
) -> Result<Option<NewSecondFactor>, AppError> {
    let new = if remove {
        state
            .accounts()
            .execute(
                AccountCommand::RemoveSecondFactor {
                    name: name.to_owned(),
                },
                &auth.account.name,
                |secrets, events| {
                    if let Some(crate::accounts::events::AccountEvent::SecondFactorRemoved {
                        account,
                    }) = events.first()
                    {
                        secrets.totp.remove(account);
                    }
                },
            )
            .await?;
        None
    } else {
        let (secret, uri) = state
            .accounts()
            .enrol_second_factor(name, &auth.account.name)
            .await?;
        Some(NewSecondFactor { secret, uri })
    };
    let what = if remove { "remove" } else { "reset" };
    audit(state, auth, format!("{what} the second factor of {name}")).await;
    Ok(new)
}

/// The query of the audit.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Where the page starts.
    pub offset: Option<String>,
    /// The page size.
    pub limit: Option<String>,
}

/// `GET /api/v1/audit?offset=&limit=`: security events, oldest first.
#[utoipa::path(get, path = "/api/v1/audit", params(("offset" = Option<String>, Query, description = "where the page starts"), ("limit" = Option<String>, Query, description = "1 to 500")), responses((status = 200, description = "a page of security events", body = Object), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody)))]
pub async fn list_audit(
    State(state): State<AppState>,
    _auth: Authenticated<CanAdminister>,
    QueryParams(params): QueryParams<AuditParams>,
) -> Result<Json<Paged<ListedEvent>>, AppError> {
    let (offset, limit) = page(params.offset.as_deref(), params.limit.as_deref())?;
    let (items, total) = security::list(state.tracker(), offset as u64, limit)
        .await
        .map_err(|err| AppError::from(habeas::error::TrackerError::from(err)))?;
    let end = offset + items.len();
    Ok(Json(Paged {
        items,
        total: total as usize,
        offset,
        limit,
        next_offset: (end < total as usize).then_some(end),
    }))
}
