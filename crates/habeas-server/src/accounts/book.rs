//! Every account and token as the account events leave them: a pure fold
//! ([`AccountBook::apply`]) and the rules that decide an account command
//! ([`AccountBook::decide`]), with no I/O, like the domain's `decide`/`evolve`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::events::AccountEvent;
use super::role::Role;

/// One account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Account {
    /// Its id.
    pub id: Uuid,
    /// Its sign-in name (also `recorded_by` of what it records).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Whether it reads restricted facts below the editor role.
    pub clearance: bool,
    /// Whether it is disabled.
    pub disabled: bool,
    /// Whether it signs in with a TOTP second factor.
    pub second_factor: bool,
}

impl Account {
    /// Whether the account may read restricted facts.
    pub fn reads_restricted(&self) -> bool {
        self.role >= Role::Editor || self.clearance
    }
}

/// One bearer token (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// Its id.
    pub id: Uuid,
    /// The account it acts as.
    pub account: Uuid,
    /// What it is for.
    pub name: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// What an administrator asks of the accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountCommand {
    /// Make an account.
    Create {
        /// Its sign-in name.
        name: String,
        /// Its role.
        role: Role,
        /// Clearance for restricted facts.
        clearance: bool,
    },
    /// Change a role.
    SetRole {
        /// The account's name.
        name: String,
        /// The new role.
        role: Role,
    },
    /// Give or take clearance.
    SetClearance {
        /// The account's name.
        name: String,
        /// Whether it has clearance.
        clearance: bool,
    },
    /// Disable or enable.
    SetDisabled {
        /// The account's name.
        name: String,
        /// Whether it is disabled.
        disabled: bool,
    },
    /// Record that a password was set.
    SetPassword {
        /// The account's name.
        name: String,
    },
    /// Issue a token.
    CreateToken {
        /// The account's name.
        name: String,
        /// What it is for.
        label: String,
        /// When it stops working.
        expires_at: DateTime<Utc>,
        /// Its id (chosen by the caller, which also makes its secret).
        token: Uuid,
    },
    /// Revoke a token.
    RevokeToken {
        /// The token.
        token: Uuid,
    },
    /// Set up (or replace) a TOTP second factor.
    EnrolSecondFactor {
        /// The account's name.
        name: String,
    },
    /// Remove a second factor.
    RemoveSecondFactor {
        /// The account's name.
        name: String,
    },
    /// Require a second factor of these roles.
    RequireSecondFactor {
        /// The roles (empty: of none).
        roles: Vec<Role>,
    },
}

/// Why an account command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The name is taken.
    #[error("an account named {0:?} exists already: choose another name")]
    NameTaken(String),
    /// The name is unusable.
    #[error("account name {0:?} is not usable: use 1 to 64 letters, digits, '.', '-' or '_'")]
    BadName(String),
    /// No such account.
    #[error("no account named {0:?}: list them with `habeas user list`")]
    UnknownAccount(String),
    /// No such token.
    #[error("no token {0}")]
    UnknownToken(Uuid),
    /// The change would leave no enabled admin.
    #[error("{0:?} is the last enabled admin: make another admin first")]
    LastAdmin(String),
}

/// Every account and token.
#[derive(Debug, Clone, Default)]
pub struct AccountBook {
    accounts: BTreeMap<Uuid, Account>,
    tokens: BTreeMap<Uuid, Token>,
    second_factor_required: Vec<Role>,
}

