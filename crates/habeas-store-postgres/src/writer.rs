//! The writer task: group commit of appends and restores, under the chain lock.
//!
//! Appends of this process arrive on a channel. The writer takes the first waiting
//! append and every other one already queued (up to a limit) and commits them in one
//! transaction:
//!
//! 1. `BEGIN ISOLATION LEVEL READ COMMITTED` (explicitly: under a server whose
//!    default is REPEATABLE READ or SERIALIZABLE, waiting for the chain lock would end
//!    in a serialization failure instead of reading the tip the previous append left);
//! 2. `SELECT head, last_hash FROM habeas.log_head FOR UPDATE`: the chain lock. It
//!    waits for any other process's append to commit and then reads the tip it left;
//! 3. reads the state the group's decisions need, in three statements (the last
//!    version of each stream named, the stored results of the command ids, the
//!    positions of the event ids); under READ COMMITTED each statement sees every
//!    transaction committed before it, which after step 2 is every earlier append;
//! 4. decides each append in order with `habeas_store::plan::plan_append` against
//!    that state plus the appends decided before it in the group;
//! 5. inserts the new events with `INSERT … SELECT FROM UNNEST(…)`, in chunks of 256
//!    sent as soon as they are decided (the server inserts one chunk while the writer
//!    hashes the next), then the command results, the update of `log_head` and
//!    `pg_notify`, pipelined in one round trip;
//! 6. `COMMIT`, and only then answers every append of the group and publishes the new
//!    head to this process's subscribers.
//!
//! Locking order, the same in every transaction that writes: `habeas.log_head` (row
//! lock) first, then the rows of `events` and `commands` it inserts (unique-index
//! entries), then `log_head` again (the update of the row already locked). Readers
//! take no locks. Nothing else locks `log_head`, so appends cannot deadlock, and
//! positions are handed out under one lock held until commit: gapless, in commit
//! order, each `prev_hash` the hash of the event before.
//!
//! If the transaction fails, it is rolled back and every append of the group gets
//! the error: none of them was acknowledged and none is stored. A failed `COMMIT`
//! (the connection lost while committing) leaves an append either wholly stored or
//! wholly absent, as for the other backends: retry it with the same command id.

use std::collections::HashMap;
use std::time::Duration;

use habeas_store::plan::{
    AppendRequest, AppendState, LogTip, Plan, commit_time, plan_append, plan_restore,
};
use habeas_store::{AppendOutcome, AppendResult, Envelope, StoreError, StreamId};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_postgres::Config;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use crate::error::from_postgres;
use crate::pool::Connection;
use crate::sql;
use crate::tls::Tls;

/// One queued append and where to send its answer.
pub(crate) struct WriteRequest {
    pub(crate) request: AppendRequest,
    pub(crate) reply: oneshot::Sender<Result<AppendOutcome, StoreError>>,
}

/// One queued restore and its answer.
pub(crate) struct RestoreRequest {
    pub(crate) envelopes: Vec<Envelope>,
    pub(crate) reply: oneshot::Sender<Result<u64, StoreError>>,
}

/// What travels on the writer's channel.
pub(crate) enum Request {
    Append(WriteRequest),
    Restore(RestoreRequest),
}

pub(crate) struct Writer {
    pub(crate) config: Config,
    pub(crate) tls: Tls,
    /// The store's URL without its password, for errors.
    pub(crate) store: String,
    pub(crate) connection: Option<Connection>,
    pub(crate) head: watch::Sender<u64>,
    pub(crate) max_group: usize,
}

/// The state the decisions of one group need, read under the chain lock, then
/// updated with each append decided.
#[derive(Default)]
struct GroupState {
    /// The last version of every stream the group names that has events.
    stream_versions: HashMap<StreamId, u64>,
    /// The stored result of every command id the group names that was used.
    commands: HashMap<Uuid, AppendResult>,
    /// The position of every event id the group names that is stored.
    event_positions: HashMap<Uuid, u64>,
}

impl AppendState for GroupState {
    fn stream_version(&self, stream: &StreamId) -> Result<Option<u64>, StoreError> {
        Ok(self.stream_versions.get(stream).copied())
    }

