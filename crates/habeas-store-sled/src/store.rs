//! `SledStore` and its configuration.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use async_trait::async_trait;
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use habeas_store::EventStore;
use habeas_store::StoreError;
use habeas_store::StreamId;
use habeas_store::Subscription;
use habeas_store::plan::{AppendRequest, LogTip};
use habeas_store::verify::VerifyReport;
use habeas_store::{AppendMeta, AppendOutcome, ExpectedVersion, NewEvent};
use habeas_store::{Envelope, StoredBytes, StoredEnvelope};
use habeas_store::{Upcaster, upcast_envelope};

use crate::durability::DurableFiles;
use crate::lock::SledLockRelease;
use crate::writer::{Request, RestoreRequest, WriteRequest, Writer};
use crate::{keys, open};

/// The newest store format this build reads and the one it writes.
pub const SLED_FORMAT_VERSION: u32 = open::FORMAT_VERSION;

/// Settings for [`SledStore::open`].
#[derive(Clone)]
pub struct SledConfig {
    /// Turns stored payloads of old schema versions into current ones on every read.
    pub upcaster: Option<Arc<dyn Upcaster>>,
    /// The most memory sled's page cache may use, in bytes.
    pub cache_capacity_bytes: u64,
    /// The most appends committed together in one group (one batch, one fsync).
    pub max_appends_per_group: usize,
}

impl Default for SledConfig {
    fn default() -> SledConfig {
        SledConfig {
            upcaster: None,
            cache_capacity_bytes: 64 * 1024 * 1024,
            max_appends_per_group: 1024,
        }
    }
}

impl std::fmt::Debug for SledConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledConfig")
            .field("upcaster", &self.upcaster.as_ref().map(|_| "dyn Upcaster"))
            .field("cache_capacity_bytes", &self.cache_capacity_bytes)
            .field("max_appends_per_group", &self.max_appends_per_group)
            .finish()
    }
}

/// An event store in a directory, kept by sled, written by one group-committing thread.
///
/// Cloning gives another handle to the same open store. The store closes when the last
/// handle (including those held by subscriptions) is dropped: the drop waits for the
/// writer to finish the group it is committing, then releases the directory's lock.
#[derive(Clone)]
pub struct SledStore {
    pub(crate) inner: Arc<SledInner>,
}

pub(crate) struct SledInner {
    pub(crate) path: PathBuf,
    pub(crate) tree: sled::Tree,
    /// The last durable position; readers never look past it.
    pub(crate) head: Arc<watch::Sender<u64>>,
    pub(crate) upcaster: Option<Arc<dyn Upcaster>>,
    pub(crate) requests: Mutex<Option<mpsc::Sender<Request>>>,
    pub(crate) writer_thread: Mutex<Option<JoinHandle<()>>>,
    /// Last, so it drops after `tree`: waits until sled has released the directory.
    pub(crate) _release: SledLockRelease,
}

impl Drop for SledInner {
    fn drop(&mut self) {
        let requests = self
            .requests
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        drop(requests.take());
        let writer_thread = self
            .writer_thread
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(handle) = writer_thread.take() {
            let _ = handle.join();
        }
    }
}

