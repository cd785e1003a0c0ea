//! The worked example of `docs/domain.md`, recorded through `decide` the way the
//! application does, with fixed clocks and UUIDs so every report is
//! deterministic; plus the assembly of report models that the facade owns.
//!
//! Shared by the tests and by `examples/worked-example.rs`.

#![allow(dead_code, unreachable_pub)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use habeas_domain::command::{Action, Command};
use habeas_domain::date::PartialDate;
use habeas_domain::decide::decide;
use habeas_domain::event::{
    Charge, Charging, Correction, Detention, DetentionKind, Event, Hearing, Registration, Release,
    ReleaseKind, Restriction, RestrictionKind, Sentencing, Statement, StatementKind,
};
use habeas_domain::facts::{Confidence, Facts, Source, Visibility};
use habeas_domain::history::{CaseFile, RecordedEvent};
use habeas_domain::id::{EventId, PersonId};
use habeas_domain::status::{Custody, View, status};
use habeas_report::model::{
    AuditEntry, PersonReport, ReportMeta, Roster, RosterRow, StatementEntry,
};

pub fn d(text: &str) -> PartialDate {
    text.parse().expect("fixture dates are valid")
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("fixture timestamps are RFC 3339")
        .with_timezone(&Utc)
}

pub fn day(text: &str) -> NaiveDate {
    text.parse().expect("fixture days are YYYY-MM-DD")
}

/// The news report every fact of the example rests on.
pub fn news_report() -> Source {
    Source::document(
        "EXAMPLE DATA: 2021 news report on the release of Rong Chhun (the worked example of Habeas' DOMAIN.md)",
    )
    .titled("Union leader Rong Chhun released after about 15 months in custody")
    .published_on(d("2021-11"))
}

pub fn facts(occurred: &str, note: Option<&str>) -> Facts {
    Facts {
        note: note.map(str::to_owned),
        ..Facts::new(d(occurred), vec![news_report()])
    }
}

/// One recorded event with what the store adds around it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub position: u64,
    pub stream: String,
    pub recorded: RecordedEvent,
    pub recorded_by: String,
}

/// Every stream of a small store, in global order.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub log: Vec<Logged>,
    next_id: u128,
}

impl World {
    pub fn history(&self, stream: &str) -> Vec<RecordedEvent> {
        self.log
            .iter()
            .filter(|logged| logged.stream == stream)
            .map(|logged| logged.recorded.clone())
            .collect()
    }

    /// Decides and appends; panics when the rules refuse (the fixture is valid).
    pub fn record(&mut self, stream: &str, when: &str, by: &str, action: Action) -> EventId {
        let command = Command {
            id: None,
            issued_at: at(when),
            action,
        };
        let events = decide(&self.history(stream), &command)
            .unwrap_or_else(|err| panic!("fixture command refused: {err}"))
            .into_events();
        let mut last = None;
        for event in events {
            self.next_id += 1;
            let id = EventId::from_uuid(Uuid::from_u128(0xE000 + self.next_id));
            self.log.push(Logged {
                position: self.log.len() as u64 + 1,
                stream: stream.to_owned(),
                recorded: RecordedEvent {
                    id,
                    recorded_at: command.issued_at,
                    command_id: None,
                    event,
                },
                recorded_by: by.to_owned(),
            });
            last = Some(id);
        }
        last.expect("one event per command")
    }

    pub fn people(&self) -> Vec<PersonId> {
        let mut people: Vec<PersonId> = Vec::new();
        for logged in &self.log {
            if let Some(id) = logged.stream.strip_prefix("person-") {
                let id: PersonId = id.parse().expect("stream names hold person ids");
                if !people.contains(&id) {
                    people.push(id);
                }
            }
        }
        people
    }
}

pub fn person(n: u128) -> PersonId {
    PersonId::from_uuid(Uuid::from_u128(0xA000 + n))
}

fn restricted(event: &Event) -> bool {
    event
        .facts()
        .is_some_and(|facts| facts.visibility == Visibility::Restricted)
}

