//! Given/when/then for every command: the facts already recorded, the command,
//! and what `decide` answers. Rejections also check that the message names the
//! dates involved and that nothing was recorded.

mod support;

use habeas_domain::command::Action;
use habeas_domain::error::DomainError;
use habeas_domain::event::{
    Acquittal, Appeal, Death, DetailsChange, Disappearance, Dismissal, Exile, Hearing, Lifting,
    Recognition, RestrictionKind, Statement, StatementKind,
};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::id::{EventId, PersonId};
use support::*;
use uuid::Uuid;

fn all_actions() -> Vec<(&'static str, Action, &'static str)> {
    vec![
        (
            "change details",
            Action::ChangePersonDetails(DetailsChange {
                add_aliases: vec!["Rorng Chhun".into()],
                ..DetailsChange::default()
            }),
            "PersonDetailsChanged",
        ),
        ("detention", detained("2020-07"), "Detained"),
        ("charges", charged("2020-08", "incitement"), "Charged"),
        (
            "hearing",
            Action::RecordHearing(Hearing {
                facts: facts("2020-09"),
                court: None,
                outcome: None,
            }),
            "HearingHeld",
        ),
        (
            "appeal",
            Action::RecordAppeal(Appeal {
                facts: facts("2020-09"),
                court: None,
                outcome: None,
            }),
            "Appealed",
        ),
        (
            "sentence in absentia",
            sentenced_in_absentia("2020-09", "2y"),
            "Sentenced",
        ),
        (
            "acquittal",
            Action::RecordAcquittal(Acquittal {
                facts: facts("2020-09"),
                court: None,
            }),
            "Acquitted",
        ),
        (
            "charges dropped",
            Action::RecordChargesDropped(Dismissal {
                facts: facts("2020-09"),
                court: None,
            }),
            "ChargesDropped",
        ),
        (
            "restriction",
            restricted("2020-09", RestrictionKind::TravelBan),
            "RestrictionImposed",
        ),
        (
            "restriction lifted",
            Action::LiftRestriction(Lifting {
                facts: facts("2020-09"),
                kind: RestrictionKind::TravelBan,
            }),
            "RestrictionLifted",
        ),
        (
            "disappearance",
            Action::RecordDisappearance(Disappearance {
                facts: facts("2020-09"),
                circumstances: None,
            }),
            "Disappeared",
        ),
        (
            "exile",
            Action::RecordExile(Exile {
                facts: facts("2020-09"),
                country: None,
                circumstances: None,
            }),
            "WentIntoExile",
        ),
        (
            "recognition",
            Action::RecognisePoliticalPrisoner(Recognition {
                facts: facts("2020-09"),
                by: "CHRD".into(),
            }),
            "RecognisedAsPoliticalPrisoner",
        ),
    ]
}

#[test]
fn every_command_on_a_registered_person_records_its_event() {
    for (name, action, event_type) in all_actions() {
        let mut stream = Stream::new();
        stream.record(register("Rong Chhun", &[]));
        stream.record(action);
        assert_eq!(
            event_types(&stream.history),
            ["PersonRegistered", event_type],
            "{name}"
        );
    }
}

