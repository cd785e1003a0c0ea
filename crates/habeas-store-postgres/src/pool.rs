//! A small pool of connections for readers, and the statement cache of one connection.
//!
//! Readers take a connection, run one or a few statements and give it back; a
//! connection that broke is dropped instead of returned, and the next reader opens a
//! new one. Statements are prepared once per connection (tokio-postgres would
//! otherwise prepare every query again: one round trip more per read).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use habeas_store::StoreError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::{Client, Config, NoTls, Statement};

use crate::error::from_postgres;
use crate::tls::Tls;

/// One connection and the statements prepared on it.
pub(crate) struct Connection {
    pub(crate) client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl Connection {
    /// Connects; the connection's I/O runs as a task of the current runtime.
    pub(crate) async fn open(
        config: &Config,
        tls: &Tls,
        store: &str,
    ) -> Result<Connection, StoreError> {
        let error = |error| from_postgres(store, error);
        let client = match tls {
            Tls::Off => {
                let (client, connection) = config.connect(NoTls).await.map_err(error)?;
                tokio::spawn(connection);
                client
            }
            Tls::Rustls(make) => {
                let (client, connection) = config.connect(make.clone()).await.map_err(error)?;
                tokio::spawn(connection);
                client
            }
        };
        Ok(Connection {
            client,
            statements: HashMap::new(),
        })
    }

    /// `sql`, prepared on this connection the first time it is asked for.
    pub(crate) async fn statement(
        &mut self,
        sql: &'static str,
        store: &str,
    ) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .client
            .prepare(sql)
            .await
            .map_err(|error| from_postgres(store, error))?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    /// Whether the connection is gone (the server closed it, the network failed).
    pub(crate) fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}

/// At most `size` connections, opened on demand and kept while they work.
pub(crate) struct Pool {
    config: Config,
    tls: Tls,
    store: String,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl Pool {
    pub(crate) fn new(config: Config, tls: Tls, store: String, size: usize) -> Pool {
        Pool {
            config,
            tls,
            store,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(size.max(1))),
        }
    }

    /// A connection, waiting while `size` are in use.
    pub(crate) async fn get(self: &Arc<Pool>) -> Result<Pooled, StoreError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)?;
        let reused = loop {
            let candidate = self.idle().pop();
            match candidate {
                Some(connection) if connection.is_closed() => continue,
                other => break other,
            }
        };
        let connection = match reused {
            Some(connection) => connection,
            None => Connection::open(&self.config, &self.tls, &self.store).await?,
        };
        Ok(Pooled {
            connection: Some(connection),
            pool: Arc::clone(self),
            _permit: permit,
        })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // Nothing panics while the lock is held.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A connection on loan from the pool; back to it on drop unless it broke.
pub(crate) struct Pooled {
    connection: Option<Connection>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl std::ops::Deref for Pooled {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.connection
            .as_ref()
            .expect("a pooled connection is present until dropped")
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Connection {
        self.connection
            .as_mut()
            .expect("a pooled connection is present until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take()
            && !connection.is_closed()
        {
            self.pool.idle().push(connection);
        }
    }
}
