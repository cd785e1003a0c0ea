//! The router: every route of `/api/v1` with its layers. Tests drive it in
//! process with `tower::ServiceExt::oneshot`; `habeas serve` serves it.

use std::any::Any;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::routes::{admin, amend, cases, commands, import, people, reports, session, store};
use crate::state::AppState;

/// Every route, as `(method, path)`, for tests and the OpenAPI document.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/session"),
    ("GET", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("GET", "/api/v1/people"),
    ("POST", "/api/v1/people"),
    ("GET", "/api/v1/people/{person}/status"),
    ("GET", "/api/v1/people/{person}/history"),
    ("GET", "/api/v1/people/{person}/statements"),
    ("GET", "/api/v1/people/{person}/report"),
    ("GET", "/api/v1/roster"),
    ("GET", "/api/v1/roster/report"),
    ("POST", "/api/v1/commands"),
    ("POST", "/api/v1/events/{event}/correction"),
    ("POST", "/api/v1/events/{event}/retraction"),
    ("POST", "/api/v1/import"),
    ("GET", "/api/v1/mappings"),
    ("GET", "/api/v1/export"),
    ("GET", "/api/v1/verify"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("PATCH", "/api/v1/users/{name}"),
    ("POST", "/api/v1/users/{name}/second-factor"),
    ("DELETE", "/api/v1/users/{name}/second-factor"),
    ("POST", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/{id}"),
    ("GET", "/api/v1/audit"),
];

/// Whether the server answers.
#[utoipa::path(get, path = "/api/v1/health", security(()), responses((status = 200, description = "ok", content_type = "text/plain")))]
pub async fn health() -> &'static str {
    "ok"
}

async fn not_found() -> AppError {
    AppError::NotFound("no such route: the API is under /api/v1 (see the README)".to_owned())
}

fn panicked(_: Box<dyn Any + Send + 'static>) -> Response {
    AppError::internal("a handler panicked").into_response()
}

/// The layers' own refusals (a body over the limit, a request that timed
/// out) come with an empty body; they get the API's error body instead.
async fn uniform_errors(response: Response) -> Response {
    let plain = !response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE if plain => AppError::TooLarge(
            "the body is larger than this server accepts: send less at a time".to_owned(),
        )
        .into_response(),
        StatusCode::SERVICE_UNAVAILABLE if plain => AppError::Unavailable(
            "the request took too long and was stopped: try again; if it recurs, ask for less at a time".to_owned(),
        )
        .into_response(),
        _ => response,
    }
}

/// The application: routes, state and layers.
pub fn app(state: AppState) -> Router {
    let config = state.config().clone();
    let request_id = HeaderName::from_static("x-request-id");
    let api = Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(crate::openapi::openapi_json))
        .route(
            "/session",
            post(session::login)
                .get(session::whoami)
                .delete(session::logout),
        )
        .route("/people", get(people::search).post(people::register))
        .route("/people/{person}/status", get(cases::get_status))
        .route("/people/{person}/history", get(cases::get_history))
        .route("/people/{person}/statements", get(cases::get_statements))
        .route("/people/{person}/report", get(reports::person_report))
        .route("/roster", get(reports::roster))
        .route("/roster/report", get(reports::roster_report))
        .route("/commands", post(commands::post_command))
        .route("/events/{event}/correction", post(amend::correct))
        .route("/events/{event}/retraction", post(amend::retract))
        .route(
            "/import",
            post(import::import).layer(DefaultBodyLimit::max(config.import_limit)),
        )
        .route("/mappings", get(import::list_mappings))
        .route("/export", get(store::export))
        .route("/verify", get(store::verify))
        .route("/users", get(admin::list_users).post(admin::add_user))
        .route("/users/{name}", axum::routing::patch(admin::change_user))
        .route(
            "/users/{name}/second-factor",
            post(admin::reset_second_factor).delete(admin::remove_second_factor),
        )
        .route("/tokens", post(admin::create_token))
        .route("/tokens/{id}", axum::routing::delete(admin::revoke_token))
        .route("/audit", get(admin::list_audit))
        .layer(DefaultBodyLimit::max(config.body_limit));
    Router::new()
        .nest("/api/v1", api)
        .merge(crate::web::pages(config.import_limit))
        .fallback(not_found)
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(config.import_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout.max(Duration::from_millis(1)),
        ))
        .layer(axum::middleware::map_response(uniform_errors))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
