//! The web pages of `habeas serve`: server-rendered HTML for documenters,
//! usable without JavaScript, merged into [`crate::app::app`] beside the API.
//!
//! Templates are [`maud`] macros (checked at compile time, escaping by
//! default); the words are in [`strings`]; the one stylesheet is served by
//! the server itself ([`layout::STYLESHEET`]). Pages go through the API's
//! extractors ([`layout::Page`] wraps [`crate::auth::Authenticated`]), its
//! restricted-fact filter and its operations: a form becomes a command of
//! the JSON-lines format recorded by
//! [`crate::routes::commands::record_line`], so a page can do nothing the
//! API would refuse. State-changing posts carry the session cookie and
//! must come from a page of this site (the same-site check of
//! [`crate::auth::Caller`]).

pub mod admin;
pub mod case_sections;
pub mod forms;
pub mod import;
pub mod layout;
pub mod people;
pub mod preview;
pub mod signin;
pub mod strings;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::state::AppState;

/// The stylesheet.
const CSS: &str = include_str!("habeas.css");

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        CSS,
    )
}

/// Every page, as `(method, path)`.
pub const PAGES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/signin"),
    ("POST", "/signin"),
    ("POST", "/signout"),
    ("GET", "/static/habeas.css"),
    ("GET", "/people/new"),
    ("POST", "/people/new"),
    ("GET", "/people/{person}"),
    ("GET", "/people/{person}/record"),
    ("POST", "/people/{person}/record"),
    ("POST", "/events/{event}/correct"),
    ("POST", "/events/{event}/retract"),
    ("GET", "/admin"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/{id}"),
    ("POST", "/admin/users/{id}/second-factor"),
    ("POST", "/admin/tokens"),
    ("POST", "/admin/tokens/{id}/revoke"),
    ("GET", "/import"),
    ("POST", "/import"),
    ("POST", "/import/confirm"),
];

/// The pages' router; an upload may be up to `import_limit` bytes.
pub fn pages(import_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(people::list))
        .route("/signin", get(signin::show).post(signin::submit))
        .route("/signout", post(signin::sign_out))
        .route("/static/habeas.css", get(stylesheet))
        .route(
            "/people/new",
            get(forms::register_form).post(forms::register),
        )
        .route("/people/{person}", get(people::person))
        .route(
            "/people/{person}/record",
            get(forms::record_form).post(forms::record),
        )
        .route("/events/{event}/correct", post(forms::correct))
        .route("/events/{event}/retract", post(forms::retract))
        .route("/admin", get(admin::show))
        .route("/admin/users", post(admin::add))
        .route("/admin/users/{id}", post(admin::change))
        .route(
            "/admin/users/{id}/second-factor",
            post(admin::second_factor),
        )
        .route("/admin/tokens", post(admin::create_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route(
            "/import",
            get(import::show)
                .post(import::check)
                .layer(DefaultBodyLimit::max(import_limit)),
        )
        .route("/import/confirm", post(import::confirm))
}