/// What the facade does for the public variant: drop restricted events, and
/// corrections or retractions of dropped events or making an event restricted.
pub fn public_history(history: &[RecordedEvent]) -> Vec<RecordedEvent> {
    let mut kept: Vec<RecordedEvent> = Vec::new();
    let mut dropped: Vec<EventId> = Vec::new();
    for recorded in history {
        let drop = match &recorded.event {
            Event::EventCorrected(correction) => {
                restricted(&correction.corrected) || dropped.contains(&correction.target)
            }
            Event::EventRetracted(retraction) => dropped.contains(&retraction.target),
            other => restricted(other),
        };
        if drop {
            dropped.push(recorded.id);
        } else {
            kept.push(recorded.clone());
        }
    }
    kept
}

pub fn meta(public: bool) -> ReportMeta {
    ReportMeta {
        generated_at: at("2021-11-20T10:00:00Z"),
        generated_by: "Habeas 0.0.0".to_owned(),
        example_data: true,
        public,
    }
}

/// How much of the public filtering the "facade" does before the renderer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filtering {
    /// As the facade will: restricted events removed from everything.
    Facade,
    /// Status derived from public events only, but facts, statements and the
    /// audit handed over unfiltered: the renderer must skip them itself.
    StatusOnly,
}

/// Assembles a person report the way the facade does.
pub fn person_report(
    world: &World,
    person: PersonId,
    view: View,
    meta: ReportMeta,
    filtering: Filtering,
) -> PersonReport {
    let stream = person.stream_name();
    let full = world.history(&stream);
    let public_events = public_history(&full);
    let filter_all = meta.public && filtering == Filtering::Facade;
    let for_status = if meta.public { &public_events } else { &full };
    let for_rest = if filter_all { &public_events } else { &full };
    let status = status(for_status, view);
    let file = CaseFile::from_history(for_rest.iter().filter(|r| r.recorded_at <= view.known_at));
    let facts = file.live_entries().cloned().collect();
    let audit = world
        .log
        .iter()
        .filter(|logged| logged.stream == stream && logged.recorded.recorded_at <= view.known_at)
        .filter(|logged| for_rest.iter().any(|r| r.id == logged.recorded.id))
        .map(|logged| {
            let upto: Vec<RecordedEvent> = for_rest
                .iter()
                .take_while(|r| r.id != logged.recorded.id)
                .chain(std::iter::once(&logged.recorded))
                .cloned()
                .collect();
            let recorded_at = logged.recorded.recorded_at;
            AuditEntry {
                position: logged.position,
                event_id: logged.recorded.id,
                recorded_at,
                recorded_by: logged.recorded_by.clone(),
                event: logged.recorded.event.clone(),
                headline_after: status_headline(&upto, recorded_at),
            }
        })
        .collect();
    let mut statements = Vec::new();
    for statement_stream in world
        .log
        .iter()
        .map(|logged| logged.stream.clone())
        .filter(|name| name.starts_with("statement-"))
    {
        let history = world.history(&statement_stream);
        let history = if filter_all {
            public_history(&history)
        } else {
            history
        };
        let file =
            CaseFile::from_history(history.iter().filter(|r| r.recorded_at <= view.known_at));
        for entry in file.live_entries() {
            if let Event::StatementIssued(statement) = &entry.effective
                && statement.about.contains(&person)
                && !statements
                    .iter()
                    .any(|s: &StatementEntry| s.event_id == entry.id)
            {
                statements.push(StatementEntry {
                    event_id: entry.id,
                    statement: statement.clone(),
                });
            }
        }
    }
    PersonReport {
        meta,
        person_id: person,
        status,
        facts,
        statements,
        audit,
    }
}

fn status_headline(
    history: &[RecordedEvent],
    recorded_at: DateTime<Utc>,
) -> habeas_domain::status::Headline {
    status(
        history,
        View {
            as_of: recorded_at.date_naive(),
            known_at: recorded_at,
        },
    )
    .headline
}

