//! One person registered twice, on a real sled store: merging copies the
//! duplicate's facts to the right record (judged by the rules there), keeps
//! both histories, makes the duplicate's names and slug find the right
//! record and counts the person once; a contradiction between the records
//! is refused with nothing written. A registration made by mistake with
//! nothing on it can be retracted instead, and then names no one.

use chrono::Utc;
use habeas::demo;
use habeas::error::TrackerError;
use habeas::reports::ReportOptions;
use habeas::tracker::{Issued, Subject, Tracker};
use habeas_domain::command::Action;
use habeas_domain::error::DomainError;
use habeas_domain::event::{Detention, DetentionKind, Event, PersonDetails, Registration};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::status::{Headline, View};

fn today() -> View {
    View {
        as_of: Utc::now().date_naive(),
        known_at: Utc::now(),
    }
}

fn registration(name: &str) -> Registration {
    Registration {
        name: name.to_owned(),
        aliases: vec![format!("{name} (list spelling)")],
        country: Some("Cambodia".to_owned()),
        affiliation: None,
        born: None,
        sources: vec![Source::url("https://example.org/list")],
        details: PersonDetails::default(),
    }
}

fn detained(on: &str) -> Action {
    Action::RecordDetention(Detention {
        facts: Facts::new(
            on.parse().unwrap(),
            vec![Source::url("https://example.org/a")],
        ),
        kind: DetentionKind::Arrest,
        place: None,
        authority: None,
        facility: Some("Prey Sar prison".to_owned()),
    })
}

async fn demo_tracker() -> (tempfile::TempDir, Tracker) {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    demo::load(&tracker).await.unwrap();
    (dir, tracker)
}

#[tokio::test]
async fn a_duplicate_merged_into_the_right_record_is_found_there_and_counted_once() {
    let (_dir, tracker) = demo_tracker().await;
    let by = Issued::now("tester");
    // Kem Sokha is restricted, never recorded held; a second record of him
    // from a list holds a detention the first lacks.
    let (dup, _) = tracker
        .register_person(registration("Kem Sokhaa"), &by)
        .await
        .unwrap();
    tracker
        .execute(Subject::Person(dup), detained("2017-09-03"), &by)
        .await
        .unwrap();
    // A statement that named the duplicate.
    tracker
        .issue_statement(
            habeas_domain::event::Statement {
                facts: Facts::new(
                    "2017-09-05".parse().unwrap(),
                    vec![Source::url("https://example.org/statement")],
                ),
                by: "Example Watch".to_owned(),
                by_role: None,
                about: vec![dup],
                kind: habeas_domain::event::StatementKind::CallForRelease,
                summary: "Release him.".to_owned(),
            },
            &by,
        )
        .await
        .unwrap();
    let people_before = tracker.people().await.unwrap().people().len();
    let duplicate = tracker.resolve("kem-sokhaa").await.unwrap();
    let into = tracker.resolve("Kem Sokha").await.unwrap();

    let (copied, closed) = tracker
        .merge(&duplicate, &into, "registered twice".to_owned(), &by)
        .await
        .unwrap();
    let copied = copied.expect("facts and names to copy");
    // The detention and the names were recorded on the right record.
    assert_eq!(copied.event_ids.len(), 2);
    assert_ne!(copied.stream, closed.stream);

    // Both histories stay; the duplicate's ends with the merge, naming the
    // copy of each fact.
    let history = tracker.history_of(Subject::Person(dup)).await.unwrap();
    let Event::PersonMerged(merger) = &history.last().unwrap().event else {
        panic!("the duplicate's history ends with its merge");
    };
    assert_eq!(merger.into, into.id);
    assert_eq!(merger.copied.len(), 1);
    assert_eq!(merger.copied[0].1, copied.event_ids[0]);

    // Its slug, its name and its id find the right record.
    for reference in ["kem-sokhaa", "Kem Sokhaa", &dup.to_string()] {
        assert_eq!(
            tracker.resolve(reference).await.unwrap().id,
            into.id,
            "{reference}"
        );
    }
    // Counted once: in the list of people and in the roster.
    assert_eq!(
        tracker.people().await.unwrap().people().len(),
        people_before - 1
    );
    let roster = tracker
        .roster(ReportOptions {
            view: today(),
            public: false,
        })
        .await
        .unwrap();
    assert_eq!(
        roster
            .rows
            .iter()
            .filter(|row| row.name.starts_with("Kem Sokha"))
            .count(),
        1
    );
    // The right record now has the detention, and the statement that named
    // the duplicate is about the person: listed and in their report.
    let status = tracker.status(into.id, today()).await.unwrap();
    assert_eq!(status.episodes.len(), 1);
    let statements = tracker.statements_about(into.id).await.unwrap();
    assert!(
        statements.iter().any(|s| s.statement.by == "Example Watch"),
        "{statements:?}"
    );
    let report = tracker
        .person_report(
            into.id,
            ReportOptions {
                view: today(),
                public: false,
            },
        )
        .await
        .unwrap();
    assert!(
        report
            .statements
            .iter()
            .any(|s| s.statement.by == "Example Watch")
    );

    // Nothing more is recorded on the duplicate.
    let err = tracker
        .execute(Subject::Person(dup), detained("2018-01-01"), &by)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrackerError::Rejected(DomainError::RecordMerged { .. })
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_merge_the_rules_refuse_writes_nothing() {
    let (_dir, tracker) = demo_tracker().await;
    let by = Issued::now("tester");
    // Rong Chhun was held from 2020-07; a duplicate says detained 2020-12
    // while he was held: the copy would be a second detention.
    let (dup, _) = tracker
        .register_person(registration("Rong Chhunn"), &by)
        .await
        .unwrap();
    tracker
        .execute(Subject::Person(dup), detained("2020-12-01"), &by)
        .await
        .unwrap();
    let head = tracker.store().head().await.unwrap();
    let duplicate = tracker.resolve("rong-chhunn").await.unwrap();
    let into = tracker.resolve("rong-chhun").await.unwrap();
    let err = tracker
        .merge(&duplicate, &into, "registered twice".to_owned(), &by)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrackerError::Rejected(DomainError::DetentionWhileInCustody { .. })
        ),
        "{err}"
    );
    assert_eq!(
        tracker.store().head().await.unwrap(),
        head,
        "nothing written"
    );
    // A record is not merged into itself.
    let err = tracker
        .merge(&into, &into, "same".to_owned(), &by)
        .await
        .unwrap_err();
    assert!(matches!(err, TrackerError::MergeIntoItself { .. }), "{err}");
}

