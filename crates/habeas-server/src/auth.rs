//! Who is asking, as extractors: a handler states what it needs in its
//! signature, so a handler that forgets a check does not compile.
//!
//! - [`Caller`]: anyone; anonymous, or an account signed in by a bearer
//!   token or a session cookie. Refused credentials are a 401, never
//!   silently anonymous; a cookie-authenticated request that changes state
//!   must come from the same site (`Sec-Fetch-Site`, else `Origin`).
//! - [`Authenticated<R>`]: an account whose role is at least `R`'s. Only
//!   `Authenticated<R>` with `R: Records` hands out the [`Issued`] that
//!   writing needs, with `recorded_by` set to the account.
//! - [`ReportReader`]: an account, or anyone when the operator publishes
//!   public reports (`--public-reports`); carries the [`Filter`] to use.

use std::marker::PhantomData;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use chrono::Utc;
use habeas::tracker::Issued;
use habeas_domain::id::CommandId;

use crate::accounts::Refusal;
use crate::accounts::book::Account;
use crate::accounts::role::Role;
use crate::error::AppError;
use crate::filter::{Clearance, Filter};
use crate::security::{self, SecurityEvent, SecurityKind};
use crate::sessions::COOKIE;
use crate::state::AppState;

/// How an account proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A bearer token.
    Token,
    /// A session cookie.
    Session,
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No credentials.
    Anonymous {
        /// The client's address, if known.
        address: Option<String>,
    },
    /// An account.
    Account {
        /// The account.
        account: Account,
        /// How it signed in.
        via: Via,
        /// The client's address, if known.
        address: Option<String>,
    },
}

impl Caller {
    /// The client's address, if known.
    pub fn address(&self) -> Option<String> {
        match self {
            Caller::Anonymous { address } | Caller::Account { address, .. } => address.clone(),
        }
    }

    /// The account's name, if any.
    pub fn name(&self) -> Option<String> {
        match self {
            Caller::Anonymous { .. } => None,
            Caller::Account { account, .. } => Some(account.name.clone()),
        }
    }
}

/// The client's address: the connection's peer (absent in in-process
/// tests), or, behind a reverse proxy on this machine that the operator
/// trusts (`--behind-proxy`), the address the proxy appended last to
/// `X-Forwarded-For` (earlier entries are the client's own claims).
pub fn address_of(parts: &Parts, state: &AppState) -> Option<String> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let forwarded = || {
        parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| v.parse::<std::net::IpAddr>().is_ok())
            .map(str::to_owned)
    };
    match peer {
        Some(peer) if state.config().behind_proxy && peer.is_loopback() => {
            forwarded().or_else(|| Some(peer.to_string()))
        }
        other => other.map(|ip| ip.to_string()),
    }
}

fn what(parts: &Parts) -> String {
    format!("{} {}", parts.method, parts.uri.path())
}

pub(crate) fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Whether a cookie-authenticated request comes from a page of this site.
/// Browsers send `Sec-Fetch-Site`; older ones send `Origin`, which must
/// name the host the request was sent to. A request with neither is refused.
pub(crate) fn same_site(headers: &axum::http::HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (
        headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()),
        host,
    ) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority == host),
        _ => false,
    }
}

async fn refuse(
    state: &AppState,
    parts: &Parts,
    kind: SecurityKind,
    account: Option<String>,
    outcome: &str,
) {
    let address = address_of(parts, state);
    if account.is_none() && !state.audit_allowed(address.as_deref()) {
        tracing::warn!(?kind, ?address, what = %what(parts), outcome, "refused (not recorded: audit budget spent)");
        return;
    }
    security::record(
        state.tracker(),
        SecurityEvent {
            kind,
            account,
            address: address.clone(),
            what: what(parts),
            outcome: outcome.to_owned(),
        },
    )
    .await;
}

async fn identify(parts: &Parts, state: &AppState) -> Result<Caller, AppError> {
    let address = address_of(parts, state);
    // Another process sharing the store may have added, disabled or revoked
    // something since: checked against what is true now, or not at all.
    if let Err(error) = state.accounts().catch_up().await {
        tracing::error!(%error, "cannot catch up with the accounts");
        return Err(AppError::Unavailable(
            "the accounts cannot be read from the store just now: try again shortly".to_owned(),
        ));
    }
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|text| text.strip_prefix("Bearer "))
            .map(str::trim);
        let checked = match token {
            Some(token) => state.accounts().check_token(token, Utc::now()),
            None => Err(Refusal::Unknown),
        };
        return match checked {
            Ok((account, _)) => Ok(Caller::Account {
                account,
                via: Via::Token,
                address,
            }),
            Err(refusal) => {
                refuse(
                    state,
                    parts,
                    SecurityKind::CredentialRefused,
                    None,
                    refusal.as_str(),
                )
                .await;
                Err(AppError::Unauthenticated(format!(
                    "the bearer token is {}: ask an admin for a new one (`habeas token create`)",
                    match refusal {
                        Refusal::Unknown => "not valid",
                        Refusal::Expired => "expired",
                        Refusal::Revoked => "revoked",
                        Refusal::Disabled => "of a disabled account",
                    }
                )))
            }
        };
    }
    if let Some(cookie) = cookie_value(parts, COOKIE) {
        let account = state
            .sessions()
            .account(cookie)
            .and_then(|id| state.accounts().active(id));
        let Some(account) = account else {
            refuse(
                state,
                parts,
                SecurityKind::CredentialRefused,
                None,
                "session",
            )
            .await;
            return Err(AppError::Unauthenticated(
                "the session has ended: sign in again (POST /api/v1/session)".to_owned(),
            ));
        };
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe && !same_site(&parts.headers) {
            refuse(
                state,
                parts,
                SecurityKind::CsrfRefused,
                Some(account.name.clone()),
                "refused",
            )
            .await;
            return Err(AppError::Forbidden(
                "a request that changes something must come from a page of this site (Sec-Fetch-Site or Origin): scripts should use a bearer token".to_owned(),
            ));
        }
        return Ok(Caller::Account {
            account,
            via: Via::Session,
            address,
        });
    }
    Ok(Caller::Anonymous { address })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = identify(parts, state).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// A lowest role, as a type.