/// The slug the projections give a name: lowercase words joined by hyphens.
pub fn slug(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// Assembles the roster the way the facade does.
pub fn roster(world: &World, view: View, meta: ReportMeta) -> Roster {
    let mut slugs: Vec<String> = Vec::new();
    let rows = world
        .people()
        .into_iter()
        .map(|person| {
            let full = world.history(&person.stream_name());
            let history = if meta.public {
                public_history(&full)
            } else {
                full
            };
            let status = status(&history, view);
            let identity = status
                .identity
                .clone()
                .expect("fixture people are registered");
            let (custody_since, facility) = match &status.custody {
                Custody::InCustody {
                    since, facility, ..
                } => (Some(*since), facility.clone()),
                _ => (None, None),
            };
            let last_fact = CaseFile::from_history(&history)
                .live_entries()
                .filter(|entry| entry.effective.facts().is_some())
                .map(|entry| entry.occurred())
                .max();
            // As the projections do: the first free of `name`, `name-2`, …
            let plain = slug(&identity.name);
            let free = (1..)
                .map(|n| {
                    if n == 1 {
                        plain.clone()
                    } else {
                        format!("{plain}-{n}")
                    }
                })
                .find(|candidate| !slugs.contains(candidate))
                .expect("some slug is free");
            slugs.push(free.clone());
            RosterRow {
                person_id: person,
                slug: free,
                name: identity.name,
                aliases: identity.aliases,
                country: identity.country,
                born: identity.born,
                headline: status.headline,
                possibly: status.possibly.as_ref().map(|possibly| possibly.headline),
                release_overdue: status.figures.release_overdue,
                custody_since,
                facility,
                days_in_custody_now: status.figures.days_in_custody_now,
                days_in_custody_total: status.figures.days_in_custody_total,
                legal: status.legal,
                last_fact,
            }
        })
        .collect();
    Roster { meta, view, rows }
}

pub const OFFICER: &str = "dara.k (documentation officer)";
pub const REVIEWER: &str = "mealea.s (reviewer)";

pub fn rong_chhun() -> PersonId {
    person(1)
}
pub fn ton_nimol() -> PersonId {
    person(2)
}
pub fn sar_kanika() -> PersonId {
    person(3)
}
pub fn kem_sokha() -> PersonId {
    person(4)
}

fn registration(name: &str, aliases: &[&str], affiliation: &str) -> Action {
    Action::RegisterPerson(Registration {
        name: name.to_owned(),
        aliases: aliases.iter().map(|alias| alias.to_string()).collect(),
        country: Some("Cambodia".to_owned()),
        affiliation: Some(affiliation.to_owned()),
        born: None,
        sources: vec![news_report()],
        details: habeas_domain::event::PersonDetails::default(),
    })
}

fn detention(occurred: &str, facility: Option<&str>, note: &str) -> Detention {
    Detention {
        facts: facts(occurred, Some(note)),
        kind: DetentionKind::Arrest,
        place: Some("Phnom Penh".to_owned()),
        authority: None,
        facility: facility.map(str::to_owned),
    }
}

fn charging(occurred: &str, offence: &str, article: Option<&str>) -> Action {
    Action::RecordCharges(Charging {
        facts: facts(occurred, None),
        charges: vec![Charge {
            offence: offence.to_owned(),
            article: article.map(str::to_owned),
        }],
        court: Some("Phnom Penh Municipal Court".to_owned()),
        case_number: None,
    })
}

fn release(note: &str) -> Action {
    Action::RecordRelease(Release {
        facts: Facts {
            confidence: Confidence::Confirmed,
            ..facts("2021-11-12", Some(note))
        },
        kind: ReleaseKind::EarlyReleaseWithoutReason,
        conditions: None,
        ordered_by: None,
    })
}

/// The UN statement's address: an example link, since the fixture is example data.
pub const UN_STATEMENT_URL: &str = "https://example.org/un-statement-2021-11-02";

/// The worked example of `docs/domain.md`. Recording days are spread over the case,
/// and out of order where reports arrived late (the release is logged before
/// the sentence), as they are in real case files.
pub fn worked_example() -> World {
    let mut world = World::default();
    let rong = rong_chhun().stream_name();
    world.record(
        &rong,
        "2020-08-03T08:15:00Z",
        OFFICER,
        registration(
            "Rong Chhun",
            &["Rorng Chhun"],
            "president, Cambodian Confederation of Unions",
        ),
    );
    let detained = world.record(
        &rong,
        "2020-08-03T08:20:00Z",
        OFFICER,
        Action::RecordDetention(detention(
            "2020-08",
            Some("Prey Sar prison"),
            "Arrested after publishing a statement about border posts in Tbong Khmum province.",
        )),
    );
    world.record(
        &rong,
        "2020-08-10T14:00:00Z",
        REVIEWER,
        Action::CorrectEvent(Correction {
            target: detained,
            corrected: Box::new(Event::Detained(detention(
                "2020-07",
                Some("Prey Sar prison"),
                "Arrested at the end of July 2020 after publishing a statement about border posts in Tbong Khmum province; the report gives no day.",
            ))),
            reason: "The report dates the arrest to the end of July 2020, not August.".to_owned(),
        }),
    );
    world.record(
        &rong,
        "2020-08-25T09:00:00Z",
        OFFICER,
        charging("2020-08", "incitement", Some("Criminal Code art. 495")),
    );
    world.record(
        &rong,
        "2021-11-13T07:30:00Z",
        OFFICER,
        release("Released by decision of the Phnom Penh Court of Appeal, with no reason given."),
    );
    world.record(
        &rong,
        "2021-11-14T11:00:00Z",
        OFFICER,
        Action::RecordSentence(Sentencing {
            facts: facts(
                "2021-08",
                Some("Recorded after the release: the report gives the term and the month of the judgment."),
            ),
            term: "2y".parse().ok(),
            court: Some("Phnom Penh Municipal Court".to_owned()),
            in_absentia: false,
            suspended: false,
            ends: None,
            offences: Vec::new(),
        }),
    );
    world.record(
        &rong,
        "2021-11-14T11:05:00Z",
        OFFICER,
        Action::RecordHearing(Hearing {
            facts: facts("2021-11-12", None),
            court: Some("Phnom Penh Court of Appeal".to_owned()),
            outcome: Some("Release ordered; no reason given.".to_owned()),
        }),
    );

    for (n, name, stream_person) in [
        (2, "Ton Nimol", ton_nimol()),
        (3, "Sar Kanika", sar_kanika()),
    ] {
        let stream = stream_person.stream_name();
        let minute = 10 + n as u32;
        world.record(
            &stream,
            &format!("2020-08-30T10:{minute:02}:00Z"),
            OFFICER,
            registration(name, &[], "activist"),
        );
        world.record(
            &stream,
            &format!("2020-08-30T10:{:02}:00Z", minute + 10),
            OFFICER,
            Action::RecordDetention(detention(
                "2020-08",
                None,
                "Detained for demonstrating for Rong Chhun's release.",
            )),
        );
        world.record(
            &stream,
            &format!("2020-08-30T10:{:02}:00Z", minute + 20),
            OFFICER,
            charging("2020-08", "incitement to commit a felony", None),
        );
        world.record(
            &stream,
            &format!("2021-11-13T08:{minute:02}:00Z"),
            OFFICER,
            Action::RecordSentence(Sentencing {
                facts: facts(
                    "2021",
                    Some("Convicted; the report gives neither the date nor the term."),
                ),
                term: None,
                court: None,
                in_absentia: false,
                suspended: false,
                ends: None,
                offences: Vec::new(),
            }),
        );
        world.record(
            &stream,
            &format!("2021-11-13T08:{:02}:00Z", minute + 10),
            OFFICER,
            release("Released the same day as Rong Chhun."),
        );
    }

    let kem = kem_sokha().stream_name();
    world.record(
        &kem,
        "2021-11-15T09:00:00Z",
        OFFICER,
        registration(
            "Kem Sokha",
            &[],
            "president of the dissolved opposition party CNRP",
        ),
    );
    world.record(
        &kem,
        "2021-11-15T09:05:00Z",
        OFFICER,
        Action::ImposeRestriction(Restriction {
            facts: facts(
                "2017-11~",
                Some("The report says the ban remains; its start is dated from the dissolution of the CNRP."),
            ),
            kind: RestrictionKind::PoliticalActivityBan,
            description: Some("prohibited from political activity".to_owned()),
            until: None,
        }),
    );

    let un = format!("statement-{}", Uuid::from_u128(0x5000 + 1));
    world.record(
        &un,
        "2021-11-03T12:00:00Z",
        OFFICER,
        Action::IssueStatement(Statement {
            facts: Facts {
                confidence: Confidence::Confirmed,
                ..Facts::new(
                    d("2021-11-02"),
                    vec![
                        Source::url(UN_STATEMENT_URL)
                            .titled("UN statement urging Cambodia to protect civic space (example link)")
                            .published_by("United Nations")
                            .published_on(d("2021-11-02")),
                        news_report(),
                    ],
                )
            },
            by: "United Nations".to_owned(),
            by_role: None,
            about: vec![rong_chhun(), ton_nimol(), sar_kanika()],
            kind: StatementKind::CallForRelease,
            summary: "Urged Cambodia to protect civic space and to release the detained unionists and activists.".to_owned(),
        }),
    );
    let hun_sen = format!("statement-{}", Uuid::from_u128(0x5000 + 2));
    world.record(
        &hun_sen,
        "2021-11-13T12:00:00Z",
        OFFICER,
        Action::IssueStatement(Statement {
            facts: facts("2021-11-10", None),
            by: "Hun Sen".to_owned(),
            by_role: Some("Prime Minister of Cambodia".to_owned()),
            about: vec![],
            kind: StatementKind::OfficialPosition,
            summary: "Warned protesters, two days before the release.".to_owned(),
        }),
    );
    world
}

/// A second Sar Kanika, born 1994, detained in 2021 with no source date: a
/// namesake the roster must tell apart from the first (who has no recorded
/// birth date). Not part of the worked example of `docs/domain.md`.
pub fn add_namesake(world: &mut World) -> PersonId {
    let namesake = person(5);
    let stream = namesake.stream_name();
    world.record(
        &stream,
        "2021-09-01T09:00:00Z",
        OFFICER,
        Action::RegisterPerson(Registration {
            name: "Sar Kanika".to_owned(),
            aliases: Vec::new(),
            country: Some("Cambodia".to_owned()),
            affiliation: Some("student".to_owned()),
            born: Some(d("1994")),
            sources: vec![Source::url("https://example.org/student-detained")],
            details: habeas_domain::event::PersonDetails::default(),
        }),
    );
    world.record(
        &stream,
        "2021-09-01T09:05:00Z",
        OFFICER,
        Action::RecordDetention(Detention {
            facts: Facts::new(
                d("2021-08-28"),
                vec![Source::url("https://example.org/student-detained")],
            ),
            kind: DetentionKind::Arrest,
            place: Some("Siem Reap".to_owned()),
            authority: None,
            facility: Some("Siem Reap provincial prison".to_owned()),
        }),
    );
    namesake
}

/// The view of the snapshots: the day after the last recording.
pub fn final_view() -> View {
    View {
        as_of: day("2021-11-20"),
        known_at: at("2021-11-20T09:00:00Z"),
    }
}

/// A view while the three were still held, for the campaign figures.
pub fn campaign_view() -> View {
    View {
        as_of: day("2021-10-01"),
        known_at: at("2021-11-20T09:00:00Z"),
    }
}

pub fn utc(y: i32, m: u32, dd: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, dd, 12, 0, 0).unwrap()
}