#[test]
fn custody_commands_given_custody() {
    // given / when / then
    let cases: Vec<(&str, Vec<Action>, Action, &str)> = vec![
        (
            "release after detention",
            vec![detained("2020-07")],
            released("2021-11-12"),
            "Released",
        ),
        (
            "transfer during custody",
            vec![detained("2020-07")],
            transferred("2020-09", "Prey Sar prison"),
            "Transferred",
        ),
        (
            "sentence in custody",
            vec![detained("2020-07")],
            sentenced("2021-08", "2y"),
            "Sentenced",
        ),
        (
            "death in custody",
            vec![detained("2020-07")],
            Action::RecordDeathInCustody(Death {
                facts: facts("2020-09"),
                circumstances: None,
            }),
            "DiedInCustody",
        ),
        (
            "detention after release",
            vec![detained("2020-07"), released("2020-08")],
            detained("2021-01"),
            "Detained",
        ),
        (
            "release logged before the sentence that preceded it",
            vec![detained("2020-07"), released("2021-11-12")],
            sentenced("2021-08", "2y"),
            "Sentenced",
        ),
        (
            "release on the day of the detention",
            vec![detained("2020-08-15")],
            released("2020-08-15"),
            "Released",
        ),
        (
            "release in a month overlapping the detention day",
            vec![detained("2020-08-15")],
            released("2020-08"),
            "Released",
        ),
    ];
    for (name, given, when, then) in cases {
        let mut stream = Stream::new();
        stream.record(register("Rong Chhun", &[]));
        for action in given {
            stream.record(action);
        }
        stream.record(when);
        assert_eq!(
            event_types(&stream.history).last().copied(),
            Some(then),
            "{name}"
        );
    }
}

#[test]
fn statements_live_in_their_own_stream_and_may_concern_several_people() {
    let about: Vec<PersonId> = (1..=3)
        .map(|n| PersonId::from_uuid(Uuid::from_u128(n)))
        .collect();
    let mut stream = Stream::new();
    stream.record(Action::IssueStatement(Statement {
        facts: Facts::new(
            d("2021-11-02"),
            vec![Source::url("https://example.org/un-statement")],
        ),
        by: "United Nations".into(),
        by_role: None,
        about: about.clone(),
        kind: StatementKind::CallForRelease,
        summary: "Urges Cambodia to protect civic space.".into(),
    }));
    assert_eq!(event_types(&stream.history), ["StatementIssued"]);
    let err = stream.reject(detained("2020-07"));
    assert!(
        matches!(
            err,
            DomainError::WrongStream {
                stream: "statement",
                ..
            }
        ),
        "{err}"
    );

    let mut person = Stream::new();
    person.record(register("Rong Chhun", &[]));
    let statement = match stream.history[0].event.clone() {
        habeas_domain::event::Event::StatementIssued(s) => s,
        _ => unreachable!(),
    };
    let err = person.reject(Action::IssueStatement(statement));
    assert!(
        matches!(
            err,
            DomainError::WrongStream {
                stream: "person",
                ..
            }
        ),
        "{err}"
    );
}

/// One rejection: what was recorded, the command, the error expected, and words
/// its message must contain.
struct Rejection {
    name: &'static str,
    given: Vec<Action>,
    when: fn(&[EventId]) -> Action,
    then: fn(&DomainError) -> bool,
    says: &'static [&'static str],
}

