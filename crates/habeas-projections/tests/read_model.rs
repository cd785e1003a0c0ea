//! `check(events, expect)` tables for the status read model and the roster:
//! each case's actions are recorded through `decide` into a sled store, the
//! projections catch up, and the row read for a day (and the rosters that
//! list the person) must read as expected. Every case is checked again after
//! a rebuild, and the audit must find nothing.

mod support;

use habeas_domain::command::Action;
use habeas_domain::event::DetentionKind;
use habeas_domain::id::PersonId;
use habeas_domain::status::Headline;
use habeas_projections::{Days, PersonStatus, RosterFilter};
use support::*;

/// How a row reads: headline, custody, legal state, day counts, and the
/// rosters that list the person that day.
fn describe(row: &PersonStatus, rosters: &[Headline]) -> String {
    let days = |days: Days| match days.max {
        Some(max) if max == days.min => days.min.to_string(),
        Some(max) => format!("{}..{max}", days.min),
        None => format!("{}..", days.min),
    };
    let custody = match &row.custody.since {
        Some(since) => format!("{:?} since {since}", row.custody.state),
        None => format!("{:?}", row.custody.state),
    };
    let rosters: Vec<&str> = rosters.iter().map(Headline::as_str).collect();
    format!(
        "{} | {custody} | {:?} | now {} | total {} | roster {}",
        row.headline,
        row.legal.state,
        row.figures.days_in_custody_now.map_or("-".to_owned(), days),
        // No custody recorded: unknown ("-"), never "0".
        row.figures
            .days_in_custody_total
            .map_or("-".to_owned(), days),
        rosters.join(",")
    )
}

async fn read(world: &World, person: PersonId, on: &str) -> String {
    let row = world
        .projections
        .status(world.store.as_ref(), person, day(on))
        .await
        .expect("status")
        .expect("a row");
    let mut rosters = Vec::new();
    for headline in Headline::ALL {
        let filter = RosterFilter {
            as_of: day(on),
            headlines: vec![headline],
        };
        let listed = world
            .projections
            .roster(world.store.as_ref(), &filter)
            .await
            .expect("roster");
        if listed.iter().any(|r| r.person == person) {
            rosters.push(headline);
        }
    }
    describe(&row, &rosters)
}