impl SledStore {
    /// Opens the store in `path`, creating it if the directory is missing or empty.
    ///
    /// Refuses, leaving the directory untouched: a non-empty directory that is not a
    /// Habeas store ([`StoreError::NotAHabeasStore`]), a store of a newer format
    /// ([`StoreError::NewerFormat`]), a store another process has open
    /// ([`StoreError::Locked`]) and a store whose files are damaged
    /// ([`StoreError::Damaged`]; see there for the one case found only after sled opened
    /// the database). A full device gives [`StoreError::DiskFull`]. A store of format 1
    /// is upgraded to format 2 (its event ids are indexed). Blocking: from async code,
    /// call it inside `tokio::task::spawn_blocking`.
    pub fn open(path: impl AsRef<Path>, config: SledConfig) -> Result<SledStore, StoreError> {
        let path = path.as_ref().to_owned();
        let prepared = open::prepare_directory(&path)?;
        let db = sled::Config::new()
            .path(&path)
            .cache_capacity(config.cache_capacity_bytes)
            .open()
            .map_err(|error| open::sled_open_error(&path, error))?;
        let tree: sled::Tree = (*db).clone();
        let sled_error = |error| crate::error::from_sled(&path, error);
        let stored_format = match tree.get(keys::FORMAT_KEY).map_err(sled_error)? {
            Some(bytes) => Some(
                <[u8; 4]>::try_from(bytes.as_ref())
                    .map(u32::from_be_bytes)
                    .map_err(|_| StoreError::Damaged {
                        store: StoreError::location(&path),
                        reason: format!("its format key holds {} bytes instead of 4", bytes.len()),
                    })?,
            ),
            None => None,
        };
        match (prepared, stored_format) {
            (_, Some(found)) => {
                open::check_format(&path, found)?;
                if found < open::FORMAT_VERSION {
                    // The index is durable before the format key says it exists.
                    index_event_ids(&tree).map_err(sled_error)?;
                    tree.flush().map_err(sled_error)?;
                    drop(DurableFiles::open(&path)?);
                    tree.insert(keys::FORMAT_KEY, &open::FORMAT_VERSION.to_be_bytes())
                        .map_err(sled_error)?;
                }
            }
            (open::Prepared::Creating, None) => {
                // An interrupted creation never wrote anything but the format key.
                if tree.iter().next().is_some() {
                    return Err(crate::error::not_a_store(&path));
                }
                tree.insert(keys::FORMAT_KEY, &open::FORMAT_VERSION.to_be_bytes())
                    .map_err(sled_error)?;
            }
            (open::Prepared::Existing { .. }, None) => {
                return Err(StoreError::Damaged {
                    store: StoreError::location(&path),
                    reason: format!(
                        "its marker says it is a habeas store but the sled database {} holds \
                         no habeas data: the file was replaced, truncated or overwritten \
                         (sled may have discarded unreadable data while opening it)",
                        path.join("db").display()
                    ),
                });
            }
        }
        tree.flush().map_err(sled_error)?;
        let files = DurableFiles::open(&path)?;
        match prepared {
            open::Prepared::Creating => open::finish_creation(&path)?,
            open::Prepared::Existing { marker_version }
                if marker_version != SLED_FORMAT_VERSION =>
            {
                open::rewrite_marker(&path)?;
            }
            open::Prepared::Existing { .. } => {}
        }
        let (tip, undecodable_tip) = recover_tip(&tree).map_err(|error| match error {
            TipError::Sled(error) => crate::error::from_sled(&path, error),
            TipError::Store(error) => error,
        })?;
        let recorded_head = match tree.get(keys::HEAD_KEY).map_err(sled_error)? {
            Some(bytes) => keys::decode_u64(&bytes).unwrap_or(0),
            None => 0,
        };
        // Events missing at the end of the log would be hidden for good by the next
        // append, so such a store stays readable and verifiable but refuses appends.
        let failure = if let Some(reason) = undecodable_tip {
            Some(format!(
                "the last stored event (position {}) cannot be decoded ({reason}); run verify",
                tip.head
            ))
        } else {
            (recorded_head > tip.head).then(|| {
                format!(
                    "the log ends at position {} but the store recorded head {recorded_head}: \
                     events are missing; run verify",
                    tip.head
                )
            })
        };
        let head = Arc::new(watch::Sender::new(tip.head));
        let (sender, receiver) = mpsc::channel();
        let writer = Writer {
            path: path.clone(),
            tree: tree.clone(),
            files,
            tip,
            head: Arc::clone(&head),
            max_group: config.max_appends_per_group.max(1),
            failure,
        };
        let writer_thread = std::thread::Builder::new()
            .name("habeas-store-writer".into())
            .spawn(move || writer.run(receiver))
            .map_err(|source| StoreError::io(&path, source))?;
        Ok(SledStore {
            inner: Arc::new(SledInner {
                _release: SledLockRelease::new(&path),
                path,
                tree,
                head,
                upcaster: config.upcaster,
                requests: Mutex::new(Some(sender)),
                writer_thread: Mutex::new(Some(writer_thread)),
            }),
        })
    }

    /// The store's directory.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The error for a failed sled call on this store.
    pub(crate) fn sled_error(&self, error: sled::Error) -> StoreError {
        crate::error::from_sled(&self.inner.path, error)
    }

    pub(crate) fn durable_head(&self) -> u64 {
        *self.inner.head.borrow()
    }

