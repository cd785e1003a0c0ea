//! `verify` of the sled backend.
//!
//! 1. The log is read in rounds of [`ROUND`] entries of the `e/` range, pipelined: while
//!    the calling thread reads round k + 1 from sled and another thread checks round
//!    k - 1 in order (keys, positions, links, hashes, stream versions), the remaining
//!    cores decode and hash round k in slices of [`SLICE`] entries, joined by the first
//!    two once they are done (with one core, the calling thread does it all in turn).
//!    An envelope's hash depends only on its own stored bytes (`prev_hash` included), so
//!    hashes need not wait for the chain. Only one thread reads sled at a time: two
//!    concurrent sled scans contend (with glibc's allocator they are slower than one).
//!    Buffers are recycled from round to round and the envelopes the store writes are
//!    hashed in place ([`stored_summary_fast`]), so the decoding threads allocate next to
//!    nothing. Between rounds the calling thread reports progress and yields to the
//!    runtime, so no stretch blocks it for long.
//! 2. The two indexes are then checked by merging them, in key order, with what the
//!    accepted events say they should hold: the `s/` range against every (stream,
//!    version), the `i/` range against every event id, the two side by side and in
//!    rounds too. Each event must find its own entries pointing at it; as before,
//!    entries that no event asks for are not looked at.
//!
//! Progress counts the log as two thirds of the work and the indexes as the last third:
//! `done` reaches the number of events only once both are checked.
//!
//! The first problem in position order is reported, as if every event were checked in
//! full before the next: an index problem at an earlier position than the chain's first
//! problem wins, and at the same position the chain's problem comes first, then the
//! stream index, then the event-id index.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use uuid::Uuid;

use habeas_store::Envelope;
use habeas_store::StoreError;
use habeas_store::hash::{FastSummary, StoredSummary, stored_summary_fast};
use habeas_store::verify::{
    ChainVerifier, EventFacts, ProblemKind, VerifyProblem, VerifyReport, check_event_id_entry,
};

use super::{SledStore, keys};

/// Entries of the `e/` range read between two progress reports (and two yields to the
/// runtime). Tiny in unit tests, so that small logs cross every boundary.
const ROUND: usize = if cfg!(test) { 16 } else { 4096 };
/// Entries one thread decodes at a time.
const SLICE: usize = if cfg!(test) { 4 } else { 128 };
/// Index entries each index merge reads between two progress reports (and two yields).
const INDEX_ROUND: usize = if cfg!(test) { 8 } else { 8192 };
/// The most threads working at once.
const MAX_WORKERS: usize = 8;

/// One entry of the `e/` range, decoded and hashed.
#[derive(Debug)]
enum Decoded {
    /// A key in the `e/` range that is not an event key.
    MalformedKey,
    /// Bytes that are not an envelope, with serde_json's reason.
    Undecodable { key_position: u64, reason: String },
    /// An envelope in the form the store writes.
    Fast {
        key_position: u64,
        summary: FastSummary,
    },
    /// Any other envelope.
    Slow {
        key_position: u64,
        summary: Box<StoredSummary>,
    },
}

/// Entries of the `e/` range, in key order, and what they decode to (`None`: not
/// decoded, as happens to the entries after a problem).
#[derive(Default)]
struct Round {
    raw: Vec<(sled::IVec, sled::IVec)>,
    decoded: Vec<Option<Decoded>>,
}

/// What the log phase learns of the accepted events for the index phase.
#[derive(Default)]
struct Accepted {
    /// (event id, position) of every accepted event.
    event_ids: Vec<(u128, u64)>,
    /// The number ([`ChainVerifier::check_and_accept`]) of each accepted event's stream,
    /// in position order.
    streams: Vec<usize>,
}

pub(super) async fn verify(
    store: &SledStore,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<VerifyReport, StoreError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_WORKERS);
    verify_on(store, progress, workers).await
}

