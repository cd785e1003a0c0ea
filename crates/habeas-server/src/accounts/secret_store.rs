//! Where the accounts' [`Secrets`] are kept: the secrets file in a data
//! directory (sled: one process holds the store, so one process holds the
//! file), or the `habeas.secrets` table of a PostgreSQL store (several servers
//! and the CLI share the database, so they must share the secrets too, and a
//! file on one machine would not be seen by the others). Never in the log:
//! neither form is an event, so no export or restore carries a secret.

use std::path::PathBuf;

use habeas::open::Location;
use habeas::tracker::Tracker;
use habeas_store_postgres::{PostgresStore, SecretChange, SecretRow};
use uuid::Uuid;

use super::secrets::{SECRETS_FILE, Secrets, SecretsError, random_hex};

/// A row kind of the database form, per map of [`Secrets`].
const SESSION: &str = "session_key";
const PASSWORD: &str = "password";
const TOKEN: &str = "token";
const TOTP: &str = "totp";
/// The last TOTP step used per account: not one of the maps of [`Secrets`]
/// (never read whole, never written by [`SecretStore::save`]), only moved
/// forward by [`SecretStore::claim_totp_step`].
const TOTP_STEP: &str = "totp_step";

/// Where the secrets are kept.
#[derive(Clone)]
pub enum SecretStore {
    /// `secrets.json` in this data directory.
    File(PathBuf),
    /// The secrets table of this database.
    Database(PostgresStore),
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretStore::File(dir) => write!(f, "SecretStore::File({})", dir.display()),
            SecretStore::Database(store) => {
                write!(f, "SecretStore::Database({})", store.location())
            }
        }
    }
}

impl SecretStore {
    /// Where the secrets of the store at `location`, opened as `tracker`, are kept.
    pub fn of(location: &Location, tracker: &Tracker) -> SecretStore {
        match (location.directory(), tracker.database()) {
            (_, Some(database)) => SecretStore::Database(database.clone()),
            (Some(dir), None) => SecretStore::File(dir.to_owned()),
            (None, None) => unreachable!("a store is a data directory or a database"),
        }
    }

    /// Whether other processes may change the secrets (and the accounts)
    /// while this one runs, so that it must catch up before trusting what it
    /// holds.
    pub fn shared(&self) -> bool {
        matches!(self, SecretStore::Database(_))
    }

    /// Reads the secrets; the first reader makes the session key (on a
    /// database, the first of racing servers wins and all get its key).
    pub async fn load(&self) -> Result<Secrets, SecretsError> {
        match self {
            SecretStore::File(dir) => {
                let secrets = Secrets::load(dir)?;
                if !dir.join(SECRETS_FILE).exists() {
                    secrets.save(dir)?;
                }
                Ok(secrets)
            }
            SecretStore::Database(database) => {
                let error = |source| SecretsError::Database {
                    store: database.location().to_owned(),
                    source,
                };
                let mut secrets = from_rows(database.read_secrets().await.map_err(error)?);
                if secrets.session_key.is_empty() {
                    secrets.session_key = database
                        .secret_or_insert(SecretRow {
                            kind: SESSION.into(),
                            key: String::new(),
                            value: random_hex(),
                        })
                        .await
                        .map_err(error)?;
                }
                Ok(secrets)
            }
        }
    }

    /// Stores `after`, which was `before`: the whole file, or in the database
    /// the rows that changed, in one transaction (so that two processes
    /// changing different accounts do not undo each other's change).
    pub async fn save(&self, before: &Secrets, after: &Secrets) -> Result<(), SecretsError> {
        match self {
            SecretStore::File(dir) => after.save(dir),
            SecretStore::Database(database) => database
                .change_secrets(difference(before, after))
                .await
                .map_err(|source| SecretsError::Database {
                    store: database.location().to_owned(),
                    source,
                }),
        }
    }
}

