//! Signing in and out with a form. The check is the API's
//! ([`crate::routes::session::sign_in`]: throttle, second factor, audit, a
//! new session id); the form post must come from a page of this site, like
//! every state-changing cookie request.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Caller, same_site};
use crate::error::AppError;
use crate::routes::session::{Login, sign_in};
use crate::sessions::COOKIE;
use crate::state::AppState;
use crate::web::layout::{WebError, page, respond};
use crate::web::strings::UI;

/// What the sign-in form sends.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    /// The account's name.
    #[serde(default)]
    pub name: String,
    /// Its password.
    #[serde(default)]
    pub password: String,
    /// The second factor's code, if any.
    #[serde(default)]
    pub totp: String,
}

fn form(state: &AppState, name: &str, error: Option<&str>) -> Markup {
    page(
        UI.sign_in,
        None,
        html! {
            h1 { (UI.sign_in) }
            @if let Some(error) = error {
                p.error role="alert" #signin-error { (error) }
            }
            form.card method="post" action="/signin" {
                label for="name" { (UI.name) }
                input #name type="text" name="name" value=(name) autocomplete="username" required autofocus;
                label for="password" { (UI.password) }
                input #password type="password" name="password" autocomplete="current-password" required;
                label for="totp" { (UI.totp) }
                input #totp type="text" name="totp" inputmode="numeric" autocomplete="one-time-code";
                button type="submit" { (UI.sign_in) }
            }
            @if state.config().public_reports {
                p { a href="/api/v1/roster/report?format=html" { (UI.public_roster) } }
            }
        },
    )
}

/// `GET /signin`
pub async fn show(State(state): State<AppState>) -> Html<String> {
    Html(form(&state, "", None).into_string())
}

/// `POST /signin`: on success the session cookie and a redirect to the
/// people list; on failure the form again, with the name kept.
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Form(input): Form<SignInForm>,
) -> Result<Response, WebError> {
    if !same_site(&headers) {
        return Err(AppError::Forbidden(
            "a sign-in must come from the sign-in page of this site".to_owned(),
        )
        .into());
    }
    let login = Login {
        name: input.name.trim().to_owned(),
        password: input.password,
        totp: Some(input.totp.trim().to_owned()).filter(|code| !code.is_empty()),
    };
    match sign_in(&state, caller.address(), "POST /signin", &login).await {
        Ok((_, cookie)) => {
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            Ok(response)
        }
        Err(error) => Ok(respond(
            error.status(),
            form(&state, &login.name, Some(&error.to_string())),
        )),
    }
}

/// `POST /signout`: ends the session (a cross-site post is refused by
/// [`Caller`]) and clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == COOKIE)
        .map(|(_, value)| value.to_owned());
    if let Some(cookie) = cookie {
        state.sessions().end(&cookie);
    }
    let mut response = Redirect::to("/signin").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&state.sessions().clear_cookie()).map_err(AppError::internal)?,
    );
    Ok(response)
}