/// [`verify`] on `workers` threads.
async fn verify_on(
    store: &SledStore,
    progress: &mut (dyn FnMut(u64, u64) + Send),
    workers: usize,
) -> Result<VerifyReport, StoreError> {
    let tree = &store.inner.tree;
    let sled_error = |error| store.sled_error(error);
    let total = store.durable_head();
    let recorded_head = match tree.get(keys::HEAD_KEY).map_err(sled_error)? {
        Some(bytes) => keys::decode_u64(&bytes).unwrap_or(0),
        None => 0,
    };

    // 1: the log.
    let mut verifier = ChainVerifier::new();
    // A capacity hint only: `total` is what the store says.
    let expected = usize::try_from(total.min(1 << 22)).unwrap_or(0);
    let mut accepted = Accepted {
        event_ids: Vec::with_capacity(expected),
        streams: Vec::with_capacity(expected),
    };
    let mut chain_problem = None;
    let (mut checking, mut decoding, mut reading) =
        (Round::default(), Round::default(), Round::default());
    let mut next_read = Some(keys::event_key(1));
    while next_read.is_some() || !decoding.raw.is_empty() || !checking.raw.is_empty() {
        let from = next_read.take();
        let (checked, read) = run_round(
            workers,
            &mut decoding,
            || check_round(&mut verifier, &mut accepted, &checking),
            || from.map(|from| read_round(tree, from, &mut reading.raw)),
        );
        progress(
            log_share(verifier.n_events()),
            total.max(verifier.n_events()),
        );
        if let Err(problem) = checked {
            chain_problem = Some(problem);
            break;
        }
        if let Some(read) = read {
            next_read = read.map_err(sled_error)?;
        }
        // What was checked is done with; its buffers take the next read.
        checking.raw.clear();
        checking.decoded.clear();
        std::mem::swap(&mut checking, &mut decoding);
        std::mem::swap(&mut decoding, &mut reading);
        tokio::task::yield_now().await;
    }
    drop((checking, decoding, reading));
    if chain_problem.is_none() {
        chain_problem = verifier.check_end(recorded_head).err();
    }

    // 2: the indexes, for the accepted events.
    // What the indexes should hold is prepared in three stretches (the ids sorted in
    // halves; the halves merged while the streams are sorted; the stream entries laid
    // out), each followed by a report and a yield, so that none blocks the runtime long.
    let Accepted {
        mut event_ids,
        streams,
    } = accepted;
    let half = event_ids.len() / 2;
    let (first_half, second_half) = event_ids.split_at_mut(half);
    both(
        workers,
        || first_half.sort_unstable(),
        || second_half.sort_unstable(),
    );
    progress(
        log_share(verifier.n_events()),
        total.max(verifier.n_events()),
    );
    tokio::task::yield_now().await;
    let (first_half, second_half) = event_ids.split_at(half);
    let (id_entries, sorted_streams) = both(
        workers,
        || IdEntries(merge_sorted(first_half, second_half)),
        || sorted_streams(&verifier),
    );
    drop(event_ids);
    progress(
        log_share(verifier.n_events()),
        total.max(verifier.n_events()),
    );
    tokio::task::yield_now().await;
    let stream_entries = StreamEntries::new(sorted_streams, &streams);
    drop(streams);
    progress(
        log_share(verifier.n_events()),
        total.max(verifier.n_events()),
    );
    tokio::task::yield_now().await;
    let mut stream_merge = IndexMerge::new(b"s/", stream_entries);
    let mut id_merge = IndexMerge::new(keys::EVENT_ID_PREFIX, id_entries);
    while !(stream_merge.finished() && id_merge.finished()) {
        let (streams_read, ids_read) =
            both(workers, || stream_merge.step(tree), || id_merge.step(tree));
        streams_read.map_err(sled_error)?;
        ids_read.map_err(sled_error)?;
        let n_events = verifier.n_events();
        let merged = stream_merge.next + id_merge.next;
        let to_merge = stream_merge.expected.len() + id_merge.expected.len();
        let index_share =
            (n_events - log_share(n_events)) as f64 * merged as f64 / to_merge.max(1) as f64;
        progress(
            log_share(n_events) + index_share as u64,
            total.max(n_events),
        );
        tokio::task::yield_now().await;
    }
    let index_problem = match (stream_merge.first_problem, id_merge.first_problem) {
        (Some(stream), Some(id)) if id.position < stream.position => Some(id),
        (Some(stream), _) => Some(stream),
        (None, id) => id,
    };
    let report = match (index_problem, chain_problem) {
        (Some(problem), _) => VerifyReport {
            n_events: problem.position - 1,
            first_problem: Some(problem),
        },
        (None, problem) => VerifyReport {
            n_events: verifier.n_events(),
            first_problem: problem,
        },
    };
    if report.is_ok() {
        progress(report.n_events, total.max(report.n_events));
    }
    Ok(report)
}

