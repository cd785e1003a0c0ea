//! The projector: one batch of the log in, its changes to a generation tree
//! out (see `writes.rs` for how they are written).
//!
//! A batch carries, for every stream it touches, the events of that stream
//! before the batch (`priors`, read from the store by the replay): a person's
//! row is derived from their whole stream, because a fact recorded late may
//! have happened first and a correction may change any earlier fact. The
//! read model keeps no copy of the streams; the log is their one home.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use habeas_domain::date::PartialDate;
use habeas_domain::event::Event;
use habeas_domain::history::{CaseFile, RecordedEvent};
use habeas_domain::id::{PersonId, StatementId};
use habeas_domain::provenance;
use habeas_store::{Envelope, StoredEnvelope};
use serde::{Deserialize, Serialize};

use crate::decode::{Recorded, decode_stored, into_recorded};
use crate::derive::build_row;
use crate::error::ProjectionError;
use crate::keys;
use crate::names::{fold, slug_candidates};
use crate::row::{PersonStatus, RowContext, StoredRow};
use crate::writes::{Commit, Reads, Writes};

/// Whose stream an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Subject {
    Person(PersonId),
    Statement(StatementId),
}

impl Subject {
    /// The name of the subject's stream.
    pub(crate) fn stream_name(&self) -> String {
        match self {
            Subject::Person(id) => id.stream_name(),
            Subject::Statement(id) => id.stream_name(),
        }
    }

    /// The subject of a stream name; `None` for streams the projections ignore.
    pub(crate) fn of_stream(stream: &str) -> Option<Subject> {
        if let Some(id) = stream.strip_prefix("person-") {
            id.parse().ok().map(Subject::Person)
        } else if let Some(id) = stream.strip_prefix("statement-") {
            id.parse().ok().map(Subject::Statement)
        } else {
            None
        }
    }
}

/// A page of the log read as domain events, ready to apply.
#[derive(Debug, Default)]
pub(crate) struct DecodedBatch {
    /// Positions covered, first and last (0, 0 when empty).
    pub(crate) first_position: u64,
    pub(crate) last_position: u64,
    /// The hash of the last envelope, kept with the checkpoint.
    pub(crate) last_hash: String,
    /// The events of the streams the projections read, in log order, with
    /// their global position and stream version: the pages as read, one
    /// after the other (see [`DecodedBatch::extend`]).
    pub(crate) pages: Vec<Vec<ProjectedEvent>>,
    /// For each stream the batch touches, its events before the batch, in
    /// stream order (absent: the batch starts the stream).
    pub(crate) priors: HashMap<Subject, Vec<RecordedEvent>>,
}

/// One event of a projected stream.
#[derive(Debug)]
pub(crate) struct ProjectedEvent {
    pub(crate) subject: Subject,
    pub(crate) position: u64,
    pub(crate) version: u64,
    pub(crate) recorded: Recorded,
}

impl DecodedBatch {
    /// Appends the next contiguous page. Its events stay in the page they
    /// were read into: copying them into one vector for a build's chunk
    /// moved megabytes, and asked the system for fresh memory, at every
    /// chunk.
    pub(crate) fn extend(&mut self, next: DecodedBatch) {
        if next.is_empty() {
            return;
        }
        if self.is_empty() {
            *self = next;
            return;
        }
        self.last_position = next.last_position;
        self.last_hash = next.last_hash;
        self.pages.extend(next.pages);
        for (subject, prior) in next.priors {
            // A stream's priors come with its first page in the batch.
            self.priors.entry(subject).or_insert(prior);
        }
    }

    /// One page read from the log: positions `first..=last`, the hash of
    /// the last envelope, and the events of the projected streams among them.
    fn page(first: u64, last: u64, last_hash: String, events: Vec<ProjectedEvent>) -> Self {
        DecodedBatch {
            first_position: first,
            last_position: last,
            last_hash,
            pages: vec![events],
            priors: HashMap::new(),
        }
    }

