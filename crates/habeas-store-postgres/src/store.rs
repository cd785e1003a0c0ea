//! `PostgresStore` and its configuration.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use habeas_store::plan::AppendRequest;
use habeas_store::verify::VerifyReport;
use habeas_store::{
    AppendMeta, AppendOutcome, Envelope, EventStore, ExpectedVersion, NewEvent, StoreError,
    StoredEnvelope, StreamId, Subscription, Upcaster, upcast_envelope,
};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_postgres::Config;
use uuid::Uuid;

use crate::error::{from_postgres, without_password};
use crate::open::{Found, prepare};
use crate::pool::{Connection, Pool};
use crate::sql;
use crate::tls::Tls;
use crate::writer::{Request, RestoreRequest, WriteRequest, Writer, from_sql, raise, to_sql};

/// The newest schema version this build reads and the one it writes.
pub const POSTGRES_SCHEMA_VERSION: u32 = sql::SCHEMA_VERSION as u32;

/// Settings for [`PostgresStore::open`].
#[derive(Clone)]
pub struct PostgresConfig {
    /// Turns stored payloads of old schema versions into current ones on every read.
    pub upcaster: Option<Arc<dyn Upcaster>>,
    /// Create the schema when the database holds no store yet.
    pub create: bool,
    /// The most connections readers use at once (the writer and the listener have
    /// one each besides).
    pub max_read_connections: usize,
    /// The most appends committed together in one transaction.
    pub max_appends_per_group: usize,
    /// How often subscribers look at the head when no notification came: covers a
    /// lost `NOTIFY` (a dropped listening connection) and engines without one.
    pub poll_interval: Duration,
}

impl Default for PostgresConfig {
    fn default() -> PostgresConfig {
        PostgresConfig {
            upcaster: None,
            create: true,
            max_read_connections: 8,
            max_appends_per_group: 1024,
            poll_interval: Duration::from_millis(500),
        }
    }
}

impl std::fmt::Debug for PostgresConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresConfig")
            .field("upcaster", &self.upcaster.as_ref().map(|_| "dyn Upcaster"))
            .field("create", &self.create)
            .field("max_read_connections", &self.max_read_connections)
            .field("max_appends_per_group", &self.max_appends_per_group)
            .field("poll_interval", &self.poll_interval)
            .finish()
    }
}

/// An event store in a PostgreSQL database, shared by any number of processes.
///
/// Cloning gives another handle to the same open store. The store runs its
/// connections on a small runtime of its own, so it can be called from any runtime
/// (or from a blocking thread through [`PostgresStore::open`]); it closes when the
/// last handle (including those held by subscriptions) is dropped.
#[derive(Clone)]
pub struct PostgresStore {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    requests: mpsc::UnboundedSender<Request>,
    /// Runs the connections, the writer and the listener. Taken on drop and shut down
    /// without waiting (dropping a runtime inside another one's task would panic),
    /// which ends every task of the store.
    runtime: Option<Runtime>,
}

/// What the tasks of the store's runtime share.
pub(crate) struct Shared {
    pub(crate) store: String,
    pub(crate) config: Config,
    pub(crate) tls: Tls,
    pub(crate) pool: Arc<Pool>,
    pub(crate) head: watch::Sender<u64>,
    pub(crate) upcaster: Option<Arc<dyn Upcaster>>,
    pub(crate) store_id: Uuid,
    pub(crate) poll_interval: Duration,
    /// Started by the first subscription; stopped with the store's runtime.
    pub(crate) listener: OnceLock<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl PostgresStore {
    /// Opens the store in the database at `url` (`postgres://user[:password]@host[:port]/db`
    /// or the key-value form), creating its schema when the database holds none and
    /// `config.create` is set. `Ok(None)`: no store there and `create` was not set.
    ///
    /// Refuses a database whose `habeas` schema holds something else
    /// ([`StoreError::NotAHabeasStore`]) or a store of a newer schema version
    /// ([`StoreError::NewerFormat`]); a server that cannot be reached gives
    /// [`StoreError::Unavailable`]. Blocking: it waits for the server, so from async
    /// code use [`PostgresStore::open_async`].
    pub fn open(url: &str, config: PostgresConfig) -> Result<Option<PostgresStore>, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("habeas-postgres")
            .enable_all()
            .build()
            .map_err(|source| StoreError::Unavailable {
                store: without_password(url),
                reason: format!("cannot start the database client's runtime: {source}"),
            })?;
        let (sender, receiver) = std::sync::mpsc::channel();
        let url_owned = url.to_owned();
        let config_owned = config.clone();
        runtime.spawn(async move {
            let _ = sender.send(connect(&url_owned, &config_owned).await);
        });
        let connected = receiver.recv().map_err(|_| StoreError::Closed)?;
        PostgresStore::finish_open(runtime, connected, config)
    }

