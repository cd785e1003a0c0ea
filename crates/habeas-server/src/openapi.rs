//! The OpenAPI 3 document of the API, at `/api/v1/openapi.json`, generated
//! from the handlers' `#[utoipa::path]` attributes and the request and
//! response types; a test checks that it lists exactly the routes of
//! [`crate::app::ROUTES`].

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{admin, amend, cases, commands, import, people, reports, session, store};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Habeas",
        description = "The HTTP API of Habeas, an event-sourced case tracker for political prisoners. Commands use the JSON-lines command format of imports (FORMAT.md)."
    ),
    paths(
        crate::app::health,
        openapi_json,
        session::login,
        session::whoami,
        session::logout,
        people::search,
        people::register,
        cases::get_status,
        cases::get_history,
        cases::get_statements,
        reports::person_report,
        reports::roster,
        reports::roster_report,
        commands::post_command,
        amend::correct,
        amend::retract,
        import::import,
        import::list_mappings,
        store::export,
        store::verify,
        admin::list_users,
        admin::add_user,
        admin::change_user,
        admin::reset_second_factor,
        admin::remove_second_factor,
        admin::create_token,
        admin::revoke_token,
        admin::list_audit,
    ),
    modifiers(&Credentials),
    security(("bearer" = []), ("session" = []))
)]
pub struct ApiDoc;

struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::sessions::COOKIE))),
        );
    }
}

/// The OpenAPI 3 document of this API.
#[utoipa::path(get, path = "/api/v1/openapi.json", security(()), responses((status = 200, description = "the document", body = Object)))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
