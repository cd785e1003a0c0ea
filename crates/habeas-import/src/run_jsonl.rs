//! Importing JSON lines: each line is decided and recorded on its own, in
//! file order, so a line may name a person registered on an earlier line.

use std::collections::HashMap;

use habeas::error::TrackerError;
use habeas::tracker::{Issued, Subject, Tracker};
use habeas_domain::error::DomainError;
use habeas_domain::id::{PersonId, StatementId};
use uuid::Uuid;

use crate::config::ImportConfig;
use crate::error::ImportError;
use crate::ids::{person_id_for, statement_id_for};
use crate::jsonl::{Target, parse_line};
use crate::reason::Reason;
use crate::report::{Location, Report};
use crate::scratch::workspace;

/// The people a line may name: those in the store, looked up by name, slug
/// or id, and those registered earlier in the file, by `@key`.
struct People {
    /// What this line's names, slugs and ids resolve to, looked up in the
    /// tracker's person index (caught up with every earlier line) before the
    /// line is read.
    resolved: HashMap<String, Result<PersonId, String>>,
    keys: HashMap<String, (PersonId, usize)>,
    rejected_keys: HashMap<String, usize>,
}

impl People {
    fn lookup(&self, reference: &str) -> Result<PersonId, Reason> {
        if let Some(key) = reference.strip_prefix('@') {
            if let Some((id, _)) = self.keys.get(key) {
                return Ok(*id);
            }
            if let Some(line) = self.rejected_keys.get(key) {
                return Err(Reason::KeyRejected {
                    key: key.to_owned(),
                    line: *line,
                });
            }
            return Err(Reason::UnknownPerson {
                detail: format!(
                    "no person has the key \"@{key}\" in this file: a key is given by \"person_key\" on a register_person line before the lines that use it"
                ),
            });
        }
        match self.resolved.get(reference) {
            Some(Ok(id)) => Ok(*id),
            Some(Err(detail)) => Err(Reason::UnknownPerson {
                detail: detail.clone(),
            }),
            None => unreachable!("every name of a line is resolved before it is read"),
        }
    }
}

/// Imports JSON lines (see `FORMAT.md`): every line is decided and recorded
/// on its own; a line that cannot be read, resolved or allowed is rejected
/// with its line number and the rest go on. `progress(done, total)` is called
/// as lines are done.
pub async fn import_jsonl(
    tracker: &Tracker,
    text: &str,
    config: &ImportConfig,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<Report, ImportError> {
    let (tracker, note) = workspace(tracker, config.dry_run).await?;
    let mut report = Report {
        dry_run: config.dry_run,
        notes: note.into_iter().collect(),
        ..Report::default()
    };
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(idx, line)| (idx + 1, line))
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    report.n_rows = lines.len();
    let total = lines.len() as u64;
    let mut people = People {
        resolved: HashMap::new(),
        keys: HashMap::new(),
        rejected_keys: HashMap::new(),
    };
    for (done, (line, text)) in lines.into_iter().enumerate() {
        progress(done as u64, total);
        let at = Location::Line(line);
        let parsed = match parse_line(text) {
            Ok(parsed) => parsed,
            Err(reason) => {
                report.reject(at, reason);
                continue;
            }
        };
        let key = parsed.person_key().map(str::to_owned);
        let reject = |report: &mut Report, people: &mut People, reason: Reason| {
            if let Some(key) = &key
                && !people.keys.contains_key(key)
            {
                people.rejected_keys.entry(key.clone()).or_insert(line);
            }
            report.reject(at, reason);
        };
        if let Some(key) = &key
            && let Some((_, first)) = people.keys.get(key)
        {
            let reason = Reason::KeyTaken {
                key: key.clone(),
                line: *first,
            };
            report.reject(at, reason);
            continue;
        }
        people.resolved.clear();
        for reference in parsed.names() {
            let found = match tracker.resolve(reference).await {
                Ok(person) => Ok(person.id),
                Err(
                    err @ (TrackerError::UnknownPerson { .. }
                    | TrackerError::AmbiguousPerson { .. }),
                ) => Err(err.to_string()),
                Err(source) => return Err(ImportError::Store { at, source }),
            };
            people.resolved.insert(reference.to_owned(), found);
        }
        let command = match parsed.resolve(&mut |reference| people.lookup(reference)) {
            Ok(command) => command,
            Err(reason) => {
                reject(&mut report, &mut people, reason);
                continue;
            }
        };
        let command_id = command.command_id;
        let subject = match &command.target {
            Target::NewPerson { .. } => Subject::Person(
                command_id.map_or_else(|| PersonId::from_uuid(Uuid::now_v7()), person_id_for),
            ),
            Target::Person(id) => Subject::Person(*id),
            Target::NewStatement => Subject::Statement(
                command_id.map_or_else(|| StatementId::from_uuid(Uuid::now_v7()), statement_id_for),
            ),
            Target::OwnerOf(event) => {
                match tracker
                    .subject_of(*event)
                    .await
                    .map_err(|source| ImportError::Store { at, source })?
                {
                    Some(subject) => subject,
                    None => {
                        let reason = Reason::Refused {
                            source: DomainError::UnknownEvent { target: *event },
                        };
                        reject(&mut report, &mut people, reason);
                        continue;
                    }
                }
            }
        };
        let issued = Issued {
            recorded_by: config.recorded_by.clone(),
            command_id,
            at: config.at,
        };
        match tracker.execute(subject, command.action, &issued).await {
            Ok(recorded) => {
                if recorded.already_applied {
                    report.n_already_imported += 1;
                } else {
                    report.n_imported += 1;
                    report.n_events += recorded.event_ids.len();
                }
                if let (Target::NewPerson { key: Some(key) }, Subject::Person(id)) =
                    (command.target, subject)
                {
                    people.keys.insert(key, (id, line));
                }
            }
            Err(TrackerError::Rejected(source)) => {
                reject(&mut report, &mut people, Reason::Refused { source });
            }
            Err(
                err @ (TrackerError::UnknownPerson { .. } | TrackerError::AmbiguousPerson { .. }),
            ) => {
                let reason = Reason::UnknownPerson {
                    detail: err.to_string(),
                };
                reject(&mut report, &mut people, reason);
            }
            Err(source) => return Err(ImportError::Store { at, source }),
        }
    }
    progress(total, total);
    Ok(report)
}