    /// [`PostgresStore::open`] from async code.
    pub async fn open_async(
        url: &str,
        config: PostgresConfig,
    ) -> Result<Option<PostgresStore>, StoreError> {
        let url = url.to_owned();
        tokio::task::spawn_blocking(move || PostgresStore::open(&url, config))
            .await
            .map_err(|_| StoreError::Closed)?
    }

    fn finish_open(
        runtime: Runtime,
        connected: Result<Option<Connected>, StoreError>,
        config: PostgresConfig,
    ) -> Result<Option<PostgresStore>, StoreError> {
        let connected = match connected {
            Ok(Some(connected)) => connected,
            Ok(None) => {
                runtime.shutdown_background();
                return Ok(None);
            }
            Err(error) => {
                runtime.shutdown_background();
                return Err(error);
            }
        };
        let Connected {
            store,
            pg_config,
            tls,
            connection,
            store_id,
            head,
        } = connected;
        let head = watch::Sender::new(head);
        let shared = Arc::new(Shared {
            pool: Arc::new(Pool::new(
                pg_config.clone(),
                tls.clone(),
                store.clone(),
                config.max_read_connections,
            )),
            store: store.clone(),
            config: pg_config.clone(),
            tls: tls.clone(),
            head: head.clone(),
            upcaster: config.upcaster,
            store_id,
            poll_interval: config.poll_interval,
            listener: OnceLock::new(),
        });
        let (requests, receiver) = mpsc::unbounded_channel();
        let writer = Writer {
            config: pg_config,
            tls,
            store,
            connection: Some(connection),
            head,
            max_group: config.max_appends_per_group.max(1),
        };
        runtime.spawn(writer.run(receiver));
        Ok(Some(PostgresStore {
            inner: Arc::new(Inner {
                shared,
                requests,
                runtime: Some(runtime),
            }),
        }))
    }

    /// The random identity the store was given when it was created: two databases
    /// holding the same log (a restored copy) have different ones.
    pub fn store_id(&self) -> Uuid {
        self.inner.shared.store_id
    }

    /// Where the store is, as errors name it (the URL without its password).
    pub fn location(&self) -> &str {
        &self.inner.shared.store
    }

    /// Runs `task` on the store's runtime and waits for it.
    pub(crate) async fn run<T, F>(&self, task: F) -> Result<T, StoreError>
    where
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
        T: Send + 'static,
    {
        let handle = match &self.inner.runtime {
            Some(runtime) => runtime.handle().clone(),
            None => return Err(StoreError::Closed),
        };
        handle.spawn(task).await.map_err(|_| StoreError::Closed)?
    }

    pub(crate) fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.inner.shared)
    }

    fn upcast(&self, envelope: Envelope) -> Result<Envelope, StoreError> {
        upcast_envelope(self.inner.shared.upcaster.as_deref(), envelope)
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("store", &self.inner.shared.store)
            .field("head", &*self.inner.shared.head.borrow())
            .finish_non_exhaustive()
    }
}

/// What connecting found: the writer's connection and the store's state.
struct Connected {
    store: String,
    pg_config: Config,
    tls: Tls,
    connection: Connection,
    store_id: Uuid,
    head: u64,
}

async fn connect(url: &str, config: &PostgresConfig) -> Result<Option<Connected>, StoreError> {
    let store = without_password(url);
    let (url, root_cert) = crate::tls::take_root_cert(url);
    let pg_config: Config = url.parse().map_err(|error| StoreError::Unavailable {
        store: store.clone(),
        reason: format!(
            "the URL is not a PostgreSQL connection string ({error}); write \
             postgres://user[:password]@host[:port]/database"
        ),
    })?;
    let tls = crate::tls::choose(&pg_config, root_cert.as_deref(), &store)?;
    let mut connection = Connection::open(&pg_config, &tls, &store).await?;
    let store_id = match prepare(&mut connection, &store, config.create).await? {
        Found::Store(store_id) => store_id,
        Found::Missing => return Ok(None),
    };
    let head = read_head(&mut connection, &store).await?;
    Ok(Some(Connected {
        store,
        pg_config,
        tls,
        connection,
        store_id,
        head,
    }))
}

/// The committed head, as stored.
pub(crate) async fn read_head(connection: &mut Connection, store: &str) -> Result<u64, StoreError> {
    let statement = connection.statement(sql::READ_HEAD, store).await?;
    let row = connection
        .client
        .query_opt(&statement, &[])
        .await
        .map_err(|error| from_postgres(store, error))?
        .ok_or_else(|| StoreError::Damaged {
            store: store.to_owned(),
            reason: "the habeas.log_head table has no row (it holds the last position)".to_owned(),
        })?;
    Ok(from_sql(row.get(0)))
}