    /// Reads and decodes the stored (not upcast) event at `position`.
    fn stored_event(&self, position: u64) -> Result<Envelope, StoreError> {
        let bytes = self
            .inner
            .tree
            .get(keys::event_key(position))
            .map_err(|error| self.sled_error(error))?
            .ok_or_else(|| StoreError::Corrupt {
                position,
                reason: "the event is missing".into(),
            })?;
        decode_envelope(position, &bytes)
    }

    /// At most `limit` stored envelopes from `from_position` on (0 reads from
    /// the start), up to the durable head, each with its position; a gap in
    /// the positions is reported as damage.
    fn stored_range(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<(u64, sled::IVec)>, StoreError> {
        let head = self.durable_head();
        let from_position = from_position.max(1);
        if from_position > head || limit == 0 {
            return Ok(Vec::new());
        }
        let range = keys::event_key(from_position)..=keys::event_key(head);
        let mut stored = Vec::with_capacity(limit.min(4096));
        let entries = self.inner.tree.range(range).take(limit);
        for (expected_position, entry) in (from_position..).zip(entries) {
            let (key, bytes) = entry.map_err(|error| self.sled_error(error))?;
            let position =
                keys::position_of_event_key(&key).ok_or_else(|| StoreError::Corrupt {
                    position: expected_position,
                    reason: "malformed event key".into(),
                })?;
            if position != expected_position {
                return Err(StoreError::Corrupt {
                    position: expected_position,
                    reason: "the event is missing".into(),
                });
            }
            stored.push((position, bytes));
        }
        Ok(stored)
    }

    fn upcast(&self, envelope: Envelope) -> Result<Envelope, StoreError> {
        upcast_envelope(self.inner.upcaster.as_deref(), envelope)
    }
}

impl std::fmt::Debug for SledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStore")
            .field("path", &self.inner.path)
            .field("head", &self.durable_head())
            .finish_non_exhaustive()
    }
}

fn decode_envelope(position: u64, bytes: &[u8]) -> Result<Envelope, StoreError> {
    serde_json::from_slice(bytes).map_err(|error| StoreError::Corrupt {
        position,
        reason: format!("cannot decode the stored envelope: {error}"),
    })
}

/// Upgrades a format-1 log: adds the `i/` entry of every stored event, in position order
/// and without overwriting, so that the first event with an id keeps it (`verify` names
/// any later one). Idempotent, so an upgrade cut short is finished by the next open; the
/// caller records the new format only once this is durable.
fn index_event_ids(tree: &sled::Tree) -> Result<(), sled::Error> {
    /// Only the id of each envelope is decoded.
    #[derive(serde::Deserialize)]
    struct EventIdOnly {
        event_id: uuid::Uuid,
    }
    const CHUNK: usize = 4096;
    let mut batch = sled::Batch::default();
    let mut in_batch = std::collections::HashSet::new();
    for entry in tree.scan_prefix(keys::EVENT_PREFIX) {
        let (key, bytes) = entry?;
        let (Some(position), Ok(EventIdOnly { event_id })) = (
            keys::position_of_event_key(&key),
            serde_json::from_slice::<EventIdOnly>(&bytes),
        ) else {
            // `verify` names undecodable events; there is no id to index.
            continue;
        };
        let id_key = keys::event_id_key(event_id);
        if in_batch.contains(&event_id) || tree.contains_key(&id_key)? {
            continue;
        }
        batch.insert(id_key, position.to_be_bytes().to_vec());
        in_batch.insert(event_id);
        if in_batch.len() == CHUNK {
            tree.apply_batch(std::mem::take(&mut batch))?;
            in_batch.clear();
        }
    }
    tree.apply_batch(batch)
}

/// The head and last hash, from the last `e/` key (sled's own id generator jumps on
/// reopen, so positions are ours). A last event that cannot be decoded still gives the
/// head (so the store opens for reading and `verify`) plus the reason, and no hash.
fn recover_tip(tree: &sled::Tree) -> Result<(LogTip, Option<String>), TipError> {
    let Some(entry) = tree.scan_prefix(keys::EVENT_PREFIX).next_back() else {
        return Ok((LogTip::empty(), None));
    };
    let (key, bytes) = entry.map_err(TipError::Sled)?;
    let position = keys::position_of_event_key(&key).ok_or_else(|| {
        TipError::Store(StoreError::Corrupt {
            position: 0,
            reason: "malformed event key at the end of the log".into(),
        })
    })?;
    match decode_envelope(position, &bytes) {
        Ok(envelope) => Ok((
            LogTip {
                head: position,
                last_hash: envelope.hash,
            },
            None,
        )),
        Err(error) => Ok((
            LogTip {
                head: position,
                last_hash: String::new(),
            },
            Some(error.to_string()),
        )),
    }
}