impl SecretStore {
    /// Claims TOTP step `step` for `account` on a database: true when no
    /// process sharing it has accepted this step or a later one for the
    /// account, and now none will. `None` for a data directory, whose one
    /// process keeps the step in its [`Secrets`] (and saves them).
    pub async fn claim_totp_step(
        &self,
        account: Uuid,
        step: u64,
    ) -> Option<Result<bool, SecretsError>> {
        let SecretStore::Database(database) = self else {
            return None;
        };
        Some(
            database
                .raise_counter(TOTP_STEP, &account.to_string(), step)
                .await
                .map_err(|source| SecretsError::Database {
                    store: database.location().to_owned(),
                    source,
                }),
        )
    }
}

/// The maps of [`Secrets`] by row kind.
fn maps(secrets: &Secrets) -> [(&'static str, &std::collections::BTreeMap<Uuid, String>); 3] {
    [
        (PASSWORD, &secrets.passwords),
        (TOKEN, &secrets.tokens),
        (TOTP, &secrets.totp),
    ]
}

/// The rows that turn `before` into `after`.
fn difference(before: &Secrets, after: &Secrets) -> SecretChange {
    let mut change = SecretChange::default();
    if before.session_key != after.session_key {
        change.put.push(SecretRow {
            kind: SESSION.into(),
            key: String::new(),
            value: after.session_key.clone(),
        });
    }
    for ((kind, old), (_, new)) in maps(before).into_iter().zip(maps(after)) {
        for (id, value) in new {
            if old.get(id) != Some(value) {
                change.put.push(SecretRow {
                    kind: kind.into(),
                    key: id.to_string(),
                    value: value.clone(),
                });
            }
        }
        for id in old.keys().filter(|id| !new.contains_key(id)) {
            change.remove.push((kind.into(), id.to_string()));
        }
    }
    change
}

/// The secrets the rows hold; a row of an unknown kind or with a key that is
/// not an id is left alone (a newer build may have written it).
fn from_rows(rows: Vec<SecretRow>) -> Secrets {
    let mut secrets = Secrets::default();
    for row in rows {
        if row.kind == SESSION {
            secrets.session_key = row.value;
            continue;
        }
        let Ok(id) = row.key.parse::<Uuid>() else {
            continue;
        };
        let map = match row.kind.as_str() {
            PASSWORD => &mut secrets.passwords,
            TOKEN => &mut secrets.tokens,
            TOTP => &mut secrets.totp,
            _ => continue,
        };
        map.insert(id, row.value);
    }
    secrets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(passwords: &[(u128, &str)], tokens: &[(u128, &str)]) -> Secrets {
        Secrets {
            session_key: "k".into(),
            passwords: passwords
                .iter()
                .map(|(id, v)| (Uuid::from_u128(*id), (*v).to_owned()))
                .collect(),
            tokens: tokens
                .iter()
                .map(|(id, v)| (Uuid::from_u128(*id), (*v).to_owned()))
                .collect(),
            totp: Default::default(),
            totp_steps: Default::default(),
        }
    }

    #[test]
    fn only_what_changed_is_written_and_rows_read_back_whole() {
        // (before, after, rows put, rows removed)
        let cases = [
            (secrets(&[], &[]), secrets(&[(1, "h")], &[]), 1, 0),
            (secrets(&[(1, "h")], &[]), secrets(&[(1, "h")], &[]), 0, 0),
            (secrets(&[(1, "h")], &[]), secrets(&[(1, "h2")], &[]), 1, 0),
            (
                secrets(&[(1, "h")], &[(2, "t")]),
                secrets(&[(1, "h")], &[]),
                0,
                1,
            ),
        ];
        for (before, after, put, removed) in cases {
            let change = difference(&before, &after);
            assert_eq!((change.put.len(), change.remove.len()), (put, removed));
        }
        let all = secrets(&[(1, "h")], &[(2, "t")]);
        let rows = difference(&Secrets::default(), &all).put;
        let read = from_rows(rows);
        assert_eq!(read.session_key, all.session_key);
        assert_eq!(read.passwords, all.passwords);
        assert_eq!(read.tokens, all.tokens);
    }
}