    /// Reads a contiguous page of stored envelopes, decoding only what the
    /// projections read (see [`decode_stored`]).
    pub(crate) fn decode_stored(
        stored: Vec<StoredEnvelope>,
    ) -> Result<DecodedBatch, ProjectionError> {
        let Some(first_position) = stored.first().map(|first| first.position) else {
            return Ok(DecodedBatch::default());
        };
        let mut events = Vec::with_capacity(stored.len());
        let (mut last_position, mut last_hash) = (0, String::new());
        for (expected, envelope) in (first_position..).zip(stored) {
            let decoded = decode_stored(envelope)?;
            if decoded.position != expected {
                return Err(ProjectionError::Gap {
                    expected,
                    found: decoded.position,
                });
            }
            last_position = decoded.position;
            last_hash = decoded.hash;
            events.extend(decoded.event);
        }
        Ok(DecodedBatch::page(
            first_position,
            last_position,
            last_hash,
            events,
        ))
    }

    /// The batch's events in log order.
    pub(crate) fn events(&self) -> impl Iterator<Item = &ProjectedEvent> {
        self.pages.iter().flatten()
    }

    /// Adds the earlier events of streams the batch touches (read with
    /// `replay::priors`), in stream order.
    pub(crate) fn add_priors(&mut self, priors: Vec<Envelope>) -> Result<(), ProjectionError> {
        for envelope in priors {
            if let Some(subject) = Subject::of_stream(envelope.stream.as_str()) {
                self.priors
                    .entry(subject)
                    .or_default()
                    .push(into_recorded(envelope)?);
            }
        }
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.last_position == 0
    }
}

/// A statement naming a person, as kept under `t/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct StatementRef {
    pub(crate) occurred: PartialDate,
    pub(crate) id: StatementId,
}

/// The stored checkpoint of a tree: position and hash (0 and "" when new).
pub(crate) fn checkpoint(tree: &sled::Tree) -> Result<(u64, String), ProjectionError> {
    Reads::of(tree).checkpoint()
}

pub(crate) fn decode_json<T: for<'de> Deserialize<'de>>(
    key: &[u8],
    value: &[u8],
) -> Result<T, ProjectionError> {
    serde_json::from_slice(value).map_err(|error| ProjectionError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason: error.to_string(),
    })
}

pub(crate) fn encode_json<T: Serialize>(
    what: &'static str,
    value: &T,
) -> Result<Vec<u8>, ProjectionError> {
    serde_json::to_vec(value).map_err(|source| ProjectionError::Encode { what, source })
}

pub(crate) fn load_row(
    reads: Reads<'_>,
    person: PersonId,
) -> Result<Option<StoredRow>, ProjectionError> {
    let key = keys::person(person);
    reads
        .get(&key)?
        .map(|value| decode_json(&key, &value))
        .transpose()
}

fn load_statements(
    reads: Reads<'_>,
    known: Option<&Known>,
    person: PersonId,
) -> Result<BTreeSet<StatementRef>, ProjectionError> {
    if known.is_some_and(|known| !known.with_statements.contains(&person)) {
        return Ok(BTreeSet::new());
    }
    let key = keys::statements(person);
    match reads.get(&key)? {
        None => Ok(BTreeSet::new()),
        Some(value) => decode_json(&key, &value),
    }
}

/// The people a statement stream names, as it stands (corrections applied,
/// retracted statements naming no one).
pub(crate) fn statement_about(history: &[RecordedEvent]) -> Vec<(PersonId, PartialDate)> {
    let file = CaseFile::from_history(history);
    let mut about = Vec::new();
    for entry in file.live_entries() {
        if let Event::StatementIssued(statement) = &entry.effective {
            for person in &statement.about {
                about.push((*person, statement.facts.occurred));
            }
        }
    }
    about
}

/// The people an event of a statement stream names: a statement, or a
/// correction of one. A person named once stays findable from the statement
/// (under `a/`) even after a correction or retraction drops them, so that a
/// report as known at an earlier time still finds it; this depends on each
/// event alone, not on how the log was cut into batches.
pub(crate) fn named_by(event: &Event) -> &[PersonId] {
    match event {
        Event::StatementIssued(statement) => &statement.about,
        Event::EventCorrected(correction) => match correction.corrected.as_ref() {
            Event::StatementIssued(statement) => &statement.about,
            _ => &[],
        },
        _ => &[],
    }
}