/// Why the tip could not be recovered; sled errors are mapped by the caller, who knows
/// the path.
enum TipError {
    Sled(sled::Error),
    Store(StoreError),
}

#[async_trait]
impl EventStore for SledStore {
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
        let write = WriteRequest {
            request: AppendRequest {
                stream: stream.clone(),
                expected,
                events,
                meta,
            },
            reply,
        };
        {
            let requests = self
                .inner
                .requests
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let sender = requests.as_ref().ok_or(StoreError::Closed)?;
            sender
                .send(Request::Append(write))
                .map_err(|_| StoreError::Closed)?;
        }
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn restore(&self, envelopes: Vec<Envelope>) -> Result<u64, StoreError> {
        let (reply, answer) = oneshot::channel();
        {
            let requests = self
                .inner
                .requests
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let sender = requests.as_ref().ok_or(StoreError::Closed)?;
            sender
                .send(Request::Restore(RestoreRequest { envelopes, reply }))
                .map_err(|_| StoreError::Closed)?;
        }
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn read_stream(
        &self,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<Envelope>, StoreError> {
        let stream = stream.clone();
        self.off_executor(move |store| store.stream_events(&stream, from_version))
            .await
    }

    async fn read_all(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<Envelope>, StoreError> {
        self.off_executor(move |store| {
            store
                .stored_range(from_position, limit)?
                .into_iter()
                .map(|(position, bytes)| store.upcast(decode_envelope(position, &bytes)?))
                .collect()
        })
        .await
    }

    async fn read_all_stored(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<StoredEnvelope>, StoreError> {
        self.off_executor(move |store| {
            Ok(store
                .stored_range(from_position, limit)?
                .into_iter()
                .map(|(position, bytes)| StoredEnvelope {
                    position,
                    json: StoredBytes::shared(bytes),
                })
                .collect())
        })
        .await
    }

    async fn read_event(&self, event_id: Uuid) -> Result<Option<Envelope>, StoreError> {
        self.off_executor(move |store| store.event_by_id(event_id))
            .await
    }

    async fn head(&self) -> Result<u64, StoreError> {
        Ok(self.durable_head())
    }

    async fn subscribe(&self, from_position: u64) -> Result<Subscription, StoreError> {
        Ok(Subscription::new(
            Arc::new(self.clone()),
            self.inner.head.subscribe(),
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

impl SledStore {
    /// Runs blocking sled reads on tokio's blocking pool, so that a server's
    /// executor threads never wait for the disk: a read that misses sled's
    /// cache is a disk read, and an executor thread blocked on it stalls every
    /// request scheduled on it.
    async fn off_executor<T: Send + 'static>(
        &self,
        read: impl FnOnce(&SledStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || read(&store))
            .await
            .map_err(|error| StoreError::Backend {
                backend: "sled",
                source: Box::new(error),
            })?
    }

    /// The events of `stream` from `from_version` on, upcast (blocking).
    fn stream_events(
        &self,
        stream: &StreamId,
        from_version: u64,
    ) -> Result<Vec<Envelope>, StoreError> {
        let head = self.durable_head();
        let start = keys::stream_key(stream, from_version.max(1));
        let end = keys::stream_key(stream, u64::MAX);
        let mut envelopes = Vec::new();
        for entry in self.inner.tree.range(start..=end) {
            let (key, value) = entry.map_err(|error| self.sled_error(error))?;
            let position = keys::decode_u64(&value).ok_or_else(|| StoreError::Corrupt {
                position: 0,
                reason: format!("malformed index entry for stream {stream}"),
            })?;
            if position > head {
                break;
            }
            let envelope = self.stored_event(position)?;
            if envelope.stream != *stream
                || Some(envelope.version) != keys::version_of_stream_key(&key)
            {
                return Err(StoreError::Corrupt {
                    position,
                    reason: format!(
                        "the stream index of {stream} points at an event of {} version {}",
                        envelope.stream, envelope.version
                    ),
                });
            }
            envelopes.push(self.upcast(envelope)?);
        }
        Ok(envelopes)
    }

    /// The event with this id, upcast (blocking).
    fn event_by_id(&self, event_id: Uuid) -> Result<Option<Envelope>, StoreError> {
        let Some(position) = self.indexed_position(&keys::event_id_key(event_id))? else {
            return Ok(None);
        };
        // An index entry beyond the durable head belongs to an append not yet
        // acknowledged: readers never see those.
        if position > self.durable_head() {
            return Ok(None);
        }
        let envelope = self.stored_event(position)?;
        if envelope.event_id != event_id {
            return Err(StoreError::Corrupt {
                position,
                reason: format!("the event-id index sends {event_id} to another event"),
            });
        }
        self.upcast(envelope).map(Some)
    }

    /// The position an index entry holds; `None` when it is missing or malformed.
    fn indexed_position(&self, key: &[u8]) -> Result<Option<u64>, StoreError> {
        Ok(self
            .inner
            .tree
            .get(key)
            .map_err(|error| self.sled_error(error))?
            .and_then(|bytes| keys::decode_u64(&bytes)))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;
    use uuid::Uuid;

    use super::{SledConfig, SledStore};
    use habeas_store::EventStore;
    use habeas_store::StreamId;
    use habeas_store::Upcaster;
    use habeas_store::conformance::Harness;
    use habeas_store::{AppendMeta, AppendOutcome, ExpectedVersion, NewEvent};

    async fn open(upcaster: Option<Arc<dyn Upcaster>>) -> Harness {
        let directory = tempfile::tempdir().expect("temporary directory");
        let config = SledConfig {
            upcaster,
            ..SledConfig::default()
        };
        let store = SledStore::open(directory.path().join("store"), config).expect("open");
        Harness {
            store: Arc::new(store),
            keep_alive: Box::new(directory),
        }
    }

    habeas_store::conformance_tests!(open);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reopen_keeps_everything() {
        let directory = tempfile::tempdir().expect("temporary directory");
        let path = directory.path().join("store");
        let person = StreamId::new("person-reopen").expect("stream");
        let command_id = Uuid::now_v7();
        let (before, first_result) = {
            let store = SledStore::open(&path, SledConfig::default()).expect("open");
            let mut first_result = None;
            for index in 0..5 {
                let event = NewEvent {
                    event_id: Uuid::now_v7(),
                    event_type: "Noted".into(),
                    schema_version: 1,
                    payload: json!({ "index": index }),
                };
                let meta = AppendMeta {
                    recorded_by: "test".into(),
                    command_id: (index == 0).then_some(command_id),
                };
                let outcome = store
                    .append(&person, ExpectedVersion::Any, vec![event], meta)
                    .await
                    .expect("append");
                if index == 0 {
                    first_result = Some(outcome);
                }
            }
            (store.read_all(0, 100).await.expect("read"), first_result)
        };
        let store = SledStore::open(&path, SledConfig::default()).expect("reopen");
        assert_eq!(store.head().await.expect("head"), 5);
        assert_eq!(store.read_all(0, 100).await.expect("read"), before);
        assert!(store.verify().await.expect("verify").is_ok());
        // The command id survives the reopen.
        let retry = store
            .append(
                &person,
                ExpectedVersion::Any,
                vec![NewEvent {
                    event_id: Uuid::now_v7(),
                    event_type: "Noted".into(),
                    schema_version: 1,
                    payload: json!({}),
                }],
                AppendMeta {
                    recorded_by: "test".into(),
                    command_id: Some(command_id),
                },
            )
            .await
            .expect("append");
        let Some(AppendOutcome::Appended(first)) = first_result else {
            panic!("the first append was not Appended: {first_result:?}");
        };
        assert_eq!(retry, AppendOutcome::AlreadyApplied(first));
        // Positions continue from the recovered head, chained to the last hash.
        let next = store
            .append(
                &person,
                ExpectedVersion::Exact(5),
                vec![NewEvent {
                    event_id: Uuid::now_v7(),
                    event_type: "Noted".into(),
                    schema_version: 1,
                    payload: json!({}),
                }],
                AppendMeta {
                    recorded_by: "test".into(),
                    command_id: None,
                },
            )
            .await
            .expect("append");
        assert!(
            matches!(&next, AppendOutcome::Appended(result) if result.first_position == 6),
            "{next:?}"
        );
        assert!(store.verify().await.expect("verify").is_ok());
    }
}