/// The progress reported once `n_events` events are checked: the log counts for two
/// thirds of the work (about its share of the time), the indexes for the rest.
fn log_share(n_events: u64) -> u64 {
    n_events - n_events / 3
}

/// The sorted merge of two sorted slices.
fn merge_sorted<T: Ord + Copy>(left: &[T], right: &[T]) -> Vec<T> {
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let (mut left, mut right) = (left.iter().peekable(), right.iter().peekable());
    while let (Some(&&first), Some(&&second)) = (left.peek(), right.peek()) {
        if first <= second {
            merged.push(first);
            left.next();
        } else {
            merged.push(second);
            right.next();
        }
    }
    merged.extend(left);
    merged.extend(right);
    merged
}

/// Runs `first` and `second`, side by side if there is more than one worker.
fn both<A: Send, B>(
    workers: usize,
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B,
) -> (A, B) {
    if workers == 1 {
        return (first(), second());
    }
    std::thread::scope(|scope| {
        let first = scope.spawn(first);
        let second = second();
        (join(first), second)
    })
}

fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Reads into `raw` up to [`ROUND`] entries of the `e/` range from `from` on; gives
/// where the next round starts, unless this one reached the end.
fn read_round(
    tree: &sled::Tree,
    from: Vec<u8>,
    raw: &mut Vec<(sled::IVec, sled::IVec)>,
) -> Result<Option<Vec<u8>>, sled::Error> {
    raw.clear();
    for entry in tree.range(from..=keys::event_key(u64::MAX)).take(ROUND) {
        raw.push(entry?);
    }
    Ok(match raw.last() {
        Some((last_key, _)) if raw.len() == ROUND => {
            let mut next = last_key.to_vec();
            next.push(0);
            Some(next)
        }
        _ => None,
    })
}

/// Decodes and hashes `round.raw` into `round.decoded` in slices, on up to `workers`
/// threads; meanwhile `check` runs on one of them and `read` on this one, each joining
/// the decoding once done. Once `check` fails, the slices not yet started are left
/// undecoded.
fn run_round<R>(
    workers: usize,
    round: &mut Round,
    check: impl FnOnce() -> Result<(), VerifyProblem> + Send,
    read: impl FnOnce() -> R,
) -> (Result<(), VerifyProblem>, R) {
    let Round { raw, decoded } = round;
    decoded.clear();
    decoded.resize_with(raw.len(), || None);
    let slices = Mutex::new(raw.chunks(SLICE).zip(decoded.chunks_mut(SLICE)));
    let stop = AtomicBool::new(false);
    let decode = || {
        while !stop.load(Ordering::Relaxed) {
            let next = slices
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .next();
            let Some((raw, decoded)) = next else {
                break;
            };
            decode_slice(raw, decoded);
        }
    };
    let check = || {
        let checked = check();
        if checked.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        checked
    };
    if workers == 1 {
        let checked = check();
        let read = read();
        decode();
        return (checked, read);
    }
    std::thread::scope(|scope| {
        let checker = scope.spawn(|| {
            let checked = check();
            decode();
            checked
        });
        let decoders: Vec<_> = (2..workers).map(|_| scope.spawn(decode)).collect();
        let read = read();
        decode();
        decoders.into_iter().for_each(join);
        (join(checker), read)
    })
}

fn decode_slice(raw: &[(sled::IVec, sled::IVec)], decoded: &mut [Option<Decoded>]) {
    for ((key, bytes), slot) in raw.iter().zip(decoded) {
        let decoded = slot.insert(decode_entry(key, bytes));
        if matches!(decoded, Decoded::MalformedKey | Decoded::Undecodable { .. }) {
            // Nothing after it is looked at.
            break;
        }
    }
}

