//! The account events kept in the log (stream [`ACCOUNTS_STREAM`]), so the
//! hash chain covers who was allowed to do what. They carry no secret:
//! password and token hashes live apart ([`super::secret_store`]).

use chrono::{DateTime, Utc};
use habeas_store::NewEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::role::Role;

/// The stream of every account event. One stream (rather than one per
/// account) so that loading the accounts reads one stream, not the log.
pub const ACCOUNTS_STREAM: &str = "accounts";

/// The schema version of every account event type.
pub const SCHEMA_VERSION: u32 = 1;

/// Something that happened to an account or a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum AccountEvent {
    /// An account was made.
    AccountCreated {
        /// Its id.
        account: Uuid,
        /// Its sign-in name.
        name: String,
        /// What it may do.
        role: Role,
        /// Whether it reads restricted facts below the editor role.
        clearance: bool,
    },
    /// Its role changed.
    AccountRoleChanged {
        /// The account.
        account: Uuid,
        /// The new role.
        role: Role,
    },
    /// Its clearance for restricted facts changed.
    AccountClearanceChanged {
        /// The account.
        account: Uuid,
        /// Whether it now has clearance.
        clearance: bool,
    },
    /// It may no longer sign in; its tokens and sessions stop working.
    AccountDisabled {
        /// The account.
        account: Uuid,
    },
    /// It may sign in again.
    AccountEnabled {
        /// The account.
        account: Uuid,
    },
    /// Its password was set (the hash is kept with the secrets).
    PasswordSet {
        /// The account.
        account: Uuid,
    },
    /// A bearer token was issued for it (the hash is kept with the secrets).
    TokenCreated {
        /// The token's id (the public half of the token).
        token: Uuid,
        /// The account it acts as.
        account: Uuid,
        /// What it is for.
        name: String,
        /// When it stops working.
        expires_at: DateTime<Utc>,
    },
    /// A token was revoked.
    TokenRevoked {
        /// The token.
        token: Uuid,
    },
    /// A TOTP second factor was set up (the secret is kept with the secrets).
    SecondFactorEnrolled {
        /// The account.
        account: Uuid,
    },
    /// The second factor was removed (a lost phone); the account signs in
    /// with its password alone until it enrols again.
    SecondFactorRemoved {
        /// The account.
        account: Uuid,
    },
    /// The roles that must sign in with a second factor.
    SecondFactorPolicySet {
        /// The roles.
        required_for: Vec<Role>,
    },
}

impl AccountEvent {
    /// The event as the store appends it.
    pub fn to_new_event(&self) -> NewEvent {
        let value = serde_json::to_value(self).expect("account events serialize");
        let event_type = value["type"]
            .as_str()
            .expect("tagged enum has a type")
            .to_owned();
        NewEvent {
            event_id: Uuid::now_v7(),
            event_type,
            schema_version: SCHEMA_VERSION,
            payload: value["payload"].clone(),
        }
    }

    /// The event of a stored envelope of the accounts stream.
    pub fn from_stored(event_type: &str, payload: &serde_json::Value) -> Result<Self, String> {
        serde_json::from_value(serde_json::json!({"type": event_type, "payload": payload}))
            .map_err(|err| format!("account event {event_type} cannot be read: {err}"))
    }
}
