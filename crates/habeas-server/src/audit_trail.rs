//! The audit trail as `habeas audit` lists it: the security events (stream
//! `security`) and the account events (stream `accounts`) merged in log
//! order, each as who, when, from where, what and with which outcome, and
//! the filters over them. Account events recorded by the CLI (`habeas user
//! add` on the store) are in it as well as those made through the API.

use chrono::{DateTime, Utc};
use habeas::tracker::Tracker;
use habeas_store::{Envelope, StoreError, StreamId};
use serde::Serialize;

use crate::accounts::book::AccountBook;
use crate::accounts::events::{ACCOUNTS_STREAM, AccountEvent};
use crate::security::{SECURITY_STREAM, SecurityEvent};

/// One line of the audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Its position in the log.
    pub position: u64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// `security` or `accounts`.
    pub stream: &'static str,
    /// What kind of event (`login_failed`, `account_created`, … see [`KINDS`]).
    pub kind: String,
    /// Who did it: the account (or the name tried), or who ran the CLI.
    pub who: Option<String>,
    /// The client's address, if it came over HTTP.
    pub from: Option<String>,
    /// What was done, or to what.
    pub what: String,
    /// `ok`, `refused`, or why.
    pub outcome: String,
    /// The account an account event concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Recorded at or after.
    pub since: Option<DateTime<Utc>>,
    /// Done by, or (an account event) done to, this account.
    pub user: Option<String>,
    /// Of these kinds (empty: of every kind).
    pub kinds: Vec<String>,
}

/// Every kind an entry may have: the security events', then the account
/// events'.
pub const KINDS: &[&str] = &[
    "login",
    "login_failed",
    "login_throttled",
    "logout",
    "credential_refused",
    "denied",
    "csrf_refused",
    "export",
    "restricted_read",
    "account_changed",
    "account_created",
    "account_role_changed",
    "account_clearance_changed",
    "account_disabled",
    "account_enabled",
    "password_set",
    "token_created",
    "token_revoked",
    "second_factor_enrolled",
    "second_factor_removed",
    "second_factor_policy_set",
];

impl AuditFilter {
    /// Whether `entry` is listed.
    pub fn admits(&self, entry: &AuditEntry) -> bool {
        self.since.is_none_or(|since| entry.at >= since)
            && self.user.as_ref().is_none_or(|user| {
                entry.who.as_ref() == Some(user) || entry.subject.as_ref() == Some(user)
            })
            && (self.kinds.is_empty() || self.kinds.contains(&entry.kind))
    }
}