fn decode_entry(key: &[u8], bytes: &[u8]) -> Decoded {
    let Some(key_position) = keys::position_of_event_key(key) else {
        return Decoded::MalformedKey;
    };
    if let Some(summary) = stored_summary_fast(bytes) {
        return Decoded::Fast {
            key_position,
            summary,
        };
    }
    match serde_json::from_slice::<Envelope>(bytes) {
        Ok(envelope) => Decoded::Slow {
            key_position,
            summary: Box::new(StoredSummary::of(envelope)),
        },
        Err(error) => Decoded::Undecodable {
            key_position,
            reason: error.to_string(),
        },
    }
}

/// The sequential checks of one decoded round.
fn check_round(
    verifier: &mut ChainVerifier,
    accepted: &mut Accepted,
    round: &Round,
) -> Result<(), VerifyProblem> {
    for ((key, bytes), decoded) in round.raw.iter().zip(&round.decoded) {
        let redone;
        let decoded = match decoded {
            Some(decoded) => decoded,
            // Not reached: entries are left undecoded only after a problem, which ends
            // the checks.
            None => {
                redone = decode_entry(key, bytes);
                &redone
            }
        };
        let (event_id, position, index) = match decoded {
            Decoded::MalformedKey => {
                return Err(verifier.undecodable(verifier.n_events() + 1, "malformed event key"));
            }
            Decoded::Undecodable {
                key_position,
                reason,
            } => return Err(verifier.undecodable(*key_position, reason)),
            Decoded::Fast {
                key_position,
                summary,
            } => {
                let stream = std::str::from_utf8(&bytes[summary.stream.clone()])
                    .expect("stored_summary_fast gives the range of a valid stream id");
                let facts = EventFacts {
                    position: summary.position,
                    stream,
                    version: summary.version,
                    prev_hash: &summary.prev_hash,
                    hash: &summary.hash,
                };
                let index =
                    verifier.check_and_accept(*key_position, facts, || Ok(summary.digest))?;
                (summary.event_id, summary.position, index)
            }
            Decoded::Slow {
                key_position,
                summary,
            } => {
                let facts = EventFacts {
                    position: summary.position,
                    stream: summary.stream.as_str(),
                    version: summary.version,
                    prev_hash: summary.prev_hash.as_bytes(),
                    hash: summary.hash.as_bytes(),
                };
                let index =
                    verifier.check_and_accept(*key_position, facts, || summary.digest.clone())?;
                (summary.event_id, summary.position, index)
            }
        };
        accepted.event_ids.push((event_id.as_u128(), position));
        accepted.streams.push(index);
    }
    Ok(())
}

trait ExpectedEntries {
    fn len(&self) -> usize;
    /// Writes the key of entry `index` into `key` (cleared first).
    fn key(&self, index: usize, key: &mut Vec<u8>);
    /// The problem when the index holds `indexed` (`None`: no such entry, or a malformed
    /// one) under the key of entry `index`, if that is a problem.
    fn problem(&self, index: usize, indexed: Option<u64>) -> Option<VerifyProblem>;
    /// The position the entry `index` should hold.
    fn position(&self, index: usize) -> u64;
}

/// The stream index: every accepted version of every stream, in key order.
struct StreamEntries<'a> {
    /// The streams, sorted.
    streams: Vec<&'a str>,
    /// (stream, version, position).
    entries: Vec<(usize, u64, u64)>,
}

/// The streams `verifier` accepted, with their numbers, sorted.
fn sorted_streams(verifier: &ChainVerifier) -> Vec<(&str, usize)> {
    // Stream ids hold no control character, so no stream's key prefix (`s/`, the
    // stream, `\0`) is a prefix of another's, and the prefixes sort as the ids do.
    let mut streams: Vec<(&str, usize)> = verifier.streams().collect();
    streams.sort_unstable_by(|left, right| left.0.cmp(right.0));
    streams
}