struct Case {
    name: &'static str,
    actions: Vec<Action>,
    /// (day, expected reading) pairs.
    expect: Vec<(&'static str, &'static str)>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "Rong Chhun",
            actions: vec![
                detained("2020-07"),
                charged("2020-08"),
                sentenced("2021-08", "2y"),
                released("2021-11-12"),
            ],
            expect: vec![
                (
                    "2021-11-12",
                    "released | AtLiberty since 2021-11-12 | Convicted | now - | total 469..499 | roster released",
                ),
                (
                    "2024-01-01",
                    "released | AtLiberty since 2021-11-12 | Convicted | now - | total 469..499 | roster released",
                ),
            ],
        },
        Case {
            name: "held, day counts grow every day",
            actions: vec![detained("2020-07-31")],
            expect: vec![
                (
                    "2020-07-31",
                    "detained | InCustody since 2020-07-31 | NotCharged | now 0 | total 0 | roster detained",
                ),
                (
                    "2021-07-31",
                    "detained | InCustody since 2020-07-31 | NotCharged | now 365 | total 365 | roster detained",
                ),
                (
                    "2022-07-31",
                    "detained | InCustody since 2020-07-31 | NotCharged | now 730 | total 730 | roster detained",
                ),
            ],
        },
        Case {
            name: "charged in custody",
            actions: vec![detained("2020-07-31"), charged("2020-08-02")],
            expect: vec![(
                "2020-08-31",
                "charged | InCustody since 2020-07-31 | Charged | now 31 | total 31 | roster charged",
            )],
        },
        Case {
            name: "serving a sentence, transferred",
            actions: vec![
                detained("2020-07-31"),
                charged("2020-08-02"),
                sentenced("2021-01-15", "2y"),
                transferred("2021-02-01", "Correctional Centre 1"),
            ],
            expect: vec![(
                "2021-07-31",
                "serving-sentence | InCustody since 2020-07-31 | Convicted | now 365 | total 365 | roster serving-sentence",
            )],
        },
        Case {
            name: "sentenced in absentia",
            actions: vec![sentenced_in_absentia("2019-03", "5y")],
            expect: vec![(
                "2020-01-01",
                "sentenced-at-liberty | Unknown | Convicted | now - | total - | roster sentenced-at-liberty",
            )],
        },
        Case {
            name: "Kem Sokha: a ban with no end",
            actions: vec![restricted("2017-11", None)],
            expect: vec![
                (
                    "2017-11-30",
                    "restricted | Unknown | NotCharged | now - | total - | roster restricted",
                ),
                (
                    "2030-01-01",
                    "restricted | Unknown | NotCharged | now - | total - | roster restricted",
                ),
            ],
        },
        Case {
            name: "a ban that expires changes the headline and the roster",
            actions: vec![
                detained("2018-01-10"),
                released("2018-03-10"),
                restricted("2018-03-10", Some("2019-06-30")),
            ],
            expect: vec![
                (
                    "2019-06-30",
                    "restricted | AtLiberty since 2018-03-10 | NotCharged | now - | total 59 | roster restricted",
                ),
                (
                    "2019-07-01",
                    "released | AtLiberty since 2018-03-10 | NotCharged | now - | total 59 | roster released",
                ),
            ],
        },
        Case {
            name: "a ban lifted",
            actions: vec![restricted("2018-01", None), lifted("2019-02-01")],
            expect: vec![(
                "2019-03-01",
                "unknown | Unknown | NotCharged | now - | total - | roster unknown",
            )],
        },
        Case {
            name: "released in a month the source does not narrow",
            actions: vec![detained("2021-01-01"), released("2021-11")],
            expect: vec![
                // Inside the release's month it may not have happened yet:
                // the person is certainly held, and possibly released.
                (
                    "2021-11-05",
                    "detained | InCustody since 2021-01-01 | NotCharged | now 308 | total 308 | roster detained",
                ),
                (
                    "2021-12-15",
                    "released | AtLiberty since 2021-11 | NotCharged | now - | total 304..333 | roster released",
                ),
            ],
        },
        Case {
            name: "died in custody",
            actions: vec![detained("2019-05-01"), died("2020-05-01")],
            expect: vec![(
                "2021-01-01",
                "deceased | Deceased since 2020-05-01 | NotCharged | now - | total 366 | roster deceased",
            )],
        },
        Case {
            name: "enforced disappearance",
            actions: vec![detained_as(
                "2022-02-01",
                DetentionKind::EnforcedDisappearance,
            )],
            expect: vec![(
                "2022-03-01",
                "disappeared | InCustody since 2022-02-01 | NotCharged | now 28 | total 28 | roster disappeared",
            )],
        },
        Case {
            name: "registered, nothing else known",
            actions: vec![],
            expect: vec![(
                "2022-03-01",
                "unknown | Unknown | NotCharged | now - | total - | roster unknown",
            )],
        },
        Case {
            name: "went into exile",
            actions: vec![exiled("2016-06")],
            expect: vec![(
                "2022-03-01",
                "at-liberty | AtLiberty since 2016-06 | NotCharged | now - | total - | roster at-liberty",
            )],
        },
        Case {
            name: "a release recorded before the sentence that preceded it",
            actions: vec![
                detained("2020-07-31"),
                released("2021-11-12"),
                sentenced("2021-08-01", "2y"),
            ],
            expect: vec![(
                "2022-01-01",
                "released | AtLiberty since 2021-11-12 | Convicted | now - | total 469 | roster released",
            )],
        },
        Case {
            name: "a day before a fact: the row is derived again for that day",
            actions: vec![detained("2020-07-31"), released("2021-11-12")],
            expect: vec![(
                "2021-01-01",
                "detained | InCustody since 2020-07-31 | NotCharged | now 154 | total 154 | roster detained",
            )],
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_rows_and_rosters() {
    let world = World::new();
    let mut people = Vec::new();
    for case in cases() {
        let person = world.register(case.name, &[]).await;
        world.person(person, case.actions).await;
        people.push((person, case.name, case.expect));
        // Catch up after each case, so that rows are also updated in place.
        world.catch_up().await;
    }
    let mut failures = Vec::new();
    for pass in ["incremental", "rebuilt"] {
        if pass == "rebuilt" {
            world
                .projections
                .rebuild(world.store.as_ref(), &mut |_, _| {})
                .await
                .expect("rebuild");
        }
        for (person, name, expect) in &people {
            for (on, expected) in expect {
                let actual = read(&world, *person, on).await;
                if actual != *expected {
                    failures.push(format!(
                        "{pass} {name} on {on}:\n  expected {expected}\n  actual   {actual}"
                    ));
                }
                let audit = world
                    .projections
                    .audit(world.store.as_ref(), day(on))
                    .await
                    .expect("audit");
                assert!(audit.is_clean(), "{pass} {name} on {on}: {audit:#?}");
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrections_and_retractions_are_projected() {
    let world = World::new();
    let person = world.register("Ton Nimol", &[]).await;
    let ids = world
        .person(person, vec![detained("2020-08-01"), released("2020-08-02")])
        .await;
    world.catch_up().await;
    assert_eq!(
        read(&world, person, "2021-01-01").await,
        "released | AtLiberty since 2020-08-02 | NotCharged | now - | total 1 | roster released"
    );
    world
        .person(person, vec![correct(ids[0], detained("2020-07-01"))])
        .await;
    world.catch_up().await;
    assert_eq!(
        read(&world, person, "2021-01-01").await,
        "released | AtLiberty since 2020-08-02 | NotCharged | now - | total 32 | roster released"
    );
    world.person(person, vec![retract(ids[1])]).await;
    world.catch_up().await;
    assert_eq!(
        read(&world, person, "2021-01-01").await,
        "detained | InCustody since 2020-07-01 | NotCharged | now 184 | total 184 | roster detained"
    );
    let audit = world
        .projections
        .audit(world.store.as_ref(), day("2021-01-01"))
        .await
        .expect("audit");
    assert!(audit.is_clean(), "{audit:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_name_the_people_they_concern() {
    let world = World::new();
    let rong = world.register("Rong Chhun", &[]).await;
    let kanika = world.register("Sar Kanika", &[]).await;
    let (un, un_event) = world
        .statement(statement_about("2021-11-02", &[rong, kanika]))
        .await;
    let (markey, _) = world
        .statement(statement_about("2021-10-21", &[rong]))
        .await;
    world.catch_up().await;
    let on = day("2022-01-01");
    let statements = async |person| {
        world
            .projections
            .status(world.store.as_ref(), person, on)
            .await
            .expect("status")
            .expect("row")
            .statements
    };
    assert_eq!(statements(rong).await, vec![markey, un], "oldest first");
    assert_eq!(statements(kanika).await, vec![un]);
    world
        .record(&un.stream_name(), vec![retract(un_event)])
        .await;
    world.catch_up().await;
    assert_eq!(statements(rong).await, vec![markey]);
    assert!(statements(kanika).await.is_empty());
    let audit = world
        .projections
        .audit(world.store.as_ref(), on)
        .await
        .expect("audit");
    assert!(audit.is_clean(), "{audit:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_early_day_is_replayed_from_the_log_the_row_came_from_or_refused() {
    let world = World::new();
    let rong = world.register("Rong Chhun", &[]).await;
    world
        .person(rong, vec![detained("2020-07-31"), released("2021-11-12")])
        .await;
    world.catch_up().await;
    // A day before the release: the stream is read from the log again.
    assert_eq!(
        read(&world, rong, "2021-01-01").await,
        "detained | InCustody since 2020-07-31 | NotCharged | now 154 | total 154 | roster detained"
    );
    // Another log does not hold the row's last event: no answer is made up.
    let other = World::new();
    other.register("Rong Chhun", &[]).await;
    let refused = world
        .projections
        .status(other.store.as_ref(), rong, day("2021-01-01"))
        .await;
    assert!(
        matches!(
            refused,
            Err(habeas_projections::ProjectionError::Diverged { .. })
        ),
        "{refused:?}"
    );
    // A later day needs no log at all: the stored standing answers.
    let row = world
        .projections
        .status(other.store.as_ref(), rong, day("2022-01-01"))
        .await
        .expect("status")
        .expect("row");
    assert_eq!(row.headline.as_str(), "released");
}
