//! The audit: every person replayed from the log with the domain's
//! `status()` and compared with what the read model stores and answers.
//! This is how a user proves that a published status is what the log says.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use habeas_domain::event::Event;
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{EventId, PersonId, StatementId};
use habeas_store::{Envelope, EventStore};
use serde_json::Value;

use crate::apply::{
    StatementRef, Subject, encode_json, first_free_slug, index_entries, load_row, named_by,
    statement_about,
};
use crate::blocking::blocking;
use crate::decode::recorded;
use crate::derive::{build_row, status_on};
use crate::error::ProjectionError;
use crate::keys;
use crate::lookup::row_on;
use crate::projections::{Projections, check_same_log};
use crate::row::{PersonStatus, RowContext, StoredRow};
use crate::writes::Reads;

/// One way the read model disagrees with the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Whose entry.
    pub person: PersonId,
    /// Which field (`headline`, `figures`, `index` …), with the day when it
    /// is an answer for a day rather than the stored row.
    pub field: String,
    /// What the read model holds or answers, as JSON text (or `absent`).
    pub stored: String,
    /// What replaying the log gives, as JSON text (or `absent`).
    pub replayed: String,
}

/// What an audit compared and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// The log was replayed up to this position: the read model's checkpoint.
    pub checkpoint: u64,
    /// The day the answers were compared for.
    pub as_of: NaiveDate,
    /// How many people the log holds.
    pub n_people: usize,
    /// Every difference found; empty when the read model is the log's.
    pub differences: Vec<Difference>,
}

impl AuditReport {
    /// Whether the read model agrees with the log everywhere.
    pub fn is_clean(&self) -> bool {
        self.differences.is_empty()
    }
}

/// What the log says, gathered in one scan up to the checkpoint.
#[derive(Default)]
struct LogFacts {
    people: Vec<PersonId>,
    slugs: HashMap<PersonId, String>,
    statements: BTreeMap<StatementId, Vec<RecordedEvent>>,
}

impl Projections {
    /// Replays every person of the log (up to the read model's checkpoint)
    /// and compares: each stored row (its standing included) with the row
    /// replay gives, each answer for `as_of` with `status()` on that day, and
    /// every index entry (headline with the days it holds, names, slug,
    /// statements naming the person) both ways.
    /// Live updates wait while the audit runs.
    pub async fn audit(
        &self,
        store: &dyn EventStore,
        as_of: NaiveDate,
    ) -> Result<AuditReport, ProjectionError> {
        self.audit_with_progress(store, as_of, &mut |_, _, _| {})
            .await
    }

