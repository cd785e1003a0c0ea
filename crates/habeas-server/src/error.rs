//! The one error type at the HTTP edge: every handler returns
//! `Result<_, AppError>`, and the status code is chosen here, by the class of
//! the failure (the CLI's exit-code classes), never at the call site.
//!
//! A body is always `{"error": {"code", "message", "field"?, "events"?}}`.
//! A 500 says only that something failed and gives the request id to quote;
//! the details go to the log (bad input is not logged as an error).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use habeas::error::TrackerError;
use habeas_domain::error::DomainError;
use habeas_domain::id::EventId;
use habeas_store::StoreError;
use serde::Serialize;

/// Why a request failed, as the client is told.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: a value in the request cannot be used; `field` names it.
    #[error("{field}: {message}")]
    BadInput {
        /// The field (a JSON path such as `fields.occurred`, a query
        /// parameter, `body`).
        field: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// 401: no credentials, or credentials that are unknown, expired or revoked.
    #[error("{0}")]
    Unauthenticated(String),
    /// 403: the account may not do this (or a cross-site form post).
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such person, event or account.
    #[error("{0}")]
    NotFound(String),
    /// 409: the rules refuse the command, or the case kept changing; names the
    /// conflicting events the caller may see.
    #[error("{message}")]
    Conflict {
        /// The rule's message.
        message: String,
        /// The events it names.
        events: Vec<EventId>,
    },
    /// 413: the body is larger than the server accepts.
    #[error("{0}")]
    TooLarge(String),
    /// 423: another process holds the store.
    #[error("{0}")]
    Locked(String),
    /// 503: the request took too long and was stopped.
    #[error("{0}")]
    Unavailable(String),
    /// 429: too many failed sign-ins; retry after the given seconds.
    #[error("too many failed sign-ins: wait {retry_after} s before trying again")]
    Throttled {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// 500: a failure the client cannot fix; logged with the request.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// Bad input in `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// An internal failure; `detail` is logged, never sent.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        AppError::Internal(detail.to_string())
    }

    /// The status code of the class.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Locked(_) => StatusCode::LOCKED,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::BadInput { .. } => "bad_input",
            AppError::Unauthenticated(_) => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict { .. } => "conflict",
            AppError::TooLarge(_) => "too_large",
            AppError::Locked(_) => "locked",
            AppError::Unavailable(_) => "unavailable",
            AppError::Throttled { .. } => "throttled",
            AppError::Internal(_) => "internal",
        }
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The class: bad_input, unauthenticated, forbidden, not_found,
    /// conflict, too_large, locked, throttled, internal.
    pub code: &'static str,
    /// What is wrong and what to do.
    pub message: String,
    /// The field at fault (bad input only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The events a rejection names (conflicts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub events: Option<Vec<EventId>>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let message = match &self {
            AppError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                "internal error: the server could not answer; the operator's log has the details (quote the x-request-id header)".to_owned()
            }
            AppError::BadInput { message, .. } => message.clone(),
            other => other.to_string(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message,
                field: match &self {
                    AppError::BadInput { field, .. } => Some(field.clone()),
                    _ => None,
                },
                events: match &self {
                    AppError::Conflict { events, .. } => Some(events.clone()),
                    _ => None,
                },
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let AppError::Throttled { retry_after } = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&retry_after.to_string()).expect("digits are a header value"),
            );
        }
        if matches!(self.status(), StatusCode::UNAUTHORIZED) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The events a rule's message names, in the order it names them.
pub fn events_named(error: &DomainError) -> Vec<EventId> {
    use habeas_domain::timeline::EventRef;
    let placed = |placed: &habeas_domain::error::Placed| match placed.event {
        EventRef::Recorded(id) => Some(id),
        EventRef::New => None,
    };
    match error {
        DomainError::BeforeBirth { event, .. } => placed(event).into_iter().collect(),
        DomainError::ReleaseWithoutCustody { event, cause }
        | DomainError::DetentionWhileInCustody { event, cause }
        | DomainError::TransferWithoutCustody { event, cause }
        | DomainError::DeathWithoutCustody { event, cause }
        | DomainError::AfterDeath { event, cause }
        | DomainError::DeathAtLibertyInCustody { event, cause }
        | DomainError::SentenceWithoutCustody { event, cause } => placed(event)
            .into_iter()
            .chain(cause.as_deref().and_then(placed))
            .collect(),
        DomainError::UnknownEvent { target }
        | DomainError::CorrectionChangesType { target, .. } => {
            vec![*target]
        }
        DomainError::AlreadyRetracted {
            target,
            retracted_by,
        } => vec![*target, *retracted_by],
        DomainError::RegistrationInUse { first, .. } => vec![*first],
        // Listed one by one, not with `_`: a rejection that comes to name
        // an event must be added above, or the restricted-fact filter would
        // not see it.
        DomainError::NotRegistered { .. }
        | DomainError::RecordRetracted { .. }
        | DomainError::RecordMerged { .. }
        | DomainError::AlreadyRegistered { .. }
        | DomainError::WrongStream { .. }
        | DomainError::InvalidField { .. }
        | DomainError::MissingSource { .. }
        | DomainError::DateInFuture { .. } => Vec::new(),
    }
}

impl From<TrackerError> for AppError {
    /// Facade errors by class. Messages are the facade's own (they name the
    /// value and what to do), except for the CLI hints they carry.
    fn from(error: TrackerError) -> Self {
        match error {
            TrackerError::Rejected(DomainError::InvalidField { field, problem }) => {
                AppError::bad_input(format!("fields.{field}"), format!("{field} {problem}"))
            }
            TrackerError::Rejected(rejection) => AppError::Conflict {
                events: events_named(&rejection),
                message: format!("rejected, nothing recorded: {rejection}"),
            },
            TrackerError::UnknownPerson { reference, .. } => AppError::NotFound(format!(
                "no person matches {reference:?}: search with GET /api/v1/people?q=NAME"
            )),
            err @ TrackerError::AmbiguousPerson { .. } => AppError::bad_input(
                "person",
                err.to_string()
                    .replace("use the id or slug to choose", "use the id or slug"),
            ),
            TrackerError::Store(StoreError::Locked { .. }) => AppError::Locked(
                "the store is locked by another habeas process: stop it and restart the server"
                    .to_owned(),
            ),
            TrackerError::Store(StoreError::InvalidStreamId { .. }) => {
                AppError::bad_input("person", "not a valid person reference")
            }
            err @ TrackerError::UnknownEvent { .. } => AppError::NotFound(err.to_string()),
            err @ TrackerError::NotAFact { .. } => AppError::bad_input("event", err.to_string()),
            err @ TrackerError::MergeIntoItself { .. } => {
                AppError::bad_input("into", err.to_string())
            }
            TrackerError::Amendment(amendment) => {
                use habeas_domain::amendment::AmendmentError;
                // The domain words the field for people ("a term"); the
                // client named it by its key.
                let field = match &amendment {
                    AmendmentError::Inapplicable { field, .. } => match *field {
                        "a term" => "term",
                        "a facility" => "facility",
                        _ => "occurred",
                    },
                    _ => "body",
                };
                AppError::bad_input(field, amendment.to_string())
            }
            err @ TrackerError::Contention { .. } => AppError::Conflict {
                message: err.to_string(),
                events: Vec::new(),
            },
            other => AppError::internal(other),
        }
    }
}