/// `AccountRoleChanged` → `account_role_changed`.
fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (idx, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if idx > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn security_entry(envelope: &Envelope) -> AuditEntry {
    match serde_json::from_value::<SecurityEvent>(envelope.payload.clone()) {
        Ok(event) => AuditEntry {
            position: envelope.position,
            at: envelope.recorded_at,
            stream: SECURITY_STREAM,
            kind: serde_json::to_value(event.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            who: event.account,
            from: event.address,
            what: event.what,
            outcome: event.outcome,
            subject: None,
        },
        Err(error) => unreadable(envelope, SECURITY_STREAM, &error.to_string()),
    }
}

fn unreadable(envelope: &Envelope, stream: &'static str, why: &str) -> AuditEntry {
    AuditEntry {
        position: envelope.position,
        at: envelope.recorded_at,
        stream,
        kind: snake(&envelope.event_type),
        who: Some(envelope.recorded_by.clone()),
        from: None,
        what: format!("unreadable event {}: {why}", envelope.event_id),
        outcome: "unknown".to_owned(),
        subject: None,
    }
}

/// An account event, described with the names the book knew then.
fn account_entry(book: &mut AccountBook, envelope: &Envelope) -> AuditEntry {
    let event = match AccountEvent::from_stored(&envelope.event_type, &envelope.payload) {
        Ok(event) => event,
        Err(error) => return unreadable(envelope, ACCOUNTS_STREAM, &error),
    };
    let name = |book: &AccountBook, id| {
        book.account(id)
            .map_or_else(|| id.to_string(), |a| a.name.clone())
    };
    let token_owner = |book: &AccountBook, token| {
        book.token(token)
            .map(|t| name(book, t.account))
            .unwrap_or_else(|| "?".to_owned())
    };
    let (subject, what) = match &event {
        AccountEvent::AccountCreated {
            name: new,
            role,
            clearance,
            ..
        } => (
            new.clone(),
            format!(
                "created as {role}{}",
                if *clearance { ", cleared" } else { "" }
            ),
        ),
        AccountEvent::AccountRoleChanged { account, role } => {
            (name(book, *account), format!("role set to {role}"))
        }
        AccountEvent::AccountClearanceChanged { account, clearance } => (
            name(book, *account),
            if *clearance {
                "cleared for restricted facts".to_owned()
            } else {
                "clearance withdrawn".to_owned()
            },
        ),
        AccountEvent::AccountDisabled { account } => (name(book, *account), "disabled".to_owned()),
        AccountEvent::AccountEnabled { account } => (name(book, *account), "enabled".to_owned()),
        AccountEvent::PasswordSet { account } => (name(book, *account), "password set".to_owned()),
        AccountEvent::TokenCreated {
            token,
            account,
            name: label,
            expires_at,
        } => (
            name(book, *account),
            format!(
                "token {token} ({label}) issued, expires {}",
                expires_at.format("%Y-%m-%d")
            ),
        ),
        AccountEvent::TokenRevoked { token } => {
            (token_owner(book, *token), format!("token {token} revoked"))
        }
        AccountEvent::SecondFactorEnrolled { account } => {
            (name(book, *account), "second factor set up".to_owned())
        }
        AccountEvent::SecondFactorRemoved { account } => {
            (name(book, *account), "second factor removed".to_owned())
        }
        AccountEvent::SecondFactorPolicySet { required_for } => (
            String::new(),
            format!(
                "second factor required of: {}",
                if required_for.is_empty() {
                    "no role".to_owned()
                } else {
                    required_for
                        .iter()
                        .map(|role| role.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        ),
    };
    book.apply(&event);
    AuditEntry {
        position: envelope.position,
        at: envelope.recorded_at,
        stream: ACCOUNTS_STREAM,
        kind: snake(&envelope.event_type),
        who: Some(envelope.recorded_by.clone()),
        from: None,
        what: if subject.is_empty() {
            what
        } else {
            format!("{subject}: {what}")
        },
        outcome: "ok".to_owned(),
        subject: (!subject.is_empty()).then_some(subject),
    }
}

/// The entries `filter` admits, oldest first.
pub async fn audit_trail(
    tracker: &Tracker,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>, StoreError> {
    let read = |name: &str| StreamId::new(name).expect("a valid stream name");
    let security = tracker
        .store()
        .read_stream(&read(SECURITY_STREAM), 1)
        .await?;
    let accounts = tracker
        .store()
        .read_stream(&read(ACCOUNTS_STREAM), 1)
        .await?;
    let mut book = AccountBook::default();
    let mut entries: Vec<AuditEntry> = security.iter().map(security_entry).collect();
    // Every account event goes through the book, listed or not, so that later
    // ones are described with the names known then.
    entries.extend(
        accounts
            .iter()
            .map(|envelope| account_entry(&mut book, envelope)),
    );
    entries.retain(|entry| filter.admits(entry));
    entries.sort_by_key(|entry| entry.position);
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: &str, kind: &str, who: &str, subject: Option<&str>) -> AuditEntry {
        AuditEntry {
            position: 1,
            at: at.parse().expect("a time"),
            stream: SECURITY_STREAM,
            kind: kind.to_owned(),
            who: Some(who.to_owned()),
            from: None,
            what: String::new(),
            outcome: "ok".to_owned(),
            subject: subject.map(str::to_owned),
        }
    }

    #[test]
    fn filters_admit_what_they_name() {
        let since = |day: &str| AuditFilter {
            since: Some(format!("{day}T00:00:00Z").parse().expect("a time")),
            ..AuditFilter::default()
        };
        let user = |name: &str| AuditFilter {
            user: Some(name.to_owned()),
            ..AuditFilter::default()
        };
        let kinds = |kinds: &[&str]| AuditFilter {
            kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
            ..AuditFilter::default()
        };
        let login = entry("2026-03-02T10:00:00Z", "login", "ana", None);
        let created = entry("2026-03-01T10:00:00Z", "account_created", "ops", Some("bo"));
        // (filter, entry, admitted)
        let cases = [
            (AuditFilter::default(), &login, true),
            (since("2026-03-02"), &login, true),
            (since("2026-03-03"), &login, false),
            (since("2026-03-02"), &created, false),
            (user("ana"), &login, true),
            (user("bo"), &login, false),
            (user("bo"), &created, true),
            (user("ops"), &created, true),
            (kinds(&["login", "logout"]), &login, true),
            (kinds(&["login_failed"]), &login, false),
        ];
        for (filter, entry, admitted) in cases {
            assert_eq!(filter.admits(entry), admitted, "{filter:?} {entry:?}");
        }
    }

    #[test]
    fn every_event_type_has_a_listed_kind() {
        assert_eq!(snake("AccountRoleChanged"), "account_role_changed");
        for name in [
            "AccountCreated",
            "AccountRoleChanged",
            "AccountClearanceChanged",
            "AccountDisabled",
            "AccountEnabled",
            "PasswordSet",
            "TokenCreated",
            "TokenRevoked",
            "SecondFactorEnrolled",
            "SecondFactorRemoved",
            "SecondFactorPolicySet",
        ] {
            assert!(KINDS.contains(&snake(name).as_str()), "{name}");
        }
    }
}