    fn command_result(&self, command_id: Uuid) -> Result<Option<AppendResult>, StoreError> {
        Ok(self.commands.get(&command_id).cloned())
    }

    fn event_position(&self, event_id: Uuid) -> Result<Option<u64>, StoreError> {
        Ok(self.event_positions.get(&event_id).copied())
    }
}

/// The rows one transaction inserts, as the arrays `INSERT … UNNEST` takes.
#[derive(Default)]
struct Rows {
    positions: Vec<i64>,
    streams: Vec<String>,
    versions: Vec<i64>,
    event_ids: Vec<Uuid>,
    envelopes: Vec<Vec<u8>>,
    command_ids: Vec<Uuid>,
    results: Vec<String>,
}

/// The event rows of one `INSERT`.
struct EventRows {
    positions: Vec<i64>,
    streams: Vec<String>,
    versions: Vec<i64>,
    event_ids: Vec<Uuid>,
    envelopes: Vec<Vec<u8>>,
}

impl Rows {
    /// The event rows gathered so far, leaving none.
    fn take_events(&mut self) -> EventRows {
        EventRows {
            positions: std::mem::take(&mut self.positions),
            streams: std::mem::take(&mut self.streams),
            versions: std::mem::take(&mut self.versions),
            event_ids: std::mem::take(&mut self.event_ids),
            envelopes: std::mem::take(&mut self.envelopes),
        }
    }

    fn push_envelope(&mut self, envelope: &Envelope) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(envelope).map_err(|source| StoreError::Encode {
            what: "envelope",
            source,
        })?;
        self.positions.push(to_sql(envelope.position));
        self.streams.push(envelope.stream.as_str().to_owned());
        self.versions.push(to_sql(envelope.version));
        self.event_ids.push(envelope.event_id);
        self.envelopes.push(bytes);
        Ok(())
    }

    fn push_command(&mut self, command_id: Uuid, result: &AppendResult) -> Result<(), StoreError> {
        let json = serde_json::to_string(result).map_err(|source| StoreError::Encode {
            what: "append result",
            source,
        })?;
        self.command_ids.push(command_id);
        self.results.push(json);
        Ok(())
    }
}

