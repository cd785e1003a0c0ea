//! The facade over a real sled store on disk: the demo, name resolution,
//! statements, idempotent commands, and rejections that leave the store as it was.

use chrono::{Duration, Utc};
use habeas::demo;
use habeas::error::TrackerError;
use habeas::tracker::{Issued, Subject, Tracker};
use habeas_domain::amendment::Amendment;
use habeas_domain::command::Action;
use habeas_domain::error::DomainError;
use habeas_domain::event::{Event, Release, ReleaseKind};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::id::{CommandId, EventId};
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
        ordered_by: None,
    })
}

#[tokio::test]
async fn the_demo_tells_the_worked_example() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    let people = demo::load(&tracker).await.unwrap();

    let rong = tracker.status(people.rong_chhun, today()).await.unwrap();
    assert_eq!(rong.headline, Headline::Released);
    assert_eq!(rong.figures.days_in_custody_total.unwrap().months().0, 15);
    let kem = tracker.status(people.kem_sokha, today()).await.unwrap();
    assert_eq!(kem.headline, Headline::Restricted);

    let index = tracker.people().await.unwrap();
    assert_eq!(index.people().len(), 4);
    for reference in ["Rorng Chhun", "rong chhun", "RONG-CHHUN", "rong-chhun"] {
        assert_eq!(
            tracker.resolve(reference).await.unwrap().id,
            people.rong_chhun,
            "{reference}"
        );
    }
    let err = tracker.resolve("Rong Chun").await.unwrap_err();
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
        details: habeas_domain::event::PersonDetails::default(),
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
    assert_eq!(status.figures.days_in_custody_total.unwrap().min, 11);
}

#[tokio::test]
async fn people_are_found_through_the_read_model_as_soon_as_they_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    let people = demo::load(&tracker).await.unwrap();
    for reference in ["Rorng Chhun", "rong chhun", "RÓNG-CHHUN", "rong-chhun"] {
        let found = tracker.resolve(reference).await.unwrap();
        assert_eq!(found.id, people.rong_chhun, "{reference}");
        assert_eq!(found.slug, "rong-chhun");
    }
    let err = tracker.resolve("Rong Chun").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("did you mean Rong Chhun (rong-chhun)"),
        "{err}"
    );

    // A namesake registered now is found at once, and the name becomes
    // ambiguous: both candidates are listed with their slugs.
    let (namesake, _) = tracker
        .register_person(registration("Rong Chhun"), &Issued::now("test"))
        .await
        .unwrap();
    let err = tracker.resolve("rong chhun").await.unwrap_err();
    let TrackerError::AmbiguousPerson { candidates, .. } = &err else {
        panic!("expected an ambiguous name, got {err}");
    };
    assert_eq!(candidates.len(), 2, "{candidates:?}");
    assert!(candidates.iter().any(|c| c.contains("(rong-chhun, ")));
    let entry = tracker.person(namesake).await.unwrap().unwrap();
    assert_ne!(entry.slug, "rong-chhun");
    assert_eq!(tracker.resolve(&entry.slug).await.unwrap().id, namesake);
    assert_eq!(tracker.people().await.unwrap().people().len(), 5);

    // The audit replays the log and agrees with every answer.
    let audit = tracker
        .audit(Utc::now().date_naive(), &mut |_, _, _| {})
        .await
        .unwrap();
    assert!(audit.is_clean(), "{:?}", audit.differences);
    assert_eq!(audit.n_people, 5);
}

#[tokio::test]
async fn the_status_known_between_two_batches_ignores_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    let first_batch = Issued::now("first");
    let (person, _) = tracker
        .register_person(registration("Ana Example"), &first_batch)
        .await
        .unwrap();
    let detain = Action::RecordDetention(habeas_domain::event::Detention {
        facts: Facts::new(
            "2020-03-01".parse().unwrap(),
            vec![Source::url("https://example.org/d")],
        ),
        kind: habeas_domain::event::DetentionKind::Arrest,
        place: None,
        authority: None,
        facility: None,
    });
    tracker
        .execute(Subject::Person(person), detain, &first_batch)
        .await
        .unwrap();
    let between = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    // Learnt later: she had been released in 2020 already.
    tracker
        .execute(
            Subject::Person(person),
            release("2020-06-01"),
            &Issued::now("second"),
        )
        .await
        .unwrap();

    let as_known_between = tracker
        .status(
            person,
            View {
                as_of: "2021-01-01".parse().unwrap(),
                known_at: between,
            },
        )
        .await
        .unwrap();
    assert_eq!(as_known_between.headline, Headline::Detained);
    let as_known_now = tracker
        .status(
            person,
            View {
                as_of: "2021-01-01".parse().unwrap(),
                known_at: Utc::now(),
            },
        )
        .await
        .unwrap();
    assert_eq!(as_known_now.headline, Headline::Released);
    // The read model, once caught up, answers as known now, and agrees.
    tracker.refresh(&mut |_, _| {}).await.unwrap();
    let row = tracker
        .projections()
        .status(
            tracker.store().as_ref(),
            person,
            "2021-01-01".parse().unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.headline, Headline::Released);
}