/// Whether a sign-in name is usable: short, no spaces, nothing that needs
/// escaping in a log line or a URL.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl AccountBook {
    /// The book after `event`. Holds no rules.
    pub fn apply(&mut self, event: &AccountEvent) {
        match event {
            AccountEvent::AccountCreated {
                account,
                name,
                role,
                clearance,
            } => {
                self.accounts.insert(
                    *account,
                    Account {
                        id: *account,
                        name: name.clone(),
                        role: *role,
                        clearance: *clearance,
                        disabled: false,
                        second_factor: false,
                    },
                );
            }
            AccountEvent::AccountRoleChanged { account, role } => {
                if let Some(found) = self.accounts.get_mut(account) {
                    found.role = *role;
                }
            }
            AccountEvent::AccountClearanceChanged { account, clearance } => {
                if let Some(found) = self.accounts.get_mut(account) {
                    found.clearance = *clearance;
                }
            }
            AccountEvent::AccountDisabled { account }
            | AccountEvent::AccountEnabled { account } => {
                if let Some(found) = self.accounts.get_mut(account) {
                    found.disabled = matches!(event, AccountEvent::AccountDisabled { .. });
                }
            }
            AccountEvent::PasswordSet { .. } => {}
            AccountEvent::TokenCreated {
                token,
                account,
                name,
                expires_at,
            } => {
                self.tokens.insert(
                    *token,
                    Token {
                        id: *token,
                        account: *account,
                        name: name.clone(),
                        expires_at: *expires_at,
                        revoked: false,
                    },
                );
            }
            AccountEvent::TokenRevoked { token } => {
                if let Some(found) = self.tokens.get_mut(token) {
                    found.revoked = true;
                }
            }
            AccountEvent::SecondFactorEnrolled { account }
            | AccountEvent::SecondFactorRemoved { account } => {
                if let Some(found) = self.accounts.get_mut(account) {
                    found.second_factor =
                        matches!(event, AccountEvent::SecondFactorEnrolled { .. });
                }
            }
            AccountEvent::SecondFactorPolicySet { required_for } => {
                self.second_factor_required = required_for.clone();
            }
        }
    }

    /// Whether an account of this role must sign in with a second factor.
    pub fn second_factor_required(&self, role: Role) -> bool {
        self.second_factor_required.contains(&role)
    }

    /// Every account, by id.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    /// Every token, by id.
    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.tokens.values()
    }

    /// The account with this id.
    pub fn account(&self, id: Uuid) -> Option<&Account> {
        self.accounts.get(&id)
    }

    /// The account with this name.
    pub fn by_name(&self, name: &str) -> Option<&Account> {
        self.accounts.values().find(|account| account.name == name)
    }

    /// The token with this id.
    pub fn token(&self, id: Uuid) -> Option<&Token> {
        self.tokens.get(&id)
    }

    fn named(&self, name: &str) -> Result<&Account, AccountError> {
        self.by_name(name)
            .ok_or_else(|| AccountError::UnknownAccount(name.to_owned()))
    }

    fn other_admins(&self, except: Uuid) -> bool {
        self.accounts
            .values()
            .any(|a| a.id != except && a.role == Role::Admin && !a.disabled)
    }

    /// The events a command records, if the rules allow it. `new_id` is the
    /// id a new account gets.
    pub fn decide(
        &self,
        command: &AccountCommand,
        new_id: Uuid,
    ) -> Result<Vec<AccountEvent>, AccountError> {
        Ok(match command {
            AccountCommand::Create {
                name,
                role,
                clearance,
            } => {
                if !valid_name(name) {
                    return Err(AccountError::BadName(name.clone()));
                }
                if self.by_name(name).is_some() {
                    return Err(AccountError::NameTaken(name.clone()));
                }
                vec![AccountEvent::AccountCreated {
                    account: new_id,
                    name: name.clone(),
                    role: *role,
                    clearance: *clearance,
                }]
            }
            AccountCommand::SetRole { name, role } => {
                let account = self.named(name)?;
                if account.role == *role {
                    return Ok(Vec::new());
                }
                if account.role == Role::Admin && !self.other_admins(account.id) {
                    return Err(AccountError::LastAdmin(name.clone()));
                }
                vec![AccountEvent::AccountRoleChanged {
                    account: account.id,
                    role: *role,
                }]
            }
            AccountCommand::SetClearance { name, clearance } => {
                let account = self.named(name)?;
                if account.clearance == *clearance {
                    return Ok(Vec::new());
                }
                vec![AccountEvent::AccountClearanceChanged {
                    account: account.id,
                    clearance: *clearance,
                }]
            }
            AccountCommand::SetDisabled { name, disabled } => {
                let account = self.named(name)?;
                if account.disabled == *disabled {
                    return Ok(Vec::new());
                }
                if *disabled {
                    if account.role == Role::Admin && !self.other_admins(account.id) {
                        return Err(AccountError::LastAdmin(name.clone()));
                    }
                    vec![AccountEvent::AccountDisabled {
                        account: account.id,
                    }]
                } else {
                    vec![AccountEvent::AccountEnabled {
                        account: account.id,
                    }]
                }
            }
            AccountCommand::SetPassword { name } => vec![AccountEvent::PasswordSet {
                account: self.named(name)?.id,
            }],
            AccountCommand::CreateToken {
                name,
                label,
                expires_at,
                token,
            } => vec![AccountEvent::TokenCreated {
                token: *token,
                account: self.named(name)?.id,
                name: label.clone(),
                expires_at: *expires_at,
            }],
            AccountCommand::EnrolSecondFactor { name } => {
                vec![AccountEvent::SecondFactorEnrolled {
                    account: self.named(name)?.id,
                }]
            }
            AccountCommand::RemoveSecondFactor { name } => {
                let account = self.named(name)?;
                if !account.second_factor {
                    return Ok(Vec::new());
                }
                vec![AccountEvent::SecondFactorRemoved {
                    account: account.id,
                }]
            }
            AccountCommand::RequireSecondFactor { roles } => {
                let mut roles = roles.clone();
                roles.sort();
                roles.dedup();
                if roles == self.second_factor_required {
                    return Ok(Vec::new());
                }
                vec![AccountEvent::SecondFactorPolicySet {
                    required_for: roles,
                }]
            }
            AccountCommand::RevokeToken { token } => {
                let found = self
                    .tokens
                    .get(token)
                    .ok_or(AccountError::UnknownToken(*token))?;
                if found.revoked {
                    return Ok(Vec::new());
                }
                vec![AccountEvent::TokenRevoked { token: *token }]
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(commands: &[AccountCommand]) -> Result<AccountBook, AccountError> {
        let mut book = AccountBook::default();
        for (idx, command) in commands.iter().enumerate() {
            for event in book.decide(command, Uuid::from_u128(idx as u128 + 1))? {
                book.apply(&event);
            }
        }
        Ok(book)
    }

    fn create(name: &str, role: Role) -> AccountCommand {
        AccountCommand::Create {
            name: name.into(),
            role,
            clearance: false,
        }
    }

    #[test]
    fn account_rules() {
        // (commands, expected error of the last one)
        let cases: Vec<(Vec<AccountCommand>, Option<AccountError>)> = vec![
            (vec![create("ana", Role::Admin)], None),
            (
                vec![create("ana", Role::Admin), create("ana", Role::Viewer)],
                Some(AccountError::NameTaken("ana".into())),
            ),
            (
                vec![create("a b", Role::Viewer)],
                Some(AccountError::BadName("a b".into())),
            ),
            (
                vec![create("../x", Role::Viewer)],
                Some(AccountError::BadName("../x".into())),
            ),
            (
                vec![
                    create("ana", Role::Admin),
                    AccountCommand::SetRole {
                        name: "ana".into(),
                        role: Role::Viewer,
                    },
                ],
                Some(AccountError::LastAdmin("ana".into())),
            ),
            (
                vec![
                    create("ana", Role::Admin),
                    AccountCommand::SetDisabled {
                        name: "ana".into(),
                        disabled: true,
                    },
                ],
                Some(AccountError::LastAdmin("ana".into())),
            ),
            (
                vec![
                    create("ana", Role::Admin),
                    create("bo", Role::Admin),
                    AccountCommand::SetDisabled {
                        name: "ana".into(),
                        disabled: true,
                    },
                ],
                None,
            ),
            (
                vec![AccountCommand::SetRole {
                    name: "nobody".into(),
                    role: Role::Viewer,
                }],
                Some(AccountError::UnknownAccount("nobody".into())),
            ),
        ];
        for (commands, expected) in cases {
            assert_eq!(book(&commands).err(), expected, "{commands:?}");
        }
    }
}