/// A position or version as PostgreSQL's `bigint` holds it.
pub(crate) fn to_sql(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A `bigint` read back; negative values never pass the table's checks.
pub(crate) fn from_sql(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Writer {
    /// Runs until every sender is gone.
    pub(crate) async fn run(mut self, mut requests: mpsc::UnboundedReceiver<Request>) {
        let mut pending: Option<Request> = None;
        loop {
            let first = match pending.take() {
                Some(request) => request,
                None => match requests.recv().await {
                    Some(request) => request,
                    None => return,
                },
            };
            match first {
                Request::Restore(RestoreRequest { envelopes, reply }) => {
                    let result = self.restore(&envelopes).await;
                    let _ = reply.send(result);
                }
                Request::Append(first) => {
                    let mut group = vec![first];
                    while group.len() < self.max_group {
                        match requests.try_recv() {
                            Ok(Request::Append(request)) => group.push(request),
                            Ok(restore @ Request::Restore(_)) => {
                                pending = Some(restore);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    self.commit_group(group).await;
                }
            }
        }
    }

    /// The writer's connection, opened again if it broke.
    async fn take_connection(&mut self) -> Result<Connection, StoreError> {
        match self.connection.take() {
            Some(connection) if !connection.is_closed() => Ok(connection),
            _ => open_with_retry(&self.config, &self.tls, &self.store).await,
        }
    }

    /// Keeps the connection for the next transaction unless `failed` left it in an
    /// unknown state and rolling back did not help.
    async fn put_back<T>(&mut self, connection: Connection, failed: &Result<T, StoreError>) {
        if failed.is_err() && connection.client.batch_execute("ROLLBACK").await.is_err() {
            return;
        }
        self.connection = Some(connection);
    }

    async fn commit_group(&mut self, group: Vec<WriteRequest>) {
        let (requests, replies): (Vec<AppendRequest>, Vec<_>) = group
            .into_iter()
            .map(|WriteRequest { request, reply }| (request, reply))
            .unzip();
        let committed = match self.take_connection().await {
            Ok(mut connection) => {
                let committed = append_all(&mut connection, &self.store, requests).await;
                self.put_back(connection, &committed).await;
                committed
            }
            Err(error) => Err(error),
        };
        let answers = match committed {
            Ok((answers, new_head)) => {
                if let Some(head) = new_head {
                    self.head.send_if_modified(|current| raise(current, head));
                }
                answers
            }
            Err(error) => {
                let message = error.to_string();
                // Every append gets the failure; the first gets the error itself.
                let mut answers: Vec<Result<AppendOutcome, StoreError>> = vec![Err(error)];
                answers.resize_with(replies.len(), || {
                    Err(StoreError::Unavailable {
                        store: self.store.clone(),
                        reason: format!(
                            "the transaction holding this append failed ({message}); nothing \
                             of it is stored unless the commit itself was cut off: retry with \
                             the same command id"
                        ),
                    })
                });
                answers
            }
        };
        for (reply, answer) in replies.into_iter().zip(answers) {
            let _ = reply.send(answer);
        }
    }

    async fn restore(&mut self, envelopes: &[Envelope]) -> Result<u64, StoreError> {
        let mut connection = self.take_connection().await?;
        let restored = restore_all(&mut connection, &self.store, envelopes).await;
        self.put_back(connection, &restored).await;
        let new_head = restored?;
        self.head
            .send_if_modified(|current| raise(current, new_head));
        Ok(new_head)
    }
}

/// The answers of one group and the new head (`None`: nothing was written).
type GroupAnswers = (Vec<Result<AppendOutcome, StoreError>>, Option<u64>);

/// Decides and commits a group of appends in one transaction (see the module docs).
async fn append_all(
    connection: &mut Connection,
    store: &str,
    requests: Vec<AppendRequest>,
) -> Result<GroupAnswers, StoreError> {
    let mut tip = lock_chain(connection, store).await?;
    let recorded_at = commit_time();
    let streams: Vec<String> = requests
        .iter()
        .map(|request| request.stream.as_str().to_owned())
        .collect();
    let command_ids: Vec<Uuid> = requests
        .iter()
        .filter_map(|request| request.meta.command_id)
        .collect();
    let event_ids: Vec<Uuid> = requests
        .iter()
        .flat_map(|request| request.events.iter().map(|event| event.event_id))
        .collect();
    let mut state = read_state(connection, store, streams, command_ids, event_ids).await?;
    let insert_events = connection.statement(sql::INSERT_EVENTS, store).await?;
    let mut rows = Rows::default();
    let mut answers = Vec::with_capacity(requests.len());
    let mut any_written = false;
    let (answers, new_head) = {
        // Chunks of events already sent to the server, in order: it inserts one
        // while this task decides and hashes the next.
        let client = &connection.client;
        let mut sent: Vec<Sent<'_>> = Vec::new();
        for request in requests {
            let command_id = request.meta.command_id;
            let stream = request.stream.clone();
            match plan_append(&state, &tip, request, recorded_at) {
                Ok(Plan::Nothing(outcome)) => answers.push(Ok(outcome)),
                Ok(Plan::Write {
                    envelopes,
                    result,
                    tip: next_tip,
                }) => {
                    for envelope in &envelopes {
                        rows.push_envelope(envelope)?;
                        state
                            .event_positions
                            .insert(envelope.event_id, envelope.position);
                    }
                    state.stream_versions.insert(stream, result.stream_version);
                    if let Some(command_id) = command_id {
                        rows.push_command(command_id, &result)?;
                        state.commands.insert(command_id, result.clone());
                    }
                    tip = next_tip;
                    answers.push(Ok(AppendOutcome::Appended(result)));
                    any_written = true;
                    if rows.positions.len() >= INSERT_CHUNK {
                        sent.push(send_events(client, &insert_events, rows.take_events()));
                    }
                }
                Err(error) => answers.push(Err(error)),
            }
        }
        if !rows.positions.is_empty() {
            sent.push(send_events(client, &insert_events, rows.take_events()));
        }
        // Every chunk is awaited, so that none is still running at COMMIT; the first
        // failure is the group's.
        let mut first_error = None;
        for chunk in sent {
            if let Err(error) = chunk.await {
                first_error.get_or_insert(error);
            }
        }
        if let Some(error) = first_error {
            return Err(from_postgres(store, error));
        }
        (answers, any_written.then_some(tip.head))
    };
    if new_head.is_some() {
        write_rows(connection, store, &rows, &tip).await?;
    }
    commit(connection, store).await?;
    Ok((answers, new_head))
}

/// Events per `INSERT` while a group is decided (see `append_all`).
const INSERT_CHUNK: usize = 256;

/// An `INSERT` of a chunk of events, already sent to the server.
type Sent<'a> =
    std::pin::Pin<Box<dyn Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>>;

/// Starts the `INSERT` of `events` and sends it: tokio-postgres writes a request
/// to the connection when its future is first polled, so one poll (with a waker
/// that does nothing: the future is awaited properly later) puts it on the wire
/// while this task goes on deciding.
fn send_events<'a>(
    client: &'a tokio_postgres::Client,
    statement: &'a tokio_postgres::Statement,
    events: EventRows,
) -> Sent<'a> {
    let mut future: Sent<'a> = Box::pin(async move {
        let params: [&(dyn ToSql + Sync); 5] = [
            &events.positions,
            &events.streams,
            &events.versions,
            &events.event_ids,
            &events.envelopes,
        ];
        client.execute(statement, &params).await
    });
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    if let std::task::Poll::Ready(done) = future.as_mut().poll(&mut context) {
        return Box::pin(std::future::ready(done));
    }
    future
}

/// Checks and commits one restore in one transaction; returns the new head.
async fn restore_all(
    connection: &mut Connection,
    store: &str,
    envelopes: &[Envelope],
) -> Result<u64, StoreError> {
    let tip = lock_chain(connection, store).await?;
    if envelopes.is_empty() {
        commit(connection, store).await?;
        return Ok(tip.head);
    }
    let streams: Vec<String> = envelopes
        .iter()
        .map(|envelope| envelope.stream.as_str().to_owned())
        .collect();
    let command_ids: Vec<Uuid> = envelopes
        .iter()
        .filter_map(|envelope| envelope.command_id)
        .collect();
    let event_ids: Vec<Uuid> = envelopes.iter().map(|envelope| envelope.event_id).collect();
    let state = read_state(connection, store, streams, command_ids, event_ids).await?;
    let plan = plan_restore(&state, &tip, envelopes)?;
    let mut rows = Rows::default();
    for envelope in envelopes {
        rows.push_envelope(envelope)?;
    }
    for (command_id, result) in &plan.commands {
        rows.push_command(*command_id, result)?;
    }
    write_rows(connection, store, &rows, &plan.tip).await?;
    commit(connection, store).await?;
    Ok(plan.tip.head)
}

/// `BEGIN`, then the chain lock; returns the tip it protects. Both go in one
/// round trip (tokio-postgres pipelines requests polled together, in the order
/// first polled).
async fn lock_chain(connection: &mut Connection, store: &str) -> Result<LogTip, StoreError> {
    let error = |error| from_postgres(store, error);
    let statement = connection.statement(sql::LOCK_LOG_HEAD, store).await?;
    let client = &connection.client;
    let ((), row) = tokio::try_join!(
        client.batch_execute("BEGIN ISOLATION LEVEL READ COMMITTED"),
        client.query_opt(&statement, &[])
    )
    .map_err(error)?;
    let row = row.ok_or_else(|| StoreError::Damaged {
        store: store.to_owned(),
        reason: "the habeas.log_head table has no row (it holds the last position)".to_owned(),
    })?;
    Ok(LogTip {
        head: from_sql(row.get(0)),
        last_hash: row.get(1),
    })
}

async fn commit(connection: &mut Connection, store: &str) -> Result<(), StoreError> {
    connection
        .client
        .batch_execute("COMMIT")
        .await
        .map_err(|error| from_postgres(store, error))
}

/// Reads what deciding needs about the named streams, command ids and event ids.
async fn read_state(
    connection: &mut Connection,
    store: &str,
    mut streams: Vec<String>,
    command_ids: Vec<Uuid>,
    event_ids: Vec<Uuid>,
) -> Result<GroupState, StoreError> {
    let error = |error| from_postgres(store, error);
    streams.sort_unstable();
    streams.dedup();
    let mut state = GroupState::default();

    // The three lookups in one round trip.
    let versions_statement = connection.statement(sql::STREAM_VERSIONS, store).await?;
    let commands_statement = connection.statement(sql::COMMAND_RESULTS, store).await?;
    let positions_statement = connection.statement(sql::EVENT_POSITIONS, store).await?;
    let client = &connection.client;
    let (version_rows, command_rows, position_rows) = tokio::try_join!(
        async { client.query(&versions_statement, &[&streams]).await },
        async {
            if command_ids.is_empty() {
                Ok(Vec::new())
            } else {
                client.query(&commands_statement, &[&command_ids]).await
            }
        },
        async { client.query(&positions_statement, &[&event_ids]).await },
    )
    .map_err(error)?;
    for row in version_rows {
        let stream: String = row.get(0);
        let stream = StreamId::new(stream).map_err(|invalid| StoreError::Corrupt {
            position: 0,
            reason: format!("habeas.events holds an invalid stream id: {invalid}"),
        })?;
        state.stream_versions.insert(stream, from_sql(row.get(1)));
    }
    for row in command_rows {
        let command_id: Uuid = row.get(0);
        let json: String = row.get(1);
        let result = serde_json::from_str(&json).map_err(|invalid| StoreError::Corrupt {
            position: 0,
            reason: format!("the stored result of command {command_id} is not valid: {invalid}"),
        })?;
        state.commands.insert(command_id, result);
    }
    for row in position_rows {
        state
            .event_positions
            .insert(row.get(0), from_sql(row.get(1)));
    }
    Ok(state)
}

/// Inserts the rows, moves the tip and queues the notification, in the transaction,
/// in one round trip. Pipelined statements run in the order sent; if one fails, the
/// transaction is aborted and the error of the first failure is returned.
async fn write_rows(
    connection: &mut Connection,
    store: &str,
    rows: &Rows,
    tip: &LogTip,
) -> Result<(), StoreError> {
    let insert_events = connection.statement(sql::INSERT_EVENTS, store).await?;
    let upsert_commands = connection.statement(sql::UPSERT_COMMANDS, store).await?;
    let update_head = connection.statement(sql::UPDATE_LOG_HEAD, store).await?;
    let notify = connection.statement(sql::NOTIFY_HEAD, store).await?;
    let client = &connection.client;
    let head = to_sql(tip.head);
    let head_text = tip.head.to_string();
    tokio::try_join!(
        async {
            if rows.positions.is_empty() {
                // An append group sent its events while deciding (`send_events`).
                return Ok(0);
            }
            let params: [&(dyn ToSql + Sync); 5] = [
                &rows.positions,
                &rows.streams,
                &rows.versions,
                &rows.event_ids,
                &rows.envelopes,
            ];
            client.execute(&insert_events, &params).await
        },
        async {
            if rows.command_ids.is_empty() {
                Ok(0)
            } else {
                client
                    .execute(&upsert_commands, &[&rows.command_ids, &rows.results])
                    .await
            }
        },
        async { client.execute(&update_head, &[&head, &tip.last_hash]).await },
        async { client.execute(&notify, &[&head_text]).await },
    )
    .map_err(|error| from_postgres(store, error))?;
    Ok(())
}

/// Raises the published head to `head`; says whether it changed.
pub(crate) fn raise(current: &mut u64, head: u64) -> bool {
    if head > *current {
        *current = head;
        true
    } else {
        false
    }
}

/// Connects, trying again for a few seconds: a server that is restarting (or a
/// connection slot that is being freed) is the common reason a connection breaks.
async fn open_with_retry(
    config: &Config,
    tls: &Tls,
    store: &str,
) -> Result<Connection, StoreError> {
    let mut attempt = 0;
    loop {
        match Connection::open(config, tls, store).await {
            Ok(connection) => return Ok(connection),
            Err(error) if attempt >= 5 => return Err(error),
            Err(_) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
            }
        }
    }
}