#[test]
fn rejections_name_the_conflict_and_change_nothing() {
    let cases = vec![
        Rejection {
            name: "release without custody",
            given: vec![],
            when: |_| released("2021-11-12"),
            then: |e| matches!(e, DomainError::ReleaseWithoutCustody { cause: None, .. }),
            says: &[
                "the release on 2021-11-12 (this command)",
                "record the detention first",
            ],
        },
        Rejection {
            name: "release after an earlier release",
            given: vec![detained("2020-07"), released("2020-09")],
            when: |_| released("2021-11-12"),
            then: |e| matches!(e, DomainError::ReleaseWithoutCustody { cause: Some(_), .. }),
            says: &[
                "the release on 2021-11-12 (this command)",
                "after the release on 2020-09",
            ],
        },
        Rejection {
            name: "detention while in custody",
            given: vec![detained("2020-07")],
            when: |_| detained("2020-08-03"),
            then: |e| matches!(e, DomainError::DetentionWhileInCustody { .. }),
            says: &[
                "the detention on 2020-08-03 (this command)",
                "after the detention on 2020-07 (event 00000000-0000-0000-0000-000000000002)",
            ],
        },
        Rejection {
            name: "a late release that leaves the recorded release without custody",
            given: vec![detained("2020-07"), released("2021-11-12")],
            when: |_| released("2020-09-01"),
            then: |e| matches!(e, DomainError::ReleaseWithoutCustody { .. }),
            says: &[
                "the release on 2021-11-12 (event 00000000-0000-0000-0000-000000000003)",
                "after the release on 2020-09-01 (this command)",
            ],
        },
        Rejection {
            name: "transfer without custody",
            given: vec![],
            when: |_| transferred("2020-09", "Prey Sar prison"),
            then: |e| matches!(e, DomainError::TransferWithoutCustody { .. }),
            says: &["the transfer on 2020-09"],
        },
        Rejection {
            name: "sentence at liberty without in absentia",
            given: vec![],
            when: |_| sentenced("2021-08", "2y"),
            then: |e| matches!(e, DomainError::SentenceWithoutCustody { .. }),
            says: &["in absentia or suspended"],
        },
        Rejection {
            name: "detention after death",
            given: vec![
                detained("2020-07"),
                Action::RecordDeathInCustody(Death {
                    facts: facts("2020-09"),
                    circumstances: None,
                }),
            ],
            when: |_| detained("2021-01"),
            then: |e| matches!(e, DomainError::AfterDeath { .. }),
            says: &["after the death in custody on 2020-09"],
        },
        Rejection {
            name: "a date after the recording day",
            given: vec![],
            when: |_| detained("2021-11-21"),
            then: |e| matches!(e, DomainError::DateInFuture { .. }),
            says: &["2021-11-21", "after today (2021-11-20)"],
        },
        Rejection {
            name: "a month that has not begun",
            given: vec![],
            when: |_| detained("2021-12"),
            then: |e| matches!(e, DomainError::DateInFuture { .. }),
            says: &["2021-12"],
        },
        Rejection {
            name: "a date before birth",
            given: vec![Action::ChangePersonDetails(DetailsChange {
                born: Some(d("1969")),
                ..DetailsChange::default()
            })],
            when: |_| detained("1968-05"),
            then: |e| matches!(e, DomainError::BeforeBirth { .. }),
            says: &["the detention on 1968-05 (this command)", "birth date 1969"],
        },
        Rejection {
            name: "a birth date after a recorded event",
            given: vec![detained("2020-07")],
            when: |_| {
                Action::ChangePersonDetails(DetailsChange {
                    born: Some(d("2021")),
                    ..DetailsChange::default()
                })
            },
            then: |e| matches!(e, DomainError::BeforeBirth { .. }),
            says: &["the detention on 2020-07"],
        },
        Rejection {
            name: "a fact without a source",
            given: vec![],
            when: |_| match detained("2020-07") {
                Action::RecordDetention(mut detention) => {
                    detention.facts.sources = vec![Source::url("  ")];
                    Action::RecordDetention(detention)
                }
                _ => unreachable!(),
            },
            then: |e| matches!(e, DomainError::MissingSource { .. }),
            says: &["the detention on 2020-07 has no source"],
        },
        Rejection {
            name: "charges without an offence",
            given: vec![],
            when: |_| match charged("2020-08", "incitement") {
                Action::RecordCharges(mut charging) => {
                    charging.charges.clear();
                    Action::RecordCharges(charging)
                }
                _ => unreachable!(),
            },
            then: |e| {
                matches!(
                    e,
                    DomainError::InvalidField {
                        field: "charges",
                        ..
                    }
                )
            },
            says: &["at least one offence"],
        },
        Rejection {
            name: "a second registration",
            given: vec![],
            when: |_| register("Rong Chhun", &[]),
            then: |e| matches!(e, DomainError::AlreadyRegistered { .. }),
            says: &["\"Rong Chhun\""],
        },
        Rejection {
            name: "a correction of an unknown event",
            given: vec![detained("2020-07")],
            when: |_| {
                correct(
                    EventId::from_uuid(Uuid::from_u128(99)),
                    detained("2020-07-31"),
                    "exact day found",
                )
            },
            then: |e| matches!(e, DomainError::UnknownEvent { .. }),
            says: &["00000000-0000-0000-0000-000000000063"],
        },
        Rejection {
            name: "a correction of a retracted event",
            given: vec![
                detained("2020-07"),
                retract(EventId::from_uuid(Uuid::from_u128(2)), "wrong person"),
            ],
            when: |ids| correct(ids[1], detained("2020-07-31"), "exact day found"),
            then: |e| matches!(e, DomainError::AlreadyRetracted { .. }),
            says: &["already retracted by event 00000000-0000-0000-0000-000000000003"],
        },
        Rejection {
            name: "a retraction of a retracted event",
            given: vec![
                detained("2020-07"),
                retract(EventId::from_uuid(Uuid::from_u128(2)), "wrong person"),
            ],
            when: |ids| retract(ids[1], "again"),
            then: |e| matches!(e, DomainError::AlreadyRetracted { .. }),
            says: &["already retracted"],
        },
        Rejection {
            name: "a correction that changes the type",
            given: vec![detained("2020-07")],
            when: |ids| correct(ids[1], released("2020-07-31"), "was a release"),
            then: |e| matches!(e, DomainError::CorrectionChangesType { .. }),
            says: &["is a detention and cannot be corrected into a release"],
        },
        Rejection {
            name: "a retraction that leaves a release without custody",
            given: vec![detained("2020-07"), released("2021-11-12")],
            when: |ids| retract(ids[1], "wrong person"),
            then: |e| matches!(e, DomainError::ReleaseWithoutCustody { .. }),
            says: &["the release on 2021-11-12"],
        },
        Rejection {
            name: "a correction that moves a detention after its release",
            given: vec![detained("2020-07"), released("2020-11-12")],
            when: |ids| correct(ids[1], detained("2021-01"), "typo"),
            then: |e| matches!(e, DomainError::ReleaseWithoutCustody { .. }),
            says: &["the release on 2020-11-12 (event 00000000-0000-0000-0000-000000000003)"],
        },
        Rejection {
            name: "a retraction without a reason",
            given: vec![detained("2020-07")],
            when: |ids| retract(ids[1], " "),
            then: |e| {
                matches!(
                    e,
                    DomainError::InvalidField {
                        field: "reason",
                        ..
                    }
                )
            },
            says: &["say why"],
        },
    ];
    for case in cases {
        let mut stream = Stream::new();
        let mut ids = vec![stream.record(register("Rong Chhun", &["Rorng Chhun"]))];
        for action in case.given {
            ids.push(stream.record(action));
        }
        let err = stream.reject((case.when)(&ids));
        assert!((case.then)(&err), "{}: unexpected error {err:?}", case.name);
        let message = err.to_string();
        for words in case.says {
            assert!(
                message.contains(words),
                "{}: {message:?} lacks {words:?}",
                case.name
            );
        }
    }
}

#[test]
fn a_stream_without_registration_accepts_nothing_but_a_registration_or_statement() {
    let mut stream = Stream::new();
    let err = stream.reject(detained("2020-07"));
    assert!(
        matches!(
            err,
            DomainError::NotRegistered {
                event_type: "Detained"
            }
        ),
        "{err}"
    );
}

#[test]
fn the_same_command_id_decided_twice_produces_its_events_once() {
    let mut stream = Stream::new();
    stream.record(register("Rong Chhun", &[]));
    let mut command = stream.command(detained("2020-07"));
    command.id = Some(command_id(1));
    assert!(stream.try_command(&command).unwrap().is_some());
    // The retry arrives later, as retries do; it must record nothing and
    // must not be rejected as a detention while in custody.
    command.issued_at = stream.clock;
    assert_eq!(stream.try_command(&command).unwrap(), None);
    assert_eq!(
        event_types(&stream.history),
        ["PersonRegistered", "Detained"]
    );
}
