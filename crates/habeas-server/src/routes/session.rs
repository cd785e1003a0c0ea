//! Signing in and out of a browser session.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::accounts::book::Account;
use crate::auth::{AnyRole, Authenticated, Caller};
use crate::error::{AppError, ErrorBody};
use crate::input::JsonBody;
use crate::security::{self, SecurityEvent, SecurityKind};
use crate::sessions::COOKIE;
use crate::state::AppState;

/// A sign-in.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// The account's name.
    pub name: String,
    /// Its password.
    pub password: String,
    /// The code of the authenticator app, for an account with a second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

/// `POST /api/v1/session`: checks the password (throttled per account and
/// per address), starts a session with a new id and sets its cookie.
#[utoipa::path(post, path = "/api/v1/session", request_body = Login, responses((status = 200, description = "signed in; sets the session cookie", body = Account), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody), (status = 429, description = "too many failed sign-ins", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(login): JsonBody<Login>,
) -> Result<impl IntoResponse, AppError> {
    let (account, cookie) =
        sign_in(&state, caller.address(), "POST /api/v1/session", &login).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cookie);
    Ok((StatusCode::OK, headers, Json(account)))
}

/// Checks a sign-in (throttled per account and per address, audited as
/// `what`) and starts a session with a new id: the account and the
/// `Set-Cookie` value. The API's `POST /api/v1/session` and the sign-in
/// page share it.
pub async fn sign_in(
    state: &AppState,
    address: Option<String>,
    what: &str,
    login: &Login,
) -> Result<(Account, HeaderValue), AppError> {
    if login.name.len() > 64 || login.password.len() > 1024 {
        return Err(AppError::bad_input(
            if login.name.len() > 64 {
                "name"
            } else {
                "password"
            },
            "is too long",
        ));
    }
    let keys: Vec<String> = std::iter::once(format!("name:{}", login.name))
        .chain(address.iter().map(|a| format!("addr:{a}")))
        .collect();
    let audit = |kind, outcome: &str| SecurityEvent {
        kind,
        account: Some(login.name.clone()),
        address: address.clone(),
        what: what.to_owned(),
        outcome: outcome.to_owned(),
    };
    if let Some(retry_after) = state.throttle().wait(&keys) {
        if state.audit_allowed(address.as_deref()) {
            security::record(
                state.tracker(),
                audit(SecurityKind::LoginThrottled, "refused"),
            )
            .await;
        }
        return Err(AppError::Throttled { retry_after });
    }
    match state
        .accounts()
        .check_password(&login.name, &login.password)
        .await
    {
        Ok(account) => {
            if account.second_factor {
                let good = match login.totp.as_deref() {
                    Some(code) => {
                        state
                            .accounts()
                            .check_second_factor(account.id, code, chrono::Utc::now())
                            .await?
                    }
                    None => false,
                };
                if !good {
                    state.throttle().fail(&keys);
                    security::record(
                        state.tracker(),
                        audit(SecurityKind::LoginFailed, "second factor"),
                    )
                    .await;
                    return Err(AppError::Unauthenticated(
                        "this account signs in with a second factor: send \"totp\" with the current code of the authenticator app (each code works once)".to_owned(),
                    ));
                }
            } else if state.accounts().book().second_factor_required(account.role) {
                security::record(
                    state.tracker(),
                    audit(SecurityKind::LoginFailed, "second factor required"),
                )
                .await;
                return Err(AppError::Forbidden(format!(
                    "the {} role must sign in with a second factor: ask an admin to set one up (`habeas user totp {}`)",
                    account.role, account.name
                )));
            }
            state.throttle().clear(&keys[0]);
            security::record(state.tracker(), audit(SecurityKind::Login, "ok")).await;
            let cookie = state.sessions().start(account.id);
            let header = HeaderValue::from_str(
                &state
                    .sessions()
                    .set_cookie(&cookie, state.config().secure_cookies),
            )
            .map_err(AppError::internal)?;
            Ok((account, header))
        }
        Err(refusal) => {
            state.throttle().fail(&keys);
            security::record(
                state.tracker(),
                audit(SecurityKind::LoginFailed, refusal.as_str()),
            )
            .await;
            Err(AppError::Unauthenticated(
                "the name or the password is wrong, or the account is disabled".to_owned(),
            ))
        }
    }
}

/// `GET /api/v1/session`: who is signed in.
#[utoipa::path(get, path = "/api/v1/session", responses((status = 200, description = "the signed-in account", body = Account), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody)))]
pub async fn whoami(auth: Authenticated<AnyRole>) -> Json<Account> {
    Json(auth.account)
}

/// `DELETE /api/v1/session`: ends the session and clears its cookie.
#[utoipa::path(delete, path = "/api/v1/session", responses((status = 204, description = "signed out"), (status = 400, description = "bad input, naming the field", body = ErrorBody), (status = 401, description = "no or refused credentials", body = ErrorBody), (status = 403, description = "the role does not allow it", body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    auth: Authenticated<AnyRole>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, AppError> {
    if let Some(cookie) = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == COOKIE)
        .map(|(_, value)| value.to_owned())
    {
        state.sessions().end(&cookie);
    }
    security::record(
        state.tracker(),
        SecurityEvent {
            kind: SecurityKind::Logout,
            account: Some(auth.account.name.clone()),
            address: auth.address.clone(),
            what: "DELETE /api/v1/session".to_owned(),
            outcome: "ok".to_owned(),
        },
    )
    .await;
    let mut out = HeaderMap::new();
    out.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&state.sessions().clear_cookie()).map_err(AppError::internal)?,
    );
    Ok((StatusCode::NO_CONTENT, out))
}