/// The folded names a row is found by: its name and aliases.
pub(crate) fn folded_names(row: &PersonStatus) -> BTreeSet<String> {
    row.identity
        .iter()
        .flat_map(|identity| std::iter::once(&identity.name).chain(identity.aliases.iter()))
        .map(|name| fold(name))
        .filter(|folded| !folded.is_empty())
        .collect()
}

/// Every index entry a row puts in the tree (the slug key aside), key to
/// value: its names and aliases, and its headline with the days the
/// headline holds.
pub(crate) fn index_entries(row: &PersonStatus) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut found: BTreeMap<Vec<u8>, Vec<u8>> = folded_names(row)
        .iter()
        .map(|folded| (keys::name(folded, row.person), Vec::new()))
        .collect();
    found.insert(
        keys::headline(row.headline, row.person),
        keys::headline_window(row.window.valid_from, row.window.headline_until),
    );
    found
}

/// What a build has written to its generation so far that applying
/// consults: every slug taken and everyone with a statements entry. A
/// build writes every key of its generation, so it knows these without
/// reading the tree (most people have no statements entry, and a miss costs
/// a walk down the tree).
#[derive(Debug, Default)]
pub(crate) struct Known {
    slugs: HashSet<String>,
    with_statements: HashSet<PersonId>,
}

/// The changes a decoded batch makes to the tree `reads` reads, with the
/// checkpoint after it; `None` when the checkpoint already covers the batch.
/// Events at or before the checkpoint are taken as applied; a batch that
/// starts after the position following the checkpoint is refused. Each
/// person and statement the batch touches is loaded, derived and written
/// once, however many of its events the batch holds.
///
/// `known`: what a build knows of the generation it writes (see [`Known`]),
/// kept up to date here; `None` for the generation in service.
///
/// The steps: group the batch's events by subject; apply each statement
/// (the `a/` keys, and the sets of statements naming each person it
/// touches); write those sets; derive and write each person's row; rewrite
/// the rows of people whose statements changed but who had no event here.
pub(crate) fn apply(
    reads: Reads<'_>,
    batch: DecodedBatch,
    known: Option<&mut Known>,
) -> Result<Option<Commit>, ProjectionError> {
    let (checkpoint, _) = reads.checkpoint()?;
    if batch.is_empty() || batch.last_position <= checkpoint {
        return Ok(None);
    }
    if batch.first_position > checkpoint + 1 {
        return Err(ProjectionError::Gap {
            expected: checkpoint + 1,
            found: batch.first_position,
        });
    }
    let DecodedBatch {
        pages,
        priors,
        last_position,
        last_hash,
        ..
    } = batch;
    let touched = group_by_subject(pages, priors, checkpoint)?;
    let mut application = Application::new(reads, known, touched.len());
    let mut persons = Vec::with_capacity(touched.len());
    for (subject, touched) in touched {
        match subject {
            Subject::Person(person) => persons.push((person, touched)),
            Subject::Statement(statement) => application.statement(statement, touched)?,
        }
    }
    application.write_statement_sets()?;
    for (person, touched) in persons {
        application.person(person, touched)?;
    }
    application.refresh_named_only()?;
    Ok(Some(application.writes.finish(last_position, last_hash)))
}

/// A subject's events as one batch sees them.
struct Touched {
    /// Already applied: before the batch, and any in the batch at or before
    /// the checkpoint.
    applied: Vec<RecordedEvent>,
    /// After the checkpoint, with their positions, in log order.
    new: Vec<(u64, RecordedEvent)>,
}

/// The batch's events by subject, in order of each subject's first event,
/// each after the subject's earlier events (`priors`); subjects with no new
/// event are left out. Provenance is dropped from every event
/// ([`provenance::strip`]): rows are derived with the domain's `standing`,
/// which never reads it, and the fold copies every fact.
fn group_by_subject(
    pages: Vec<Vec<ProjectedEvent>>,
    mut priors: HashMap<Subject, Vec<RecordedEvent>>,
    checkpoint: u64,
) -> Result<Vec<(Subject, Touched)>, ProjectionError> {
    let mut grouped: Vec<(Subject, Touched)> = Vec::new();
    let mut slot: HashMap<Subject, usize> = HashMap::new();
    for ProjectedEvent {
        subject,
        position,
        recorded,
        ..
    } in pages.into_iter().flatten()
    {
        let mut event = recorded.decode()?;
        provenance::strip(&mut event);
        let idx = *slot.entry(subject).or_insert_with(|| {
            let mut applied = priors.remove(&subject).unwrap_or_default();
            applied.iter_mut().for_each(provenance::strip);
            grouped.push((
                subject,
                Touched {
                    applied,
                    new: Vec::new(),
                },
            ));
            grouped.len() - 1
        });
        let touched = &mut grouped[idx].1;
        if position <= checkpoint {
            touched.applied.push(event);
        } else {
            touched.new.push((position, event));
        }
    }
    grouped.retain(|(_, touched)| !touched.new.is_empty());
    Ok(grouped)
}