    /// [`Projections::audit`], calling `progress(unit, done, total)` as it
    /// goes: first over the log's events (`unit` "events"), then over the
    /// people it replays (`unit` "people").
    pub async fn audit_with_progress(
        &self,
        store: &dyn EventStore,
        as_of: NaiveDate,
        progress: &mut (dyn FnMut(&'static str, u64, u64) + Send),
    ) -> Result<AuditReport, ProjectionError> {
        let _turn = self.take_turn().await;
        let tree = self.active();
        let (_, checkpoint) = check_same_log(&tree, store).await?;
        let log = scan_log(store, checkpoint, self.config().page_size, &mut |done| {
            progress("events", done, checkpoint)
        })
        .await?;
        let n_people = log.people.len() as u64;

        let mut statements: HashMap<PersonId, BTreeSet<StatementRef>> = HashMap::new();
        for (statement, history) in &log.statements {
            for (person, occurred) in statement_about(history) {
                statements.entry(person).or_default().insert(StatementRef {
                    occurred,
                    id: *statement,
                });
            }
        }

        let mut differences = Vec::new();
        // Index keys the log gives, with the value each must hold (`None`:
        // checked elsewhere, the slug index below).
        let mut expected_keys: HashMap<Vec<u8>, Option<Vec<u8>>> = HashMap::new();
        for (statement, history) in &log.statements {
            for recorded in history {
                for person in named_by(&recorded.event) {
                    expected_keys.insert(keys::named(*person, *statement), Some(Vec::new()));
                }
            }
        }
        let known = Arc::new(Known {
            slugs: log.slugs,
            statements,
        });
        let mut done = 0;
        for people in log.people.chunks(PEOPLE_PER_STEP) {
            progress("people", done, n_people);
            done += people.len() as u64;
            // Each person's stream from the log, then the comparisons (sled
            // reads, deriving) on the blocking pool.
            let mut streams = Vec::with_capacity(people.len());
            for person in people {
                let stream = habeas_store::StreamId::new(person.stream_name())?;
                let envelopes: Vec<Envelope> = store
                    .read_stream(&stream, 1)
                    .await?
                    .into_iter()
                    .filter(|envelope| envelope.position <= checkpoint)
                    .collect();
                streams.push((*person, envelopes));
            }
            let step = {
                let (tree, known) = (Arc::clone(&tree), Arc::clone(&known));
                blocking(move || compare_people(&tree, &known, streams, as_of)).await?
            };
            differences.extend(step.differences);
            expected_keys.extend(step.expected_keys);
            // Answers for a day before one of the row's facts: from the log.
            for (stored, expected) in step.earlier {
                let person = stored.person;
                let mut differ = |field: String, stored: String, replayed: String| {
                    differences.push(Difference {
                        person,
                        field,
                        stored,
                        replayed,
                    });
                };
                match row_on(store, &stored, as_of).await {
                    Ok(answer) => compare(
                        &encode_json("a status row", &answer)?,
                        &encode_json("a status row", &expected)?,
                        &format!(" on {as_of}"),
                        &mut differ,
                    ),
                    Err(error) => differ(
                        format!("answer on {as_of}"),
                        error.to_string(),
                        "readable".into(),
                    ),
                }
            }
        }
        progress("people", n_people, n_people);

        let people: HashSet<PersonId> = log.people.iter().copied().collect();
        let unexpected =
            blocking(move || compare_keys(&tree, &known, &people, &expected_keys)).await?;
        differences.extend(unexpected);
        Ok(AuditReport {
            checkpoint,
            as_of,
            n_people: log.people.len(),
            differences,
        })
    }
}

/// How many people one step of the audit reads from the log, then compares
/// on the blocking pool.
const PEOPLE_PER_STEP: usize = 256;

/// What the log gives besides each person's stream: slugs, and the
/// statements naming each person.
struct Known {
    slugs: HashMap<PersonId, String>,
    statements: HashMap<PersonId, BTreeSet<StatementRef>>,
}

/// What comparing some people found.
struct Step {
    differences: Vec<Difference>,
    /// Index keys their replayed rows give, with the value each must hold.
    expected_keys: HashMap<Vec<u8>, Option<Vec<u8>>>,
    /// Stored rows whose answer for the day needs the log (a day before one
    /// of their facts), with the answer replay gives.
    earlier: Vec<(StoredRow, PersonStatus)>,
}

/// Compares each person's stored row with the row their stream (`streams`,
/// from the log up to the checkpoint) gives, and the answer for `as_of`
/// with `status()` on that day.
fn compare_people(
    tree: &sled::Tree,
    known: &Known,
    streams: Vec<(PersonId, Vec<Envelope>)>,
    as_of: NaiveDate,
) -> Result<Step, ProjectionError> {
    let mut step = Step {
        differences: Vec::new(),
        expected_keys: HashMap::new(),
        earlier: Vec::new(),
    };
    for (person, envelopes) in streams {
        let mut differ = |field: String, stored: String, replayed: String| {
            step.differences.push(Difference {
                person,
                field,
                stored,
                replayed,
            });
        };
        let Some(last) = envelopes.last() else {
            continue;
        };
        let history = envelopes
            .iter()
            .map(recorded)
            .collect::<Result<Vec<_>, _>>()?;
        let context = RowContext {
            slug: known.slugs.get(&person).cloned(),
            statements: known
                .statements
                .get(&person)
                .map(|set| set.iter().map(|reference| reference.id).collect())
                .unwrap_or_default(),
            last_position: last.position,
            last_event: EventId::from_uuid(last.event_id),
        };
        let (expected, expected_row) = build_row(person, &history, context.clone());
        step.expected_keys.extend(
            index_entries(&expected_row)
                .into_iter()
                .map(|(key, value)| (key, Some(value))),
        );
        if let Some(slug) = &expected.slug {
            step.expected_keys.insert(keys::slug(slug), None);
        }

        match tree.get(keys::person(person))? {
            None => differ("row".into(), "absent".into(), "present".into()),
            Some(bytes) => compare(&bytes, &encode_json("a row", &expected)?, "", &mut differ),
        }

        let replayed_on = PersonStatus::from_status(
            person,
            &status_on(&history, as_of),
            context,
            expected.window,
        );
        // The answer the read model gives (`Projections::status`).
        match load_row(Reads::of(tree), person) {
            Ok(Some(stored)) if as_of < stored.window.valid_from => {
                step.earlier.push((stored, replayed_on));
            }
            Ok(Some(stored)) => compare(
                &encode_json("a status row", &stored.on(as_of))?,
                &encode_json("a status row", &replayed_on)?,
                &format!(" on {as_of}"),
                &mut differ,
            ),
            Ok(None) => {}
            Err(error) => differ(
                format!("answer on {as_of}"),
                error.to_string(),
                "readable".into(),
            ),
        }
    }
    Ok(step)
}

/// Every row of someone the log does not hold, and every index entry the
/// log does not give, gives with another value, or gives and the tree lacks.
fn compare_keys(
    tree: &sled::Tree,
    known: &Known,
    people: &HashSet<PersonId>,
    expected_keys: &HashMap<Vec<u8>, Option<Vec<u8>>>,
) -> Result<Vec<Difference>, ProjectionError> {
    let mut differences = Vec::new();
    for entry in tree.scan_prefix(keys::PERSON) {
        let (key, _) = entry?;
        if let Some(person) = keys::person_at_end(&key)
            && !people.contains(&person)
        {
            differences.push(Difference {
                person,
                field: "row".into(),
                stored: "present".into(),
                replayed: "absent from the log".into(),
            });
        }
    }
    let whose = |key: &[u8]| {
        keys::person_of_index_key(key).unwrap_or_else(|| PersonId::from_uuid(uuid::Uuid::nil()))
    };
    for prefix in [keys::HEADLINE, keys::NAME, keys::NAMED] {
        for entry in tree.scan_prefix(prefix) {
            let (key, value) = entry?;
            match expected_keys.get(key.as_ref()) {
                None => differences.push(Difference {
                    person: whose(&key),
                    field: "index".into(),
                    stored: String::from_utf8_lossy(&key).into_owned(),
                    replayed: "absent".into(),
                }),
                Some(Some(expected)) if expected.as_slice() != value.as_ref() => {
                    differences.push(Difference {
                        person: whose(&key),
                        field: format!("index {}", String::from_utf8_lossy(&key)),
                        stored: format!("{:?}", keys::decode_headline_window(&value)),
                        replayed: format!("{:?}", keys::decode_headline_window(expected)),
                    })
                }
                Some(_) => {}
            }
        }
    }
    for key in expected_keys.keys() {
        if !tree.contains_key(key)? {
            differences.push(Difference {
                person: whose(key),
                field: "index".into(),
                stored: "absent".into(),
                replayed: String::from_utf8_lossy(key).into_owned(),
            });
        }
    }
    for entry in tree.scan_prefix(keys::SLUG) {
        let (key, value) = entry?;
        let person = keys::person_from_value(&value);
        let expected = person.and_then(|person| known.slugs.get(&person));
        if expected.map(|slug| keys::slug(slug)) != Some(key.to_vec()) {
            differences.push(Difference {
                person: person.unwrap_or_else(|| PersonId::from_uuid(uuid::Uuid::nil())),
                field: "slug index".into(),
                stored: String::from_utf8_lossy(&key).into_owned(),
                replayed: expected.cloned().unwrap_or_else(|| "absent".into()),
            });
        }
    }
    Ok(differences)
}

/// Scans the log up to `checkpoint`: the people in order of first event, the
/// slugs they get (assigned in registration order, like the projector does),
/// and every statement's history.
async fn scan_log(
    store: &dyn EventStore,
    checkpoint: u64,
    page_size: usize,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<LogFacts, ProjectionError> {
    let mut log = LogFacts::default();
    let mut seen: HashSet<PersonId> = HashSet::new();
    let mut taken: HashSet<String> = HashSet::new();
    let mut next = 1;
    while next <= checkpoint {
        let page = store.read_all(next, page_size.max(1)).await?;
        let Some(last) = page.last() else { break };
        next = last.position + 1;
        progress(last.position.min(checkpoint));
        for envelope in page.iter().filter(|e| e.position <= checkpoint) {
            match Subject::of_stream(envelope.stream.as_str()) {
                Some(Subject::Person(person)) => {
                    if seen.insert(person) {
                        log.people.push(person);
                    }
                    if envelope.event_type == "PersonRegistered" && !log.slugs.contains_key(&person)
                    {
                        let recorded = recorded(envelope)?;
                        if let Event::PersonRegistered(registration) = &recorded.event {
                            let slug = first_free_slug(&registration.name, person, |candidate| {
                                Ok(taken.contains(candidate))
                            })?;
                            taken.insert(slug.clone());
                            log.slugs.insert(person, slug);
                        }
                    }
                }
                Some(Subject::Statement(statement)) => {
                    log.statements
                        .entry(statement)
                        .or_default()
                        .push(recorded(envelope)?);
                }
                None => {}
            }
        }
    }
    Ok(log)
}

/// Compares a stored row (raw JSON) with the expected one field by field.
/// Both sides are compared as parsed JSON text, so that a float prints and
/// parses the same way on both.
/// Reports each top-level field in which two JSON objects differ.
fn compare(
    stored: &[u8],
    expected: &[u8],
    suffix: &str,
    differ: &mut impl FnMut(String, String, String),
) {
    let expected: Value = serde_json::from_slice(expected).unwrap_or(Value::Null);
    let stored: Value = match serde_json::from_slice(stored) {
        Ok(value) => value,
        Err(error) => {
            differ(
                format!("row{suffix}"),
                format!("undecodable: {error}"),
                expected.to_string(),
            );
            return;
        }
    };
    let (Value::Object(stored_fields), Value::Object(expected_fields)) = (&stored, &expected)
    else {
        differ(
            format!("row{suffix}"),
            stored.to_string(),
            expected.to_string(),
        );
        return;
    };
    let names: BTreeSet<&String> = stored_fields.keys().chain(expected_fields.keys()).collect();
    for name in names {
        let (left, right) = (stored_fields.get(name), expected_fields.get(name));
        if left != right {
            let show = |value: Option<&Value>| value.map_or("absent".to_owned(), Value::to_string);
            differ(format!("{name}{suffix}"), show(left), show(right));
        }
    }
}
