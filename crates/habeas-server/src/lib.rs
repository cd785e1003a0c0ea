//! `habeas serve`: the HTTP API of Habeas for a documentation team.
//!
//! [`app::app`] builds the one router (JSON API under `/api/v1`) over an
//! [`state::AppState`]: the [`habeas::tracker::Tracker`], the
//! [`accounts::Accounts`] (roles, passwords, tokens; account events in the
//! log, secrets in a file or a database table), browser [`sessions`] and the sign-in
//! [`throttle`]. Handlers say what access they need through the extractors
//! of [`auth`]; every response that carries case facts goes through
//! [`filter::Filter`], so restricted facts reach only those cleared to read
//! them. Failures are one [`error::AppError`], mapped to status codes by
//! class. Security events are audited in the log ([`security`]); [`audit_trail`]
//! lists them with the account events for `habeas audit`. [`tls`] serves
//! HTTPS without a reverse proxy. Imports are uploaded as files
//! ([`upload`]), with column mappings saved in the log ([`mappings`]); the
//! import page holds a checked upload until it is confirmed ([`pending`]).
//!
//! The web pages ([`web`]) are a second router merged in [`app::app`],
//! calling the same handlers' building blocks, extractors and filter.

pub mod accounts;
pub mod app;
pub mod audit_trail;
pub mod auth;
pub mod error;
pub mod filter;
pub mod input;
pub mod mappings;
pub mod openapi;
pub mod pending;
pub mod routes;
pub mod security;
pub mod serve;
pub mod sessions;
pub mod state;
pub mod throttle;
pub mod tls;
pub mod upload;
pub mod web;
