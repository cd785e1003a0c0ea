//! `habeas user …` and `habeas token …`: the accounts of `habeas serve`,
//! managed on the store directly: on a data directory with the server
//! stopped (sled allows one process at a time), on PostgreSQL beside running
//! servers (they catch up before every check).

use std::io::BufRead;

use chrono::{Duration, Utc};
use clap::Subcommand;
use habeas::open::OpenOptions;
use habeas_server::accounts::Accounts;
use habeas_server::accounts::book::AccountCommand;
use habeas_server::accounts::role::Role;
use habeas_server::accounts::secret_store::SecretStore;
use habeas_server::accounts::secrets::password_problem;

use crate::args::Cli;
use crate::exit::Failure;

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Add an account (asks for its password, or reads it from stdin).
    #[command(
        after_help = "Examples:\n  habeas user add ana --role admin\n  printf '%s\\n' \"$PASSWORD\" | habeas user add bo --role documenter --clearance --password-stdin"
    )]
    Add {
        /// The sign-in name (letters, digits, '.', '-', '_').
        name: String,
        /// viewer, documenter, editor or admin.
        #[arg(long)]
        role: Role,
        /// Let a documenter (or viewer) read restricted facts.
        #[arg(long)]
        clearance: bool,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List,
    /// Disable an account: it can no longer sign in, its tokens stop working.
    Disable {
        /// The account.
        name: String,
    },
    /// Enable a disabled account.
    Enable {
        /// The account.
        name: String,
    },
    /// Change an account's role.
    Role {
        /// The account.
        name: String,
        /// viewer, documenter, editor or admin.
        role: Role,
    },
    /// Set a new password (asks for it, or reads it from stdin).
    Password {
        /// The account.
        name: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set up a TOTP second factor (prints the secret and the otpauth:// URI
    /// to scan, once), or remove it with --remove (a lost phone).
    Totp {
        /// The account.
        name: String,
        /// Remove the second factor instead.
        #[arg(long)]
        remove: bool,
    },
    /// Require a second factor of these roles at sign-in (e.g. admin,editor;
    /// "none" for no role). Bearer tokens are not affected.
    RequireTotp {
        /// Comma-separated roles, or "none".
        roles: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Issue a bearer token for a script; it is printed once.
    Create {
        /// What it is for, e.g. "nightly import".
        name: String,
        /// The account it acts as.
        #[arg(long)]
        user: String,
        /// Days until it expires.
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List the tokens (without their secrets).
    List,
    /// Revoke a token.
    Revoke {
        /// Its id (from `habeas token list`).
        id: uuid::Uuid,
    },
}

async fn accounts(cli: &Cli, create: bool) -> anyhow::Result<Accounts> {
    let location = crate::serve::location(cli)?;
    let tracker = {
        let moved = location.clone();
        tokio::task::spawn_blocking(move || {
            habeas::open::open(
                &moved,
                OpenOptions {
                    create,
                    stored_form: false,
                    command: Some("habeas user".to_owned()),
                },
            )
        })
        .await?
        .map_err(|err| crate::run::unless_held_by_server(&location, err))?
    };
    let keeper = SecretStore::of(&location, &tracker);
    Ok(Accounts::load(tracker, keeper).await?)
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("password: ")?;
        let again = rpassword::prompt_password("again: ")?;
        if first != again {
            return Err(Failure::usage("the two passwords differ: try again").into());
        }
        first
    };
    if let Some(problem) = password_problem(&password) {
        return Err(Failure::usage(format!("the password {problem}")).into());
    }
    Ok(password)
}

pub(crate) async fn user(cli: &Cli, command: &UserCommand) -> anyhow::Result<()> {
    let by = crate::run::recorded_by(cli);
    let refused = |err: habeas_server::accounts::AccountsError| -> anyhow::Error {
        match err {
            habeas_server::accounts::AccountsError::Refused(refusal) => {
                Failure::rejected(refusal.to_string()).into()
            }
            habeas_server::accounts::AccountsError::Store(store) => {
                habeas::error::TrackerError::Store(store).into()
            }
            other => other.into(),
        }
    };
    match command {
        UserCommand::Add {
            name,
            role,
            clearance,
            password_stdin,
        } => {
            let password = read_password(*password_stdin)?;
            let accounts = accounts(cli, true).await?;
            let account = accounts
                .create(name, *role, *clearance, &password, &by)
                .await
                .map_err(refused)?;
            println!(
                "added {} ({}{})",
                account.name,
                account.role,
                if account.clearance {
                    ", cleared for restricted facts"
                } else {
                    ""
                }
            );
        }
        UserCommand::List => {
            let accounts = accounts(cli, false).await?;
            for account in accounts.book().accounts() {
                println!(
                    "{}\t{}{}{}{}",
                    account.name,
                    account.role,
                    if account.clearance { "\tcleared" } else { "" },
                    if account.second_factor { "\ttotp" } else { "" },
                    if account.disabled { "\tdisabled" } else { "" }
                );
            }
        }
        UserCommand::Disable { name } | UserCommand::Enable { name } => {
            let disabled = matches!(command, UserCommand::Disable { .. });
            let accounts = accounts(cli, false).await?;
            accounts
                .execute(
                    AccountCommand::SetDisabled {
                        name: name.clone(),
                        disabled,
                    },
                    &by,
                    |_, _| {},
                )
                .await
                .map_err(refused)?;
            println!("{name} {}", if disabled { "disabled" } else { "enabled" });
        }
        UserCommand::Role { name, role } => {
            let accounts = accounts(cli, false).await?;
            accounts
                .execute(
                    AccountCommand::SetRole {
                        name: name.clone(),
                        role: *role,
                    },
                    &by,
                    |_, _| {},
                )
                .await
                .map_err(refused)?;
            println!("{name} is now {role}");
        }
        UserCommand::Password {
            name,
            password_stdin,
        } => {
            let password = read_password(*password_stdin)?;
            let accounts = accounts(cli, false).await?;
            accounts
                .set_password(name, &password, &by)
                .await
                .map_err(refused)?;
            println!("{name} has a new password");
        }
        UserCommand::Totp { name, remove: true } => {
            let accounts = accounts(cli, false).await?;
            accounts
                .execute(
                    AccountCommand::RemoveSecondFactor { name: name.clone() },
                    &by,
                    |secrets, events| {
                        if let Some(
                            habeas_server::accounts::events::AccountEvent::SecondFactorRemoved {
                                account,
                            },
                        ) = events.first()
                        {
                            secrets.totp.remove(account);
                        }
                    },
                )
                .await
                .map_err(refused)?;
            println!("{name} signs in with a password alone");
        }
        UserCommand::Totp {
            name,
            remove: false,
        } => {
            let accounts = accounts(cli, false).await?;
            let (secret, uri) = accounts
                .enrol_second_factor(name, &by)
                .await
                .map_err(refused)?;
            eprintln!("add this to {name}'s authenticator app (shown once): secret {secret}");
            println!("{uri}");
        }
        UserCommand::RequireTotp { roles } => {
            let roles: Vec<Role> = if roles.trim() == "none" {
                Vec::new()
            } else {
                roles
                    .split(',')
                    .map(|role| {
                        role.parse::<Role>()
                            .map_err(|err| Failure::usage(err.to_string()))
                    })
                    .collect::<Result<_, _>>()?
            };
            let accounts = accounts(cli, false).await?;
            accounts
                .execute(
                    AccountCommand::RequireSecondFactor {
                        roles: roles.clone(),
                    },
                    &by,
                    |_, _| {},
                )
                .await
                .map_err(refused)?;
            println!(
                "a second factor is required of: {}",
                if roles.is_empty() {
                    "no role".to_owned()
                } else {
                    roles
                        .iter()
                        .map(|role| role.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
        }
    }
    Ok(())
}

pub(crate) async fn token(cli: &Cli, command: &TokenCommand) -> anyhow::Result<()> {
    let by = crate::run::recorded_by(cli);
    let accounts = accounts(cli, false).await?;
    match command {
        TokenCommand::Create { name, user, days } => {
            if !(1..=366).contains(days) {
                return Err(Failure::usage("--days must be 1 to 366").into());
            }
            let (token, secret) = accounts
                .create_token(user, name, Utc::now() + Duration::days(*days), &by)
                .await
                .map_err(|err| Failure::rejected(err.to_string()))?;
            eprintln!(
                "token {} for {user}, expires {}; it is shown once:",
                token.id,
                token.expires_at.format("%Y-%m-%d")
            );
            println!("{secret}");
        }
        TokenCommand::List => {
            let book = accounts.book();
            for token in book.tokens() {
                let user = book
                    .account(token.account)
                    .map_or("?", |account| account.name.as_str());
                println!(
                    "{}\t{user}\t{}\texpires {}{}",
                    token.id,
                    token.name,
                    token.expires_at.format("%Y-%m-%d"),
                    if token.revoked { "\trevoked" } else { "" }
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let token = *id;
            accounts
                .execute(AccountCommand::RevokeToken { token }, &by, |secrets, _| {
                    secrets.tokens.remove(&token);
                })
                .await
                .map_err(|err| Failure::rejected(err.to_string()))?;
            println!("revoked {token}");
        }
    }
    Ok(())
}
