//! The page shell (`lang`, `dir`, the stylesheet, the navigation with the
//! sign-out form), the pages' error type and their access extractor.
//!
//! [`Page<R>`] is [`Authenticated<R>`] for pages: the same check, but an
//! anonymous visitor is sent to the sign-in page and any other refusal is
//! an HTML page with the API's status code and message.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};

use crate::accounts::book::Account;
use crate::auth::{Authenticated, MinRole};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::strings::UI;

/// The path of the stylesheet.
pub const STYLESHEET: &str = "/static/habeas.css";

/// A whole page: `title`, the signed-in account (for the navigation), and
/// the content of `<main>`.
pub fn page(title: &str, account: Option<&Account>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(UI.lang) dir=(UI.dir) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (UI.app) }
                link rel="stylesheet" href=(STYLESHEET);
            }
            body {
                a.skip href="#main" { (UI.skip) }
                header.top {
                    nav aria-label=(UI.app) {
                        a.brand href="/" { (UI.app) }
                        @if let Some(account) = account {
                            a href="/" { (UI.people) }
                            @if account.role >= crate::accounts::role::Role::Documenter {
                                a href="/people/new" { (UI.register) }
                            }
                            @if account.role >= crate::accounts::role::Role::Editor {
                                a href="/import" { (UI.import) }
                            }
                            @if account.role >= crate::accounts::role::Role::Admin {
                                a href="/admin" { (UI.admin) }
                            }
                            span.who { (UI.signed_in_as) " " strong { (account.name) } " (" (account.role) ")" }
                            form.inline method="post" action="/signout" {
                                button type="submit" { (UI.sign_out) }
                            }
                        }
                    }
                }
                main #main { (content) }
            }
        }
    }
}

/// A failure of a page, shown as a page.
#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(error: AppError) -> Self {
        WebError(error)
    }
}

impl From<habeas::error::TrackerError> for WebError {
    fn from(error: habeas::error::TrackerError) -> Self {
        WebError(error.into())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Unauthenticated(_)) {
            return Redirect::to("/signin").into_response();
        }
        let status = self.0.status();
        let message = match &self.0 {
            AppError::Internal(detail) => {
                tracing::error!(%detail, "page failed");
                "the server could not answer; the operator's log has the details".to_owned()
            }
            other => other.to_string(),
        };
        let body = page(
            UI.error,
            None,
            html! {
                h1 { (UI.error) }
                p.error role="alert" { (message) }
                p { a href="/" { (UI.people) } }
            },
        );
        (status, Html(body.into_string())).into_response()
    }
}

/// An account whose role is at least `R::ROLE`, for a page.
#[derive(Debug)]
pub struct Page<R>(pub Authenticated<R>);

impl<R: MinRole> FromRequestParts<AppState> for Page<R> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        Ok(Page(
            Authenticated::<R>::from_request_parts(parts, state).await?,
        ))
    }
}

/// An HTML answer with a status.
pub fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

/// The path of a person's page: their slug, percent-encoded (slugs keep
/// letters of any script, and a `Location` header must be ASCII).
pub fn person_path(slug: &str) -> String {
    let mut path = String::from("/people/");
    for byte in slug.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path
}
