//! Opening a database: recognising a store, creating the schema (version 1, then
//! each migration), migrating an older one, refusing a newer one.
//!
//! Creation and migration run in one transaction under a transaction-scoped advisory
//! lock, so two processes opening a new database at once take turns: the second finds
//! the schema the first committed. PostgreSQL's DDL is transactional, so a creation
//! interrupted anywhere leaves nothing behind.

use habeas_store::{GENESIS_HASH, StoreError};
use uuid::Uuid;

use crate::error::from_postgres;
use crate::pool::Connection;
use crate::sql;

/// What opening found in the database.
pub(crate) enum Found {
    /// A store of a format this build reads, with its identity.
    Store(Uuid),
    /// No store, and `create` was not asked for.
    Missing,
}

/// Recognises, creates (when `create`) or refuses the store in the connected database.
pub(crate) async fn prepare(
    connection: &mut Connection,
    store: &str,
    create: bool,
) -> Result<Found, StoreError> {
    let error = |error| from_postgres(store, error);
    let transaction = connection.client.transaction().await.map_err(error)?;
    transaction
        .batch_execute(sql::MIGRATION_LOCK)
        .await
        .map_err(error)?;
    let row = transaction
        .query_one(sql::SCHEMA_EXISTS, &[])
        .await
        .map_err(error)?;
    let (schema_exists, store_exists): (bool, bool) = (row.get(0), row.get(1));
    if !store_exists {
        if schema_exists {
            return Err(StoreError::NotAHabeasStore {
                store: store.to_owned(),
                reason: "the database has a schema named habeas that holds no habeas.store \
                         table; drop or rename that schema, or use another database"
                    .to_owned(),
            });
        }
        if !create {
            return Ok(Found::Missing);
        }
        let store_id = Uuid::now_v7();
        transaction
            .batch_execute(sql::CREATE_V1)
            .await
            .map_err(error)?;
        transaction
            .execute(sql::INSERT_STORE, &[&store_id])
            .await
            .map_err(error)?;
        transaction
            .execute(sql::INSERT_LOG_HEAD, &[&GENESIS_HASH])
            .await
            .map_err(error)?;
        transaction
            .batch_execute(sql::MIGRATE_V2)
            .await
            .map_err(error)?;
        transaction.commit().await.map_err(error)?;
        return Ok(Found::Store(store_id));
    }
    let row = transaction
        .query_opt(sql::STORE_ROW, &[])
        .await
        .map_err(error)?
        .ok_or_else(|| StoreError::Damaged {
            store: store.to_owned(),
            reason: "the habeas.store table has no row (it names the schema version)".to_owned(),
        })?;
    let (format, store_id): (i32, String) = (row.get(0), row.get(1));
    if format > sql::SCHEMA_VERSION {
        return Err(StoreError::NewerFormat {
            store: store.to_owned(),
            found: u32::try_from(format).unwrap_or(u32::MAX),
            supported: sql::SCHEMA_VERSION as u32,
        });
    }
    // Each later version's steps, in this transaction (each updates the row).
    if format < 2 {
        transaction
            .batch_execute(sql::MIGRATE_V2)
            .await
            .map_err(error)?;
    }
    transaction.commit().await.map_err(error)?;
    let store_id = store_id.parse().map_err(|_| StoreError::Damaged {
        store: store.to_owned(),
        reason: format!("habeas.store holds the store id {store_id:?}, which is not a uuid"),
    })?;
    Ok(Found::Store(store_id))
}