/// Rows of `(position, envelope)` as stored envelopes.
fn stored(rows: Vec<tokio_postgres::Row>) -> Vec<StoredEnvelope> {
    rows.into_iter()
        .map(|row| StoredEnvelope {
            position: from_sql(row.get(0)),
            json: row.get::<_, Vec<u8>>(1).into(),
        })
        .collect()
}

impl Shared {
    async fn query_stored(
        &self,
        sql: &'static str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<StoredEnvelope>, StoreError> {
        let mut connection = self.pool.get().await?;
        let statement = connection.statement(sql, &self.store).await?;
        let rows = connection
            .client
            .query(&statement, params)
            .await
            .map_err(|error| from_postgres(&self.store, error))?;
        Ok(stored(rows))
    }

    pub(crate) async fn head(&self) -> Result<u64, StoreError> {
        let mut connection = self.pool.get().await?;
        let head = read_head(&mut connection, &self.store).await?;
        self.head.send_if_modified(|current| raise(current, head));
        Ok(head)
    }
}

#[async_trait]
impl EventStore for PostgresStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        meta: AppendMeta,
    ) -> Result<AppendOutcome, StoreError> {
        if events.is_empty() {
            return Err(StoreError::NothingToAppend {
                stream: stream.clone(),
            });
        }
        let (reply, answer) = oneshot::channel();
        let request = AppendRequest {
            stream: stream.clone(),
            expected,
            events,
            meta,
        };
        self.inner
            .requests
            .send(Request::Append(WriteRequest { request, reply }))
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn restore(&self, envelopes: Vec<Envelope>) -> Result<u64, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.inner
            .requests
            .send(Request::Restore(RestoreRequest { envelopes, reply }))
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn read_stream(
        &self,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<Envelope>, StoreError> {
        let shared = self.shared();
        let stream = stream.as_str().to_owned();
        let rows = self
            .run(async move {
                shared
                    .query_stored(sql::READ_STREAM, &[&stream, &to_sql(from_version)])
                    .await
            })
            .await?;
        rows.iter()
            .map(|row| row.decode().and_then(|envelope| self.upcast(envelope)))
            .collect()
    }

    async fn read_all(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<Envelope>, StoreError> {
        self.read_all_stored(from_position, limit)
            .await?
            .iter()
            .map(|row| row.decode().and_then(|envelope| self.upcast(envelope)))
            .collect()
    }

    async fn read_all_stored(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<StoredEnvelope>, StoreError> {
        let shared = self.shared();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(async move {
            shared
                .query_stored(sql::READ_ALL, &[&to_sql(from_position.max(1)), &limit])
                .await
        })
        .await
    }

    async fn read_event(&self, event_id: Uuid) -> Result<Option<Envelope>, StoreError> {
        let shared = self.shared();
        let rows = self
            .run(async move { shared.query_stored(sql::READ_EVENT, &[&event_id]).await })
            .await?;
        rows.first()
            .map(|row| row.decode().and_then(|envelope| self.upcast(envelope)))
            .transpose()
    }

    async fn head(&self) -> Result<u64, StoreError> {
        let shared = self.shared();
        self.run(async move { shared.head().await }).await
    }

    async fn subscribe(&self, from_position: u64) -> Result<Subscription, StoreError> {
        let shared = self.shared();
        if let Some(runtime) = &self.inner.runtime {
            crate::listen::start(&shared, runtime.handle());
        }
        Ok(Subscription::new(
            Arc::new(self.clone()),
            shared.head.subscribe(),
            from_position,
        ))
    }

    async fn verify_with_progress(
        &self,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<VerifyReport, StoreError> {
        crate::verify::verify(self, progress).await
    }
}

impl PostgresStore {
    /// One page of the log with its indexed columns, for verify: rows after
    /// `after_position`, at most `limit`.
    pub(crate) async fn verify_page(
        &self,
        after_position: u64,
        limit: i64,
    ) -> Result<Vec<crate::verify::Row>, StoreError> {
        let shared = self.shared();
        self.run(async move {
            let mut connection = shared.pool.get().await?;
            let statement = connection
                .statement(sql::VERIFY_PAGE, &shared.store)
                .await?;
            let rows = connection
                .client
                .query(&statement, &[&to_sql(after_position), &limit])
                .await
                .map_err(|error| from_postgres(&shared.store, error))?;
            Ok(rows
                .into_iter()
                .map(|row| crate::verify::Row {
                    position: row.get(0),
                    stream: row.get(1),
                    version: row.get(2),
                    event_id: row.get(3),
                    envelope: row.get(4),
                })
                .collect())
        })
        .await
    }
}