/// One batch being applied: the tree it reads, the changes decided so far,
/// and what the steps tell each other.
struct Application<'r, 'k> {
    reads: Reads<'r>,
    known: Option<&'k mut Known>,
    writes: Writes,
    /// The statements naming each person whose set the batch changes.
    statements: HashMap<PersonId, BTreeSet<StatementRef>>,
    /// Everyone whose set of statements the batch changes.
    refresh: BTreeSet<PersonId>,
    /// The slugs given in this batch.
    slugs_taken_here: HashSet<String>,
    /// Everyone whose row the batch has written.
    done: HashSet<PersonId>,
}

impl<'r, 'k> Application<'r, 'k> {
    fn new(reads: Reads<'r>, known: Option<&'k mut Known>, subjects: usize) -> Self {
        Application {
            reads,
            known,
            // About five keys per person (row, slug, headline, names), sized
            // once: grown by doubling, this was most of the fresh memory a
            // build's worker asked of the system.
            writes: Writes::with_capacity(subjects * 5),
            statements: HashMap::new(),
            refresh: BTreeSet::new(),
            slugs_taken_here: HashSet::new(),
            done: HashSet::new(),
        }
    }

    /// Applies a statement's new events: an `a/` key for everyone each
    /// names, and, when who it names (or when) changes, the set of
    /// statements naming each person concerned.
    fn statement(
        &mut self,
        statement: StatementId,
        touched: Touched,
    ) -> Result<(), ProjectionError> {
        let old_about = statement_about(&touched.applied);
        let mut after = touched.applied;
        for (_, event) in touched.new {
            for person in named_by(&event.event) {
                self.writes
                    .insert(keys::named(*person, statement), Vec::new());
            }
            after.push(event);
        }
        let new_about = statement_about(&after);
        if old_about == new_about {
            return Ok(());
        }
        let concerned: BTreeSet<PersonId> = old_about
            .iter()
            .chain(new_about.iter())
            .map(|(person, _)| *person)
            .collect();
        for person in concerned {
            let set = match self.statements.entry(person) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => {
                    entry.insert(load_statements(self.reads, self.known.as_deref(), person)?)
                }
            };
            set.retain(|reference| reference.id != statement);
            for (_, occurred) in new_about.iter().filter(|(p, _)| *p == person) {
                set.insert(StatementRef {
                    occurred: *occurred,
                    id: statement,
                });
            }
            self.refresh.insert(person);
        }
        Ok(())
    }

    /// Writes the changed sets of statements under `t/`.
    fn write_statement_sets(&mut self) -> Result<(), ProjectionError> {
        for (person, set) in &self.statements {
            // No key for no statements, so that the stored bytes do not
            // depend on whether a statement and the correction dropping a
            // person came in one batch or two.
            if set.is_empty() {
                self.writes.remove(keys::statements(*person));
            } else {
                self.writes
                    .insert(keys::statements(*person), encode_json("statements", set)?);
            }
            if let Some(known) = self.known.as_deref_mut() {
                if set.is_empty() {
                    known.with_statements.remove(person);
                } else {
                    known.with_statements.insert(*person);
                }
            }
        }
        Ok(())
    }

    /// Derives a person's row from their whole stream, gives them a slug on
    /// registration, and writes the row with its index entries.
    fn person(&mut self, person: PersonId, touched: Touched) -> Result<(), ProjectionError> {
        self.done.insert(person);
        // No event of the person applied yet: no row to replace (a build
        // meets most people this way).
        let old_row = if touched.applied.is_empty() {
            None
        } else {
            load_row(self.reads, person)?
        };
        let Some((last_position, _)) = touched.new.last() else {
            return Ok(());
        };
        let last_position = *last_position;
        let mut history = touched.applied;
        history.extend(touched.new.into_iter().map(|(_, event)| event));
        let Some(last) = history.last() else {
            return Ok(());
        };
        let set = match self.statements.get(&person) {
            Some(set) => set.clone(),
            None => load_statements(self.reads, self.known.as_deref(), person)?,
        };
        let context = RowContext {
            slug: old_row.as_ref().and_then(|row| row.slug.clone()),
            statements: set.iter().map(|reference| reference.id).collect(),
            last_position,
            last_event: last.id,
        };
        let (mut stored, mut row) = build_row(person, &history, context);
        if row.slug.is_none()
            && let Some(name) = registered_name(&history)
        {
            let slug = self.free_slug(name, person)?;
            stored.slug = Some(slug.clone());
            row.slug = Some(slug);
        }
        let old = old_row.as_ref().map(StoredRow::as_stored);
        write_row(&mut self.writes, old.as_ref(), &stored, &row)
    }

    /// The first slug of `name` no one holds, taken for `person`.
    fn free_slug(&mut self, name: &str, person: PersonId) -> Result<String, ProjectionError> {
        let slug = first_free_slug(name, person, |candidate| {
            Ok(self.slugs_taken_here.contains(candidate)
                || match self.known.as_deref() {
                    Some(known) => known.slugs.contains(candidate),
                    None => self.reads.contains_key(&keys::slug(candidate))?,
                })
        })?;
        self.writes
            .insert(keys::slug(&slug), person.as_uuid().as_bytes().to_vec());
        self.slugs_taken_here.insert(slug.clone());
        if let Some(known) = self.known.as_deref_mut() {
            known.slugs.insert(slug.clone());
        }
        Ok(slug)
    }

    /// Rewrites the rows of people whose statements changed and who had no
    /// event in the batch: a row lists the statements naming the person.
    fn refresh_named_only(&mut self) -> Result<(), ProjectionError> {
        for person in std::mem::take(&mut self.refresh) {
            if self.done.contains(&person) {
                continue;
            }
            // A statement about someone whose stream is not (yet) projected
            // waits under `t/` for their first event.
            let Some(old_stored) = load_row(self.reads, person)? else {
                continue;
            };
            let set = self.statements.get(&person).cloned().unwrap_or_default();
            let stored = StoredRow {
                statements: set.iter().map(|reference| reference.id).collect(),
                ..old_stored.clone()
            };
            let row = stored.as_stored();
            write_row(
                &mut self.writes,
                Some(&old_stored.as_stored()),
                &stored,
                &row,
            )?;
        }
        Ok(())
    }
}