#[tokio::test]
async fn read_models_of_another_log_are_rebuilt_not_mixed_in() {
    let parent = tempfile::tempdir().unwrap();
    let (a, b) = (parent.path().join("a"), parent.path().join("b"));
    {
        let tracker = Tracker::open(&a).unwrap();
        demo::load(&tracker).await.unwrap();
        assert_eq!(tracker.people().await.unwrap().people().len(), 4);
    }
    {
        let tracker = Tracker::open(&b).unwrap();
        tracker
            .register_person(registration("Only In B"), &Issued::now("test"))
            .await
            .unwrap();
        tracker.people().await.unwrap();
    }
    // B's read models replaced by A's: B's log does not confirm their
    // checkpoint, so they are rebuilt from B's log on the next answer.
    let projections = habeas::open::PROJECTIONS_DIR;
    std::fs::remove_dir_all(b.join(projections)).unwrap();
    copy_dir(&a.join(projections), &b.join(projections));
    let tracker = Tracker::open(&b).unwrap();
    let people = tracker.people().await.unwrap();
    let names: Vec<&str> = people
        .people()
        .iter()
        .map(|p| p.identity.name.as_str())
        .collect();
    assert_eq!(names, ["Only In B"]);
    assert!(tracker.resolve("Rong Chhun").await.is_err());
}

#[tokio::test]
async fn deleted_read_models_are_built_again_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let people = {
        let tracker = Tracker::open(&path).unwrap();
        demo::load(&tracker).await.unwrap()
    };
    std::fs::remove_dir_all(path.join(habeas::open::PROJECTIONS_DIR)).unwrap();
    let tracker = Tracker::open(&path).unwrap();
    let mut reported = Vec::new();
    let checkpoint = tracker
        .refresh(&mut |done, total| reported.push((done, total)))
        .await
        .unwrap();
    assert_eq!(checkpoint, tracker.store().head().await.unwrap());
    assert_eq!(reported.last(), Some(&(checkpoint, checkpoint)));
    assert_eq!(
        tracker.resolve("rong chhun").await.unwrap().id,
        people.rong_chhun
    );
    let statements = tracker.statements_about(people.ton_nimol).await.unwrap();
    assert_eq!(statements.len(), 1);
}

/// A registration under `name` and nothing else.
fn registration(name: &str) -> habeas_domain::event::Registration {
    habeas_domain::event::Registration {
        name: name.into(),
        aliases: vec![],
        country: None,
        affiliation: None,
        born: None,
        sources: vec![],
        details: habeas_domain::event::PersonDetails::default(),
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn a_history_knows_what_each_correction_changed_and_holds_the_statements_naming_the_person() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    let people = demo::load(&tracker).await.unwrap();
    let before = tracker.history(people.rong_chhun).await.unwrap();
    let detention = before
        .iter()
        .find(|entry| matches!(entry.event, Event::Detained(_)))
        .unwrap();
    let target = EventId::from_uuid(detention.envelope.event_id);
    let issued = Issued::now("test officer");
    for facility in ["Correctional Centre 1", "Correctional Centre 2"] {
        let amendment = Amendment {
            facility: Some(facility.into()),
            ..Amendment::default()
        };
        tracker
            .correct(target, &amendment, "a later report".into(), &issued)
            .await
            .unwrap();
    }
    let after = tracker.history(people.rong_chhun).await.unwrap();
    let corrections: Vec<&Event> = after
        .iter()
        .filter_map(|entry| match &entry.event {
            Event::EventCorrected(correction) => Some(&*correction.corrected),
            _ => None,
        })
        .collect();
    let amended: Vec<Option<&Event>> = after
        .iter()
        .filter(|entry| matches!(entry.event, Event::EventCorrected(_)))
        .map(|entry| entry.amended.as_ref())
        .collect();
    // Each correction amends the fact as the one before left it.
    assert_eq!(amended, [Some(&detention.event), Some(corrections[0])]);
    assert!(
        after
            .iter()
            .any(|entry| entry.statement.is_some()
                && matches!(entry.event, Event::StatementIssued(_))),
        "the statements naming Rong Chhun are in his history"
    );
    assert!(
        after
            .windows(2)
            .all(|pair| pair[0].envelope.position < pair[1].envelope.position),
        "in recording order"
    );
}

/// Namesakes in four scripts, through the facade that `status` and `log`
/// use: the name is ambiguous and lists both, even where it is the first
/// namesake's slug (a name in a script without case is its own slug), so a
/// fact is never recorded on one of them silently; an id always finds one,
/// and so does a slug that cannot be read as the name.
#[tokio::test]
async fn a_shared_name_never_resolves_to_one_of_its_namesakes() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    for name in ["Li Wei", "王芳", "أحمد حسن", "Иван Петров", "Алексей"] {
        let mut ids = Vec::new();
        for _ in 0..2 {
            let (id, _) = tracker
                .register_person(registration(name), &Issued::now("test"))
                .await
                .unwrap();
            ids.push(id);
        }
        let err = tracker.resolve(name).await.unwrap_err();
        let TrackerError::AmbiguousPerson { candidates, .. } = &err else {
            panic!("{name}: expected an ambiguous name, got {err}");
        };
        assert_eq!(candidates.len(), 2, "{name}: {candidates:?}");
        for id in &ids {
            assert!(
                candidates.iter().any(|c| c.contains(&id.to_string())),
                "{name}: {id} in {candidates:?}"
            );
            assert_eq!(tracker.resolve(&id.to_string()).await.unwrap().id, *id);
            let entry = tracker.person(*id).await.unwrap().unwrap();
            // A slug that is its own folded form reads as the name: only
            // the id tells the first namesake apart then.
            if habeas::people::fold(&entry.slug) != entry.slug {
                assert_eq!(tracker.resolve(&entry.slug).await.unwrap().id, *id);
            }
        }
    }
}