impl<'a> StreamEntries<'a> {
    /// The entries of `streams` ([`sorted_streams`]), whose numbers are in `of_events` in
    /// position order.
    fn new(streams: Vec<(&'a str, usize)>, of_events: &[usize]) -> StreamEntries<'a> {
        // A counting sort: each stream's versions, in order (the verifier accepted them
        // gapless from 1, in position order), from the stream's first slot on.
        let mut rank = vec![0; streams.len()];
        for (stream_rank, &(_, number)) in streams.iter().enumerate() {
            rank[number] = stream_rank;
        }
        let mut n_versions = vec![0; streams.len()];
        for &number in of_events {
            n_versions[rank[number]] += 1;
        }
        let first_slot: Vec<usize> = n_versions
            .iter()
            .scan(0, |next, &n| {
                let first = *next;
                *next += n;
                Some(first)
            })
            .collect();
        let mut entries = vec![(0, 0, 0); of_events.len()];
        let mut next_slot = first_slot.clone();
        for (position, &number) in (1u64..).zip(of_events) {
            let stream_rank = rank[number];
            let slot = next_slot[stream_rank];
            next_slot[stream_rank] += 1;
            let version = (slot - first_slot[stream_rank] + 1) as u64;
            entries[slot] = (stream_rank, version, position);
        }
        StreamEntries {
            streams: streams.into_iter().map(|(stream, _)| stream).collect(),
            entries,
        }
    }
}

impl ExpectedEntries for StreamEntries<'_> {
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn key(&self, index: usize, key: &mut Vec<u8>) {
        let (stream, version, _) = self.entries[index];
        key.clear();
        key.extend_from_slice(b"s/");
        key.extend_from_slice(self.streams[stream].as_bytes());
        key.push(0);
        key.extend_from_slice(&version.to_be_bytes());
    }

    fn problem(&self, index: usize, indexed: Option<u64>) -> Option<VerifyProblem> {
        let (stream, version, position) = self.entries[index];
        (indexed != Some(position)).then(|| VerifyProblem {
            position,
            kind: ProblemKind::IndexMismatch,
            detail: format!(
                "the index entry for {} version {version} points at {indexed:?} instead of this event",
                self.streams[stream]
            ),
        })
    }

    fn position(&self, index: usize) -> u64 {
        self.entries[index].2
    }
}

/// The event-id index: (id, position) of every accepted event, sorted.
struct IdEntries(Vec<(u128, u64)>);

impl ExpectedEntries for IdEntries {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn key(&self, index: usize, key: &mut Vec<u8>) {
        key.clear();
        key.extend_from_slice(keys::EVENT_ID_PREFIX);
        key.extend_from_slice(&self.0[index].0.to_be_bytes());
    }

    fn problem(&self, index: usize, indexed: Option<u64>) -> Option<VerifyProblem> {
        let (event_id, position) = self.0[index];
        check_event_id_entry(Uuid::from_u128(event_id), position, indexed).err()
    }

    fn position(&self, index: usize) -> u64 {
        self.0[index].1
    }
}

/// A merge of one index's key range with the entries it should hold, a round at a time.
struct IndexMerge<E> {
    expected: E,
    /// The first expected entry not yet matched.
    next: usize,
    /// Where the next round reads from; `None` once finished.
    resume: Option<Vec<u8>>,
    /// The end (excluded) of the index's key range.
    end: Vec<u8>,
    /// The problem at the lowest position so far.
    first_problem: Option<VerifyProblem>,
}

impl<E: ExpectedEntries> IndexMerge<E> {
    fn new(prefix: &[u8], expected: E) -> IndexMerge<E> {
        let mut end = prefix.to_vec();
        if let Some(last) = end.last_mut() {
            *last += 1;
        }
        IndexMerge {
            expected,
            next: 0,
            resume: Some(prefix.to_vec()),
            end,
            first_problem: None,
        }
    }

    fn finished(&self) -> bool {
        self.resume.is_none()
    }

