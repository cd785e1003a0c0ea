//! The facade over a real sled store on disk: the demo, name resolution,
//! statements, idempotent commands, and rejections that leave the store as it was.

use chrono::{Duration, Utc};
use habeas::demo;
use habeas::error::TrackerError;
use habeas::tracker::{Issued, Subject, Tracker};
use habeas_domain::command::Action;
use habeas_domain::error::DomainError;
use habeas_domain::event::{Release, ReleaseKind};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::id::CommandId;
use habeas_domain::status::{Headline, View};
use uuid::Uuid;

fn today() -> View {
    View {
        as_of: Utc::now().date_naive(),
        known_at: Utc::now(),
    }
}

fn release(on: &str) -> Action {
    Action::RecordRelease(Release {
        facts: Facts::new(
            on.parse().unwrap(),
            vec![Source::url("https://example.org/a")],
        ),
        kind: ReleaseKind::Bail,
        conditions: None,
    })
}

#[tokio::test]
async fn the_demo_tells_the_worked_example() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    let people = demo::load(&tracker).await.unwrap();

    let rong = tracker.status(people.rong_chhun, today()).await.unwrap();
    assert_eq!(rong.headline, Headline::Released);
    assert_eq!(rong.figures.days_in_custody_total.months().0, 15);
    let kem = tracker.status(people.kem_sokha, today()).await.unwrap();
    assert_eq!(kem.headline, Headline::Restricted);

    let index = tracker.people().await.unwrap();
    assert_eq!(index.people().len(), 4);
    for reference in ["Rorng Chhun", "rong chhun", "RONG-CHHUN", "rong-chhun"] {
        assert_eq!(
            index.resolve(reference).unwrap().id,
            people.rong_chhun,
            "{reference}"
        );
    }
    let err = index.resolve("Rong Chun").unwrap_err();
    assert!(
        err.to_string()
            .contains("did you mean Rong Chhun (rong-chhun)"),
        "{err}"
    );

    let statements = tracker.statements_about(people.ton_nimol).await.unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].statement.by, "United Nations");

    let history = tracker.history(people.rong_chhun).await.unwrap();
    let headlines: Vec<Headline> = history.iter().map(|h| h.headline_after).collect();
    assert_eq!(headlines.first(), Some(&Headline::Unknown));
    assert!(
        history
            .iter()
            .all(|h| h.envelope.recorded_by == demo::DEMO_ACTOR)
    );
    assert!(
        tracker
            .store()
            .verify()
            .await
            .unwrap()
            .first_problem
            .is_none()
    );
}

#[tokio::test]
async fn a_rejected_command_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    let people = demo::load(&tracker).await.unwrap();
    let head = tracker.store().head().await.unwrap();

    let err = tracker
        .execute(
            Subject::Person(people.kem_sokha),
            release("2021-11-12"),
            &Issued::now("test"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrackerError::Rejected(DomainError::ReleaseWithoutCustody { .. })
        ),
        "{err}"
    );
    let mut future = Issued::now("test");
    future.at -= Duration::days(3650);
    let err = tracker
        .execute(
            Subject::Person(people.rong_chhun),
            release("2021-11-12"),
            &future,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, TrackerError::Rejected(_)), "{err}");
    assert_eq!(tracker.store().head().await.unwrap(), head);
}

#[tokio::test]
async fn a_retried_command_is_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    let people = demo::load(&tracker).await.unwrap();
    let mut issued = Issued::now("test");
    issued.command_id = Some(CommandId::from_uuid(Uuid::now_v7()));
    let detain = habeas_domain::command::Action::RecordDetention(habeas_domain::event::Detention {
        facts: Facts::new(
            "2022-01".parse().unwrap(),
            vec![Source::url("https://example.org/b")],
        ),
        kind: habeas_domain::event::DetentionKind::Arrest,
        place: None,
        authority: None,
        facility: None,
    });
    let first = tracker
        .execute(Subject::Person(people.rong_chhun), detain.clone(), &issued)
        .await
        .unwrap();
    let again = tracker
        .execute(Subject::Person(people.rong_chhun), detain, &issued)
        .await
        .unwrap();
    assert!(!first.already_applied);
    assert!(again.already_applied);
    assert_eq!(first.event_ids, again.event_ids);
    assert_eq!(first.last_position, again.last_position);
    assert_eq!(tracker.store().head().await.unwrap(), first.last_position);
}

#[tokio::test]
async fn a_batch_is_recorded_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    let person = habeas_domain::id::PersonId::from_uuid(Uuid::now_v7());
    let register = Action::RegisterPerson(habeas_domain::event::Registration {
        name: "Sun Yonglu".into(),
        aliases: vec!["孙永录".into()],
        country: Some("China".into()),
        affiliation: None,
        born: None,
        sources: vec![],
    });
    let detain = Action::RecordDetention(habeas_domain::event::Detention {
        facts: Facts::new(
            "2014-12-17".parse().unwrap(),
            vec![Source::url("https://example.org/c")],
        ),
        kind: habeas_domain::event::DetentionKind::AdministrativeDetention,
        place: None,
        authority: None,
        facility: None,
    });
    // The second release has no custody to end: the whole batch is refused.
    let batch = vec![
        register.clone(),
        detain.clone(),
        release("2014-12-28"),
        release("2014-12-29"),
    ];
    let err = tracker
        .execute_all(Subject::Person(person), batch, &Issued::now("import"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrackerError::Rejected(DomainError::ReleaseWithoutCustody { .. })
        ),
        "{err}"
    );
    assert_eq!(tracker.store().head().await.unwrap(), 0);

    let recorded = tracker
        .execute_all(
            Subject::Person(person),
            vec![register, detain, release("2014-12-28")],
            &Issued::now("import"),
        )
        .await
        .unwrap();
    assert_eq!(recorded.event_ids.len(), 3);
    let status = tracker.status(person, today()).await.unwrap();
    assert_eq!(status.headline, Headline::Released);
    assert_eq!(status.figures.days_in_custody_total.min, 11);
}
