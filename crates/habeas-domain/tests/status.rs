//! Status derivation on the worked example of `docs/domain.md` and around it.

mod support;

use habeas_domain::command::Action;
use habeas_domain::event::{Death, Disappearance, RestrictionKind};
use habeas_domain::figures::DayRange;
use habeas_domain::status::{Custody, Headline, Legal};
use support::*;

/// Rong Chhun, as the 2021 news report tells it, recorded in the order given.
fn rong_chhun(order: &[usize]) -> Stream {
    let facts = [
        detained("2020-07"),
        charged("2020-08", "incitement"),
        sentenced("2021-08", "2y"),
        released("2021-11-12"),
    ];
    let mut stream = Stream::new();
    stream.record(register("Rong Chhun", &["Rorng Chhun"]));
    for &idx in order {
        stream.record(facts[idx].clone());
    }
    stream
}

#[test]
fn worked_example_rong_chhun_is_released_after_about_15_months() {
    let stream = rong_chhun(&[0, 1, 2, 3]);
    let status = stream.status("2021-11-20");
    assert_eq!(status.headline, Headline::Released);
    assert_eq!(
        status.custody,
        Custody::AtLiberty {
            since: Some(d("2021-11-12"))
        }
    );
    let identity = status.identity.as_ref().unwrap();
    assert_eq!(identity.name, "Rong Chhun");
    assert_eq!(identity.aliases, ["Rorng Chhun"]);
    // Detained "end of July 2020", known to the month: 469 days if on the
    // 31st, 499 if on the 1st. Never a fake exact figure.
    let days = status.figures.days_in_custody_total.unwrap();
    assert_eq!(days, DayRange::range(469, 499));
    assert_eq!(days.months().0, 15, "about 15 months");
    assert_eq!(status.figures.days_in_custody_now, None);
    assert!(
        matches!(status.legal, Legal::Convicted { ref charges, .. } if charges[0].offence == "incitement")
    );
    assert_eq!(status.figures.term.unwrap().to_string(), "2 years");
    let expected = status.figures.expected_release.unwrap();
    assert_eq!(
        (
            expected.earliest.unwrap().to_string(),
            expected.latest.to_string()
        ),
        ("2022-07-01".into(), "2022-07-31".into())
    );
    let served = status.figures.served.unwrap();
    assert!(served.min > 0.6 && served.max < 0.7, "{served}");
}

#[test]
fn kem_sokha_is_restricted_not_in_custody() {
    let mut stream = Stream::new();
    stream.record(register("Kem Sokha", &[]));
    stream.record(restricted("2017-11", RestrictionKind::PoliticalActivityBan));
    let status = stream.status("2021-11-20");
    assert_eq!(status.headline, Headline::Restricted);
    assert_eq!(status.custody, Custody::Unknown);
    assert_eq!(status.restrictions.len(), 1);
    // No custody recorded: unknown, not zero days.
    assert_eq!(status.figures.days_in_custody_total, None);
}

#[test]
fn recording_order_does_not_change_the_final_status() {
    let in_order = rong_chhun(&[0, 1, 2, 3]).status("2021-11-20");
    for order in [[0, 3, 2, 1], [0, 3, 1, 2], [0, 1, 3, 2], [0, 2, 1, 3]] {
        let status = rong_chhun(&order).status("2021-11-20");
        assert_eq!(status.headline, in_order.headline, "{order:?}");
        assert_eq!(status.custody, in_order.custody, "{order:?}");
        assert_eq!(status.legal, in_order.legal, "{order:?}");
        assert_eq!(status.figures, in_order.figures, "{order:?}");
    }
}

#[test]
fn as_of_walks_through_the_case() {
    let stream = rong_chhun(&[0, 3, 2, 1]);
    // check(as_of, expected headline)
    let cases = [
        ("2020-06-30", Headline::Unknown),
        ("2020-07-31", Headline::Detained),
        ("2021-01-15", Headline::Charged),
        ("2021-10-01", Headline::ServingSentence),
        ("2021-11-12", Headline::Released),
    ];
    for (as_of, headline) in cases {
        let status = stream.status(as_of);
        assert_eq!(status.headline, headline, "as of {as_of}");
        assert_eq!(
            status.view.as_of,
            day(as_of),
            "the answer says which as-of it used"
        );
    }
    let mid = stream.status("2021-01-15");
    assert_eq!(
        mid.figures.days_in_custody_now,
        Some(DayRange::range(168, 198))
    );
    assert!(
        matches!(mid.custody, Custody::InCustody { ref facility, .. } if facility.as_deref() == Some("Prey Sar prison"))
    );
}

#[test]
fn known_at_ignores_what_was_recorded_later() {
    let mut stream = Stream::at("2021-09-01T08:00:00Z");
    stream.record(register("Rong Chhun", &[]));
    stream.record(detained("2020-07"));
    stream.record(sentenced("2021-08", "2y"));
    let between = stream.clock;
    stream.clock = at("2021-11-13T08:00:00Z");
    stream.record(released("2021-11-12"));

    let before = stream.status_known_at("2021-11-20", between);
    assert_eq!(before.headline, Headline::ServingSentence);
    assert_eq!(before.view.known_at, between);
    let now = stream.status("2021-11-20");
    assert_eq!(now.headline, Headline::Released);
}