/// The name a person was registered under: their slug comes from it, so
/// that it does not depend on how the log was cut into batches.
pub(crate) fn registered_name(history: &[RecordedEvent]) -> Option<&str> {
    history.iter().find_map(|recorded| match &recorded.event {
        Event::PersonRegistered(registration) => Some(registration.name.as_str()),
        _ => None,
    })
}

/// The first free slug of a person registered under `name`, given the
/// slugs `is_taken` knows of.
pub(crate) fn first_free_slug(
    name: &str,
    person: PersonId,
    mut is_taken: impl FnMut(&str) -> Result<bool, ProjectionError>,
) -> Result<String, ProjectionError> {
    let candidates = slug_candidates(name, person);
    for candidate in &candidates {
        if !is_taken(candidate)? {
            return Ok(candidate.clone());
        }
    }
    // The last candidate holds the whole id, which no one else has.
    Ok(candidates[2].clone())
}

/// Writes `stored` (which reads as `row` when stored) and its index keys,
/// removing those of the row it replaces.
fn write_row(
    writes: &mut Writes,
    old: Option<&PersonStatus>,
    stored: &StoredRow,
    row: &PersonStatus,
) -> Result<(), ProjectionError> {
    let entries = index_entries(row);
    if let Some(old) = old {
        for key in index_entries(old).into_keys() {
            if !entries.contains_key(&key) {
                writes.remove(key);
            }
        }
    }
    for (key, value) in entries {
        writes.insert(key, value);
    }
    writes.insert(
        keys::person(row.person),
        encode_json("a status row", stored)?,
    );
    Ok(())
}
