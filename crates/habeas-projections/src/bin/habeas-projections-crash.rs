//! Test helper for the projections' crash test: opens a data directory's
//! store (`events/`) and projections (`projections/`), catches up (and, when
//! asked, rebuilds), then appends valid domain events (people registered,
//! detained and released alternately, statements naming them, all through
//! `decide`) while the projections catch up with each commit, until killed.
//!
//! Usage: `habeas-projections-crash <data-dir> <seed> (run | rebuild-then-run)`
//!
//! Output: `ready <checkpoint>` once caught up, then `ack <last position>`
//! after each acknowledged append. Exit codes: 0 never (it runs until
//! killed), 1 on any error, 2 on bad usage.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use habeas_domain::command::{Action, Command};
use habeas_domain::date::PartialDate;
use habeas_domain::decide::decide;
use habeas_domain::event::{
    Detention, DetentionKind, Event, Registration, Release, ReleaseKind, Statement, StatementKind,
};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::id::{PersonId, StatementId};
use habeas_domain::status::Headline;
use habeas_projections::{ProjectionConfig, Projections, RosterFilter};
use habeas_store::{
    AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StoreError, StreamId,
};
use habeas_store_sled::{SledConfig, SledStore};
use uuid::Uuid;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(seed), Some(mode)) = (args.get(1), args.get(2), args.get(3)) else {
        return usage();
    };
    let Ok(seed) = seed.parse::<u64>() else {
        return usage();
    };
    let rebuild = match mode.as_str() {
        "run" => false,
        "rebuild-then-run" => true,
        _ => return usage(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("habeas-projections-crash: cannot start the runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(Path::new(path), seed | 1, rebuild)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("habeas-projections-crash: {message}");
            ExitCode::from(1)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: habeas-projections-crash <data-dir> <seed> (run | rebuild-then-run)");
    ExitCode::from(2)
}

fn say(line: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|error| format!("cannot write to stdout: {error}"))
}

async fn run(path: &Path, mut seed: u64, rebuild: bool) -> Result<(), String> {
    let store = Arc::new(
        SledStore::open(path.join("events"), SledConfig::default()).map_err(|e| e.to_string())?,
    );
    let projections = Projections::open(path.join("projections"), ProjectionConfig::default())
        .map_err(|e| e.to_string())?;
    let checkpoint = if rebuild {
        projections
            .rebuild(store.as_ref(), &mut |_, _| {})
            .await
            .map_err(|e| e.to_string())?
    } else {
        projections
            .catch_up(store.as_ref())
            .await
            .map_err(|e| e.to_string())?
    };
    say(&format!("ready {checkpoint}"))?;
    let mut subscription = store
        .subscribe(checkpoint + 1)
        .await
        .map_err(|e| e.to_string())?;
    let follower = projections.clone();
    let follower_store = store.clone();
    // Live: a catch-up as soon as the store commits something new.
    let following = tokio::spawn(async move {
        loop {
            match subscription.next().await {
                Ok(_) => {}
                Err(StoreError::Closed) => return Ok(()),
                Err(error) => return Err(error.to_string()),
            }
            follower
                .catch_up(follower_store.as_ref())
                .await
                .map_err(|e| e.to_string())?;
        }
    });

    // People already in the read model are worked on too, so that rows are
    // updated in place across kills.
    let everyone = RosterFilter {
        as_of: Utc::now().date_naive(),
        headlines: Headline::ALL.to_vec(),
    };
    let mut people: Vec<PersonId> = projections
        .roster(store.as_ref(), &everyone)
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .map(|row| row.person)
        .collect();
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    loop {
        if following.is_finished() {
            return Err("the projector stopped".into());
        }
        let choice = random() % 10;
        let last = if people.is_empty() || choice < 3 {
            let person = PersonId::from_uuid(Uuid::now_v7());
            people.push(person);
            let name = format!("Person {}", random() % 50);
            // A registration and a first detention in one append, as an import does.
            record(
                store.as_ref(),
                &person.stream_name(),
                vec![register(&name), detain(day(1))],
            )
            .await?
        } else if choice < 4 {
            let about: Vec<PersonId> = (0..2)
                .map(|_| people[(random() % people.len() as u64) as usize])
                .collect();
            let statement = StatementId::from_uuid(Uuid::now_v7());
            record(
                store.as_ref(),
                &statement.stream_name(),
                vec![statement_about(about)],
            )
            .await?
        } else {
            let person = people[(random() % people.len() as u64) as usize];
            let stream = person.stream_name();
            let version = store
                .read_stream(&StreamId::new(&stream).map_err(|e| e.to_string())?, 1)
                .await
                .map_err(|e| e.to_string())?
                .len() as u64;
            // Each event one day after the last: detained and released alternately.
            // The stream opens with a registration and a detention, so an
            // even length means in custody.
            let action = if version.is_multiple_of(2) {
                release(day(version))
            } else {
                detain(day(version))
            };
            record(store.as_ref(), &stream, vec![action]).await?
        };
        say(&format!("ack {last}"))?;
    }
}

fn day(offset: u64) -> PartialDate {
    let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    PartialDate::from_naive(start + Duration::days(offset as i64))
}

fn facts(on: PartialDate) -> Facts {
    Facts::new(on, vec![Source::url("https://example.org/crash-test")])
}

fn register(name: &str) -> Action {
    Action::RegisterPerson(Registration {
        name: name.to_owned(),
        aliases: vec![format!("{name} alias")],
        country: None,
        affiliation: None,
        born: None,
        sources: vec![],
        details: habeas_domain::event::PersonDetails::default(),
    })
}

fn detain(on: PartialDate) -> Action {
    Action::RecordDetention(Detention {
        facts: facts(on),
        kind: DetentionKind::Arrest,
        place: None,
        authority: None,
        facility: Some("Prey Sar prison".into()),
    })
}

fn release(on: PartialDate) -> Action {
    Action::RecordRelease(Release {
        facts: facts(on),
        kind: ReleaseKind::Bail,
        conditions: None,
        ordered_by: None,
    })
}

fn statement_about(about: Vec<PersonId>) -> Action {
    Action::IssueStatement(Statement {
        facts: facts(day(3)),
        by: "United Nations".into(),
        by_role: None,
        about,
        kind: StatementKind::CallForRelease,
        summary: "Urges release.".into(),
    })
}

/// Decides the actions in turn against the stream's history and appends them
/// in one append; returns the last position written.
async fn record(store: &dyn EventStore, stream: &str, actions: Vec<Action>) -> Result<u64, String> {
    let stream = StreamId::new(stream).map_err(|e| e.to_string())?;
    let envelopes = store
        .read_stream(&stream, 1)
        .await
        .map_err(|e| e.to_string())?;
    let mut history = envelopes
        .iter()
        .map(habeas_projections::recorded)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let mut new_events = Vec::new();
    for action in actions {
        let command = Command {
            id: None,
            issued_at: Utc::now(),
            action,
        };
        let events: Vec<Event> = decide(&history, &command)
            .map_err(|e| e.to_string())?
            .into_events();
        for event in events {
            let new_event = NewEvent {
                event_id: Uuid::now_v7(),
                event_type: event.event_type().to_owned(),
                schema_version: event.schema_version(),
                payload: event.to_payload(),
            };
            history.push(habeas_domain::history::RecordedEvent {
                id: habeas_domain::id::EventId::from_uuid(new_event.event_id),
                recorded_at: command.issued_at,
                command_id: None,
                event,
            });
            new_events.push(new_event);
        }
    }
    let expected = match envelopes.last() {
        None => ExpectedVersion::NoStream,
        Some(last) => ExpectedVersion::Exact(last.version),
    };
    let meta = AppendMeta {
        recorded_by: "crash test".into(),
        command_id: None,
    };
    match store
        .append(&stream, expected, new_events, meta)
        .await
        .map_err(|e| e.to_string())?
    {
        AppendOutcome::Appended(result) => Ok(result.last_position),
        other => Err(format!("unexpected outcome {other:?}")),
    }
}