pub trait MinRole: Send + Sync + 'static {
    /// The role.
    const ROLE: Role;
    /// What a refusal says the caller needs.
    const NEEDS: &'static str;
}

/// Roles that may record developments.
pub trait Records: MinRole {}

/// Any account (viewer or above).
#[derive(Debug)]
pub struct AnyRole;
/// Documenters and above.
#[derive(Debug)]
pub struct CanRecord;
/// Editors and above.
#[derive(Debug)]
pub struct CanEdit;
/// Admins.
#[derive(Debug)]
pub struct CanAdminister;

impl MinRole for AnyRole {
    const ROLE: Role = Role::Viewer;
    const NEEDS: &'static str = "an account";
}
impl MinRole for CanRecord {
    const ROLE: Role = Role::Documenter;
    const NEEDS: &'static str = "the documenter role or above";
}
impl MinRole for CanEdit {
    const ROLE: Role = Role::Editor;
    const NEEDS: &'static str = "the editor role or above";
}
impl MinRole for CanAdminister {
    const ROLE: Role = Role::Admin;
    const NEEDS: &'static str = "the admin role";
}
impl Records for CanRecord {}
impl Records for CanEdit {}
impl Records for CanAdminister {}

/// An account whose role is at least `R::ROLE`.
#[derive(Debug)]
pub struct Authenticated<R> {
    /// The account.
    pub account: Account,
    /// The client's address, if known.
    pub address: Option<String>,
    role: PhantomData<R>,
}

impl<R> Authenticated<R> {
    /// What the account may see of the cases.
    pub fn filter(&self) -> Filter {
        Filter::new(if self.account.reads_restricted() {
            Clearance::Restricted
        } else {
            Clearance::PublicOnly
        })
    }
}

impl<R> Authenticated<R> {
    /// The same proof again, for a page that hands it to an API handler
    /// (the check was made; it cannot be made up without one).
    pub fn again(&self) -> Self {
        Authenticated {
            account: self.account.clone(),
            address: self.address.clone(),
            role: PhantomData,
        }
    }
}

impl<R: Records> Authenticated<R> {
    /// Who records, for a command written through the server: always the
    /// authenticated account.
    pub fn issued(&self, command_id: Option<CommandId>) -> Issued {
        Issued {
            recorded_by: self.account.name.clone(),
            command_id,
            at: Utc::now(),
        }
    }
}

impl<R: MinRole> FromRequestParts<AppState> for Authenticated<R> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Anonymous { .. } => Err(AppError::Unauthenticated(format!(
                "this needs {}: sign in (POST /api/v1/session) or send a bearer token",
                R::NEEDS
            ))),
            Caller::Account {
                account, address, ..
            } => {
                if account.role < R::ROLE {
                    refuse(
                        state,
                        parts,
                        SecurityKind::Denied,
                        Some(account.name.clone()),
                        "refused",
                    )
                    .await;
                    return Err(AppError::Forbidden(format!(
                        "{} needs {}; the account {:?} is a {}",
                        what(parts),
                        R::NEEDS,
                        account.name,
                        account.role
                    )));
                }
                Ok(Authenticated {
                    account,
                    address,
                    role: PhantomData,
                })
            }
        }
    }
}

/// A reader of reports: an account, or anyone when public reports are
/// published.
#[derive(Debug)]
pub struct ReportReader {
    /// The account, if signed in.
    pub account: Option<Account>,
    /// The client's address, if known.
    pub address: Option<String>,
    /// What the caller may see.
    pub filter: Filter,
}

impl FromRequestParts<AppState> for ReportReader {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Anonymous { address } if state.config().public_reports => Ok(ReportReader {
                account: None,
                address,
                filter: Filter::new(Clearance::PublicOnly),
            }),
            Caller::Anonymous { .. } => Err(AppError::Unauthenticated(
                "reports need an account on this server: sign in (POST /api/v1/session) or send a bearer token".to_owned(),
            )),
            Caller::Account {
                account, address, ..
            } => Ok(ReportReader {
                address,
                filter: Filter::new(if account.reads_restricted() {
                    Clearance::Restricted
                } else {
                    Clearance::PublicOnly
                }),
                account: Some(account),
            }),
        }
    }
}