#[test]
fn a_retraction_removes_an_event_and_a_correction_moves_the_figures() {
    let mut stream = Stream::new();
    stream.record(register("Rong Chhun", &[]));
    let detention = stream.record(detained("2020-07"));
    stream.record(sentenced("2021-08", "2y"));
    let release = stream.record(released("2021-11-12"));

    stream.record(retract(
        release,
        "the report confused him with another prisoner",
    ));
    let retracted = stream.status("2021-11-20");
    assert_eq!(retracted.headline, Headline::ServingSentence);
    assert_eq!(
        retracted.figures.days_in_custody_now,
        Some(DayRange::range(477, 507))
    );

    stream.record(correct(
        detention,
        detained("2020-07-31"),
        "exact day found in the court file",
    ));
    let corrected = stream.status("2021-11-20");
    assert_eq!(
        corrected.figures.days_in_custody_now,
        Some(DayRange::exact(477))
    );
    assert_eq!(
        corrected.figures.expected_release.unwrap().to_string(),
        "2022-07-31"
    );
}

#[test]
fn headlines_for_the_other_fates() {
    // check(events, expected headline)
    let cases: Vec<(Vec<Action>, Headline)> = vec![
        (vec![], Headline::Unknown),
        (vec![detained("2020-07")], Headline::Detained),
        (vec![charged("2020-08", "incitement")], Headline::Charged),
        (
            vec![sentenced_in_absentia("2020-08", "5y")],
            Headline::SentencedAtLiberty,
        ),
        (
            vec![sentenced_in_absentia("2020-08", "5y"), detained("2021-01")],
            Headline::ServingSentence,
        ),
        (
            vec![
                detained("2020-07"),
                Action::RecordDeathInCustody(Death {
                    facts: facts("2021-01"),
                    circumstances: None,
                }),
            ],
            Headline::Deceased,
        ),
        (
            vec![Action::RecordDisappearance(Disappearance {
                facts: facts("2021-01"),
                circumstances: None,
            })],
            Headline::Disappeared,
        ),
        (
            vec![
                detained("2020-07"),
                released("2020-08"),
                restricted("2020-08", RestrictionKind::TravelBan),
            ],
            Headline::Restricted,
        ),
    ];
    for (events, expected) in cases {
        let mut stream = Stream::new();
        stream.record(register("Someone", &[]));
        for event in events.clone() {
            stream.record(event);
        }
        assert_eq!(stream.status("2021-11-20").headline, expected, "{events:?}");
    }
}

#[test]
fn expected_release_counts_from_the_next_detention_after_a_sentence_in_absentia() {
    let mut stream = Stream::new();
    stream.record(register("Someone", &[]));
    stream.record(sentenced_in_absentia("2019-03", "2y"));
    stream.record(detained("2020-01-10"));
    let status = stream.status("2021-01-10");
    assert_eq!(
        status.figures.expected_release.unwrap().to_string(),
        "2022-01-10"
    );
    assert_eq!(status.figures.served.unwrap().to_string(), "50%");
}

#[test]
fn the_public_view_leaves_out_restricted_facts_as_they_stand() {
    use habeas_domain::facts::Visibility;
    use habeas_domain::redaction::public_history;

    let restrict = |action: Action| match action {
        Action::RecordTransfer(mut transfer) => {
            transfer.facts.visibility = Visibility::Restricted;
            Action::RecordTransfer(transfer)
        }
        Action::RecordDetention(mut detention) => {
            detention.facts.visibility = Visibility::Restricted;
            Action::RecordDetention(detention)
        }
        other => other,
    };
    let mut stream = Stream::new();
    stream.record(register("Someone", &[]));
    let detention = stream.record(detained("2020-07"));
    let secret = stream.record(restrict(transferred("2020-09", "Secret Site 7")));
    stream.record(correct(
        secret,
        restrict(transferred("2020-10", "Secret Site 7")),
        "date",
    ));
    // Published first, then made restricted by a correction: hidden entirely.
    let made_secret = stream.record(transferred("2020-11", "Known Prison"));
    stream.record(correct(
        made_secret,
        restrict(transferred("2020-11", "Known Prison")),
        "protect family",
    ));

    let public = public_history(&stream.history);
    let ids: Vec<_> = public.iter().map(|r| r.id).collect();
    assert_eq!(ids, [stream.history[0].id, detention]);
    let view = habeas_domain::status::status(
        &public,
        habeas_domain::status::View {
            as_of: day("2021-01-01"),
            known_at: stream.clock,
        },
    );
    assert!(
        matches!(view.custody, Custody::InCustody { ref facility, .. } if facility.as_deref() == Some("Prey Sar prison"))
    );
    let _ = restrict(detained("2020-07"));
}