    /// Reads up to [`INDEX_ROUND`] entries of the index and checks the expected entries
    /// they settle.
    fn step(&mut self, tree: &sled::Tree) -> Result<(), sled::Error> {
        let Some(from) = self.resume.take() else {
            return Ok(());
        };
        let mut key = Vec::new();
        let mut n_read = 0;
        let mut last_read = None;
        for entry in tree.range(from..self.end.clone()).take(INDEX_ROUND) {
            if self.next == self.expected.len() {
                return Ok(());
            }
            let (stored_key, value) = entry?;
            n_read += 1;
            while self.next < self.expected.len() {
                self.expected.key(self.next, &mut key);
                let indexed = match key.as_slice().cmp(&stored_key) {
                    std::cmp::Ordering::Less => None,
                    std::cmp::Ordering::Equal => keys::decode_u64(&value),
                    std::cmp::Ordering::Greater => break,
                };
                self.settle(self.next, indexed);
                self.next += 1;
            }
            last_read = Some(stored_key);
        }
        match last_read {
            Some(last) if n_read == INDEX_ROUND => {
                let mut resume = last.to_vec();
                resume.push(0);
                self.resume = Some(resume);
            }
            // The index has no more entries: the expected ones left are missing.
            _ => {
                while self.next < self.expected.len() {
                    self.settle(self.next, None);
                    self.next += 1;
                }
            }
        }
        Ok(())
    }

