//! Custody known without its start: what published lists say ("in custody
//! on 2021-03-04", "held since an unknown date", "detained some time before
//! 2021"), written `..DATE` (on or before DATE). Status is held; figures are
//! open ranges ("at least N days"), never a number that pretends the start is
//! known, and never zero.

mod support;

use habeas_domain::command::Action;
use habeas_domain::error::DomainError;
use habeas_domain::figures::{DateRange, DayRange};
use habeas_domain::status::{Custody, Headline};
use support::*;

/// What a status should show on one day.
struct Expect {
    as_of: &'static str,
    headline: Headline,
    /// Days in custody now (the open episode), if held.
    now: Option<DayRange>,
    /// Days in custody over every episode; `None` when none is recorded.
    total: Option<DayRange>,
    expected_release: Option<DateRange>,
    overdue: bool,
    /// The headline the facts whose date may or may not be past `as_of` give.
    possibly: Option<Headline>,
}

fn on_or_before(latest: &str) -> Option<DateRange> {
    Some(DateRange {
        earliest: None,
        latest: day(latest),
    })
}

/// (case, facts after the registration, what status shows on some days)
type Case = (&'static str, Vec<Action>, Vec<Expect>);

#[test]
fn custody_known_without_its_start_is_held_for_at_least_the_days_since_it_was_known() {
    use Headline::*;
    let cases: Vec<Case> = vec![
        (
            "a list's 'in custody on 2021-03-04', nothing else",
            vec![detained("..2021-03-04")],
            vec![
                Expect {
                    as_of: "2021-06-01",
                    headline: Detained,
                    now: Some(DayRange::at_least(89)),
                    total: Some(DayRange::at_least(89)),
                    expected_release: None,
                    overdue: false,
                    possibly: None,
                },
                Expect {
                    as_of: "2021-03-04",
                    headline: Detained,
                    now: Some(DayRange::at_least(0)),
                    total: Some(DayRange::at_least(0)),
                    expected_release: None,
                    overdue: false,
                    possibly: None,
                },
                // Before the day it was known, custody may or may not have
                // begun: never "held", never "at liberty".
                Expect {
                    as_of: "2020-01-01",
                    headline: Unknown,
                    now: None,
                    total: None,
                    expected_release: None,
                    overdue: false,
                    possibly: Some(Detained),
                },
            ],
        ),
        (
            "held again after a release a source dates: the release comes first",
            vec![
                detained("2018-01"),
                released("2019-05"),
                detained("..2021-03-04"),
            ],
            vec![Expect {
                as_of: "2021-06-01",
                headline: Detained,
                now: Some(DayRange::at_least(89)),
                // 2018-01-31 → 2019-05-01 is 455 days; 2018-01-01 →
                // 2019-05-31 is 515; plus at least 89.
                total: Some(DayRange::at_least(455 + 89)),
                expected_release: None,
                overdue: false,
                possibly: None,
            }],
        ),
        (
            "a 10-year sentence without a date, custody without a start: released on or before the bound plus the term",
            vec![detained("..2015-03-04"), sentenced("..2015-03-04", "10y")],
            vec![
                Expect {
                    as_of: "2024-01-01",
                    headline: ServingSentence,
                    now: Some(DayRange::at_least(3225)),
                    total: Some(DayRange::at_least(3225)),
                    expected_release: on_or_before("2025-03-04"),
                    overdue: false,
                    possibly: None,
                },
                Expect {
                    as_of: "2025-03-05",
                    headline: ServingSentence,
                    now: Some(DayRange::at_least(3654)),
                    total: Some(DayRange::at_least(3654)),
                    expected_release: on_or_before("2025-03-04"),
                    overdue: true,
                    possibly: None,
                },
            ],
        ),
        (
            "a life sentence known only from a list: no release day invented",
            vec![detained("..2020"), sentenced("..2020", "life")],
            vec![Expect {
                as_of: "2022-01-01",
                headline: ServingSentence,
                now: Some(DayRange::at_least(366)),
                total: Some(DayRange::at_least(366)),
                expected_release: None,
                overdue: false,
                possibly: None,
            }],
        ),
        (
            "a death sentence known only from a list",
            vec![detained("..2020-06"), sentenced("..2020-06", "death")],
            vec![Expect {
                as_of: "2020-07-01",
                headline: ServingSentence,
                now: Some(DayRange::at_least(1)),
                total: Some(DayRange::at_least(1)),
                expected_release: None,
                overdue: false,
                possibly: None,
            }],
        ),
        (
            "released later: the episode keeps its open length",
            vec![detained("..2021-03-04"), released("2021-04-04")],
            vec![Expect {
                as_of: "2022-01-01",
                headline: Released,
                now: None,
                total: Some(DayRange::at_least(31)),
                expected_release: None,
                overdue: false,
                possibly: None,
            }],
        ),
    ];
    for (case, actions, expectations) in cases {
        let mut stream = Stream::new();
        stream.record(register("Test Person", &[]));
        for action in actions {
            stream.record(action);
        }
        for expect in expectations {
            let status = stream.status(expect.as_of);
            let on = format!("{case}, as of {}", expect.as_of);
            assert_eq!(status.headline, expect.headline, "{on}");
            assert_eq!(status.figures.days_in_custody_now, expect.now, "{on}");
            assert_eq!(status.figures.days_in_custody_total, expect.total, "{on}");
            assert_eq!(
                status.figures.expected_release, expect.expected_release,
                "{on}"
            );
            assert_eq!(status.figures.release_overdue, expect.overdue, "{on}");
            assert_eq!(status.figures.served, None, "{on}: no share of an unknown");
            assert_eq!(
                status.possibly.as_ref().map(|p| p.headline),
                expect.possibly,
                "{on}"
            );
            if let Custody::InCustody { since, .. } = status.custody {
                assert!(since.is_open_start(), "{on}: {since}");
            }
        }
    }
}

#[test]
fn figures_with_an_open_start_read_as_at_least() {
    let mut stream = Stream::new();
    stream.record(register("Test Person", &[]));
    stream.record(detained("..2021-03-04"));
    let days = stream
        .status("2021-06-01")
        .figures
        .days_in_custody_now
        .unwrap();
    assert_eq!(days.to_string(), "at least 89 days");
    assert_eq!(
        days.in_words(),
        "at least 89 days (at least about 3 months)"
    );
    assert!(days.is_open() && !days.is_exact());
}

#[test]
fn the_rules_still_hold_around_an_open_start() {
    // (case, facts before, the command, refused with this error)
    type Refusal = (&'static str, Vec<Action>, Action, fn(&DomainError) -> bool);
    let cases: Vec<Refusal> = vec![
        (
            "held since some day before 2021-03-04 and again detained 2021-05",
            vec![detained("..2021-03-04")],
            detained("2021-05"),
            |e| matches!(e, DomainError::DetentionWhileInCustody { .. }),
        ),
        (
            "a bound in the future names nothing yet",
            vec![],
            detained("..2031-01-01"),
            |e| matches!(e, DomainError::DateInFuture { .. }),
        ),
    ];
    for (case, before, command, refused) in cases {
        let mut stream = Stream::new();
        stream.record(register("Test Person", &[]));
        for action in before {
            stream.record(action);
        }
        let err = stream.reject(command);
        assert!(refused(&err), "{case}: refused with {err}");
    }
}

#[test]
fn an_open_start_says_when_custody_began_not_that_it_went_on() {
    // "Detained on or before 2021-03-04" allows a release in 2021-01: the
    // detention began before it. What a list means by "in custody on D" is
    // recorded as the detention's bound; a release a source dates before D
    // is recorded as the sources say, and the status follows them.
    let mut stream = Stream::new();
    stream.record(register("Test Person", &[]));
    stream.record(detained("..2021-03-04"));
    stream.record(released("2021-01"));
    let status = stream.status("2021-06-01");
    assert_eq!(status.headline, Headline::Released);
    assert_eq!(
        status.figures.days_in_custody_total,
        Some(DayRange::at_least(0))
    );
}
