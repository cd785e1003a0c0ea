//! Private values kept beside the log in `habeas.secrets`: what a server's
//! accounts need and must never publish (password hashes, token hashes, TOTP
//! secrets, the key signing session cookies). They live in the database so that
//! every process sharing the store (several servers, the CLI adding a user) sees
//! the same ones; they are not events, so no export, restore or verify touches
//! them. The store gives rows of text and no meaning: the server decides what
//! a kind and a key are.

use habeas_store::StoreError;

use crate::error::from_postgres;
use crate::sql;
use crate::store::PostgresStore;

/// One secret: a kind (e.g. `password`), a key within it (e.g. an account id)
/// and its value.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretRow {
    /// What sort of secret.
    pub kind: String,
    /// Whose, within the kind.
    pub key: String,
    /// The value.
    pub value: String,
}

impl std::fmt::Debug for SecretRow {
    /// Never shows the value, so a secret cannot reach a log through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretRow")
            .field("kind", &self.kind)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// A change to the secrets, applied whole or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretChange {
    /// Rows to set (inserted or replaced).
    pub put: Vec<SecretRow>,
    /// `(kind, key)` of rows to remove.
    pub remove: Vec<(String, String)>,
}

impl PostgresStore {
    /// Every secret.
    pub async fn read_secrets(&self) -> Result<Vec<SecretRow>, StoreError> {
        let shared = self.shared();
        self.run(async move {
            let mut connection = shared.pool.get().await?;
            let statement = connection
                .statement(sql::READ_SECRETS, &shared.store)
                .await?;
            let rows = connection
                .client
                .query(&statement, &[])
                .await
                .map_err(|error| from_postgres(&shared.store, error))?;
            Ok(rows
                .into_iter()
                .map(|row| SecretRow {
                    kind: row.get(0),
                    key: row.get(1),
                    value: row.get(2),
                })
                .collect())
        })
        .await
    }

    /// Applies `change` in one transaction: after a crash, all of it or none.
    pub async fn change_secrets(&self, change: SecretChange) -> Result<(), StoreError> {
        let shared = self.shared();
        self.run(async move {
            let error = |error| from_postgres(&shared.store, error);
            let mut connection = shared.pool.get().await?;
            let upsert = connection
                .statement(sql::UPSERT_SECRET, &shared.store)
                .await?;
            let delete = connection
                .statement(sql::DELETE_SECRET, &shared.store)
                .await?;
            let transaction = connection.client.transaction().await.map_err(error)?;
            for row in &change.put {
                transaction
                    .execute(&upsert, &[&row.kind, &row.key, &row.value])
                    .await
                    .map_err(error)?;
            }
            for (kind, key) in &change.remove {
                transaction
                    .execute(&delete, &[kind, key])
                    .await
                    .map_err(error)?;
            }
            transaction.commit().await.map_err(error)
        })
        .await
    }

    /// The secret `(row.kind, row.key)`, set to `row.value` first if it is not
    /// set: of processes racing to make one (the session key), the first wins
    /// and all get its value.
    pub async fn secret_or_insert(&self, row: SecretRow) -> Result<String, StoreError> {
        let shared = self.shared();
        self.run(async move {
            let error = |error| from_postgres(&shared.store, error);
            let mut connection = shared.pool.get().await?;
            let insert = connection
                .statement(sql::INSERT_SECRET_IF_ABSENT, &shared.store)
                .await?;
            let read = connection
                .statement(sql::READ_SECRET, &shared.store)
                .await?;
            connection
                .client
                .execute(&insert, &[&row.kind, &row.key, &row.value])
                .await
                .map_err(error)?;
            let found = connection
                .client
                .query_one(&read, &[&row.kind, &row.key])
                .await
                .map_err(error)?;
            Ok(found.get(0))
        })
        .await
    }

    /// Raises the counter `(kind, key)` to `value`: true when it was absent
    /// or below `value` (this caller moved it), false when it already held
    /// `value` or more (another caller, perhaps another server, got there
    /// first). Atomic across every process sharing the database: a one-time
    /// code accepted here is refused everywhere else.
    pub async fn raise_counter(
        &self,
        kind: &str,
        key: &str,
        value: u64,
    ) -> Result<bool, StoreError> {
        let shared = self.shared();
        let (kind, key, value) = (kind.to_owned(), key.to_owned(), value.to_string());
        self.run(async move {
            let mut connection = shared.pool.get().await?;
            let raise = connection
                .statement(sql::RAISE_SECRET_COUNTER, &shared.store)
                .await?;
            let changed = connection
                .client
                .execute(&raise, &[&kind, &key, &value])
                .await
                .map_err(|error| from_postgres(&shared.store, error))?;
            Ok(changed == 1)
        })
        .await
    }
}