    fn settle(&mut self, index: usize, indexed: Option<u64>) {
        let earlier = self
            .first_problem
            .as_ref()
            .is_none_or(|problem| self.expected.position(index) < problem.position);
        if earlier && let Some(problem) = self.expected.problem(index, indexed) {
            self.first_problem = Some(problem);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use uuid::Uuid;

    use super::{ROUND, verify_on};
    use crate::{SledConfig, SledStore, keys};
    use habeas_store::Envelope;
    use habeas_store::EventStore;
    use habeas_store::StreamId;
    use habeas_store::envelope_hash;
    use habeas_store::verify::{ProblemKind, VerifyReport};
    use habeas_store::{AppendMeta, ExpectedVersion, NewEvent};

    const N_EVENTS: u64 = 60;
    const N_STREAMS: u64 = 7;

    /// A store of `N_EVENTS` events in appends of 1 to 3 events over `N_STREAMS`
    /// streams, far more than a round and a slice (tiny in unit tests).
    async fn filled_store() -> (tempfile::TempDir, SledStore) {
        const { assert!(N_EVENTS as usize > 3 * ROUND) };
        let directory = tempfile::tempdir().expect("temporary directory");
        let store =
            SledStore::open(directory.path().join("store"), SledConfig::default()).expect("open");
        let mut appended = 0;
        let mut turn = 0u64;
        while appended < N_EVENTS {
            let n = (turn % 3 + 1).min(N_EVENTS - appended);
            let stream = StreamId::new(format!("person-{}", turn * 5 % N_STREAMS)).expect("id");
            let events = (0..n)
                .map(|index| NewEvent {
                    event_id: Uuid::now_v7(),
                    event_type: "Noted".into(),
                    schema_version: 1,
                    payload: json!({"turn": turn, "index": index, "text": "Алесь \"Б\"\n"}),
                })
                .collect();
            let meta = AppendMeta {
                recorded_by: "test".into(),
                command_id: turn.is_multiple_of(2).then(Uuid::now_v7),
            };
            store
                .append(&stream, ExpectedVersion::Any, events, meta)
                .await
                .expect("append");
            appended += n;
            turn += 1;
        }
        (directory, store)
    }

    async fn verify(store: &SledStore, workers: usize) -> VerifyReport {
        verify_on(store, &mut |_, _| {}, workers)
            .await
            .expect("verify")
    }

    fn envelope_at(store: &SledStore, position: u64) -> Envelope {
        let bytes = store
            .inner
            .tree
            .get(keys::event_key(position))
            .expect("get")
            .expect("stored");
        serde_json::from_slice(&bytes).expect("envelope")
    }

    fn put_json(store: &SledStore, position: u64, envelope: &Value) {
        store
            .inner
            .tree
            .insert(
                keys::event_key(position),
                serde_json::to_vec(envelope).expect("json"),
            )
            .expect("insert");
    }

    fn edit_payload(store: &SledStore, position: u64) {
        let mut envelope = serde_json::to_value(envelope_at(store, position)).expect("json");
        envelope["payload"]["text"] = "forged".into();
        put_json(store, position, &envelope);
    }

    fn remove(store: &SledStore, key: Vec<u8>) {
        store
            .inner
            .tree
            .remove(key)
            .expect("remove")
            .expect("was there");
    }

    fn stream_key_of(store: &SledStore, position: u64) -> Vec<u8> {
        let envelope = envelope_at(store, position);
        keys::stream_key(&envelope.stream, envelope.version)
    }

    fn id_key_of(store: &SledStore, position: u64) -> Vec<u8> {
        keys::event_id_key(envelope_at(store, position).event_id)
    }

    /// The position of the event of the index entry with the greatest key of `prefix`.
    fn last_indexed(store: &SledStore, prefix: &[u8]) -> (Vec<u8>, u64) {
        let (key, value) = store
            .inner
            .tree
            .scan_prefix(prefix)
            .next_back()
            .expect("an entry")
            .expect("read");
        (key.to_vec(), keys::decode_u64(&value).expect("position"))
    }

    #[test]
    fn sorted_halves_merge_into_one_sorted_whole() {
        let merged = super::merge_sorted(&[1, 3, 3, 8], &[0, 3, 4, 9, 10]);
        assert_eq!(merged, [0, 1, 3, 3, 3, 4, 8, 9, 10]);
        assert!(super::merge_sorted::<u8>(&[], &[]).is_empty());
        assert_eq!(super::merge_sorted(&[2], &[]), [2]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_intact_log_passes_with_steady_progress() {
        let (_directory, store) = filled_store().await;
        for workers in [1, 2, 3] {
            let mut calls = Vec::new();
            let report = verify_on(
                &store,
                &mut |done, total| calls.push((done, total)),
                workers,
            )
            .await
            .expect("verify");
            assert_eq!((report.n_events, report.first_problem), (N_EVENTS, None));
            assert_eq!(calls.last(), Some(&(N_EVENTS, N_EVENTS)));
            assert!(calls.len() > 10, "{calls:?}");
            assert!(
                calls.windows(2).all(|pair| pair[0].0 <= pair[1].0),
                "{calls:?}"
            );
            assert!(
                calls.iter().all(|&(_, total)| total == N_EVENTS),
                "{calls:?}"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn envelopes_stored_in_another_json_form_are_hashed_canonically() {
        let (_directory, store) = filled_store().await;
        for position in [1, 17, N_EVENTS] {
            let envelope = serde_json::to_value(envelope_at(&store, position)).expect("json");
            let pretty = serde_json::to_vec_pretty(&envelope).expect("json");
            store
                .inner
                .tree
                .insert(keys::event_key(position), pretty)
                .expect("insert");
        }
        for workers in [1, 2] {
            assert!(verify(&store, workers).await.is_ok());
        }
    }

    /// A way to damage a store, and where and how `verify` must name the damage.
    struct Damage {
        what: &'static str,
        damage: fn(&SledStore),
        position: fn(&SledStore) -> u64,
        kind: ProblemKind,
        detail: &'static str,
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_first_problem_in_log_order_is_named() {
        let damages = [
            Damage {
                what: "a changed payload",
                damage: |store| edit_payload(store, 37),
                position: |_| 37,
                kind: ProblemKind::HashMismatch,
                detail: "the event was altered",
            },
            Damage {
                what: "a removed event",
                damage: |store| remove(store, keys::event_key(17)),
                position: |_| 17,
                kind: ProblemKind::Missing,
                detail: "no event is stored at position 17",
            },
            Damage {
                what: "garbage",
                damage: |store| {
                    store
                        .inner
                        .tree
                        .insert(keys::event_key(33), b"{\"position\": nope".to_vec())
                        .expect("insert");
                },
                position: |_| 33,
                kind: ProblemKind::Undecodable,
                detail: "not a valid envelope",
            },
            Damage {
                what: "a malformed key",
                damage: |store| {
                    let mut key = keys::event_key(25);
                    key.push(b'x');
                    store
                        .inner
                        .tree
                        .insert(key, b"{}".to_vec())
                        .expect("insert");
                },
                position: |_| 26,
                kind: ProblemKind::Undecodable,
                detail: "malformed event key",
            },
            Damage {
                what: "a rewritten event with a recomputed hash",
                damage: |store| {
                    let mut envelope = envelope_at(store, 44);
                    envelope.payload = json!({"forged": true});
                    envelope.hash = envelope_hash(&envelope).expect("hash");
                    put_json(store, 44, &serde_json::to_value(envelope).expect("json"));
                },
                position: |_| 45,
                kind: ProblemKind::BrokenLink,
                detail: "prev_hash is",
            },
            Damage {
                what: "a removed stream index entry",
                damage: |store| remove(store, stream_key_of(store, 20)),
                position: |_| 20,
                kind: ProblemKind::IndexMismatch,
                detail: "points at None instead of this event",
            },
            Damage {
                what: "a redirected event-id entry before a removed stream entry",
                damage: |store| {
                    store
                        .inner
                        .tree
                        .insert(id_key_of(store, 10), 3u64.to_be_bytes().to_vec())
                        .expect("insert");
                    remove(store, stream_key_of(store, 20));
                },
                position: |_| 10,
                kind: ProblemKind::IndexMismatch,
                detail: "is indexed at position 3",
            },
            Damage {
                what: "both index entries of one event",
                damage: |store| {
                    remove(store, id_key_of(store, 10));
                    store
                        .inner
                        .tree
                        .insert(stream_key_of(store, 10), 11u64.to_be_bytes().to_vec())
                        .expect("insert");
                },
                position: |_| 10,
                kind: ProblemKind::IndexMismatch,
                detail: "points at Some(11) instead of this event",
            },
            Damage {
                what: "a chain problem before an index problem",
                damage: |store| {
                    edit_payload(store, 30);
                    remove(store, stream_key_of(store, 40));
                },
                position: |_| 30,
                kind: ProblemKind::HashMismatch,
                detail: "the event was altered",
            },
            Damage {
                what: "an index problem before a chain problem",
                damage: |store| {
                    edit_payload(store, 30);
                    remove(store, id_key_of(store, 20));
                },
                position: |_| 20,
                kind: ProblemKind::IndexMismatch,
                detail: "missing from the event-id index",
            },
            Damage {
                what: "the last stream index entry removed",
                damage: |store| remove(store, last_indexed(store, b"s/").0),
                position: |store| last_indexed(store, b"s/").1,
                kind: ProblemKind::IndexMismatch,
                detail: "points at None",
            },
            Damage {
                what: "the last event-id entry removed",
                damage: |store| remove(store, last_indexed(store, keys::EVENT_ID_PREFIX).0),
                position: |store| last_indexed(store, keys::EVENT_ID_PREFIX).1,
                kind: ProblemKind::IndexMismatch,
                detail: "missing from the event-id index",
            },
            Damage {
                what: "the head marker past the log",
                damage: |store| {
                    store
                        .inner
                        .tree
                        .insert(keys::HEAD_KEY, (N_EVENTS + 2).to_be_bytes().to_vec())
                        .expect("insert");
                },
                position: |_| N_EVENTS + 1,
                kind: ProblemKind::Missing,
                detail: "recorded head",
            },
        ];
        for damage in damages {
            let (_directory, store) = filled_store().await;
            // Where the damage is must be read before it is done.
            let position = (damage.position)(&store);
            (damage.damage)(&store);
            for workers in [1, 2, 3] {
                let report = verify(&store, workers).await;
                let problem = report
                    .first_problem
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}: nothing found", damage.what));
                assert_eq!(
                    (problem.position, problem.kind),
                    (position, damage.kind),
                    "{}: {problem}",
                    damage.what
                );
                assert!(
                    problem.detail.contains(damage.detail),
                    "{}: {problem}",
                    damage.what
                );
                assert_eq!(report.n_events, position - 1, "{}", damage.what);
            }
        }
    }
}