#[tokio::test]
async fn a_registration_with_nothing_on_it_can_be_retracted_and_then_names_no_one() {
    let (_dir, tracker) = demo_tracker().await;
    let by = Issued::now("tester");
    let (typo, registered) = tracker
        .register_person(registration("Tipo Person"), &by)
        .await
        .unwrap();
    let fact = tracker
        .execute(Subject::Person(typo), detained("2019-01-01"), &by)
        .await
        .unwrap();
    // With a fact on it: refused, naming the fact.
    let err = tracker
        .retract(registered.event_ids[0], "typo".to_owned(), &by)
        .await
        .unwrap_err();
    match err {
        TrackerError::Rejected(DomainError::RegistrationInUse { live, first }) => {
            assert_eq!((live, first), (1, fact.event_ids[0]));
        }
        other => panic!("{other}"),
    }
    tracker
        .retract(fact.event_ids[0], "typo".to_owned(), &by)
        .await
        .unwrap();
    tracker
        .retract(
            registered.event_ids[0],
            "registered by mistake".to_owned(),
            &by,
        )
        .await
        .unwrap();
    // It names no one: not found, not listed, not in the roster.
    assert!(matches!(
        tracker.resolve("Tipo Person").await.unwrap_err(),
        TrackerError::UnknownPerson { .. }
    ));
    assert!(
        !tracker
            .people()
            .await
            .unwrap()
            .people()
            .iter()
            .any(|p| p.id == typo)
    );
    let rows = tracker
        .roster_rows(&habeas::RosterFilter {
            as_of: today().as_of,
            headlines: vec![Headline::Unknown, Headline::Released],
        })
        .await
        .unwrap();
    assert!(!rows.iter().any(|row| row.person == typo));
    // And takes nothing more.
    let err = tracker
        .execute(Subject::Person(typo), detained("2019-01-01"), &by)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrackerError::Rejected(DomainError::RecordRetracted { .. })
        ),
        "{err}"
    );
}
