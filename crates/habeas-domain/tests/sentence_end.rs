//! Sentences known by the day of release a source states, the release day
//! convention, and people still held past it (overdue: their fate must be
//! checked).

mod support;

use habeas_domain::command::Action;
use habeas_domain::event::Sentencing;
use habeas_domain::figures::DateRange;
use support::*;

fn sentenced_until(date: &str, ends: &str) -> Action {
    Action::RecordSentence(Sentencing {
        facts: facts(date),
        term: None,
        court: None,
        in_absentia: false,
        suspended: false,
        ends: Some(d(ends)),
        offences: Vec::new(),
    })
}

fn range(earliest: &str, latest: &str) -> Option<DateRange> {
    Some(DateRange {
        earliest: Some(day(earliest)),
        latest: day(latest),
    })
}

#[test]
fn the_day_of_release_is_the_day_after_the_last_day_served() {
    // A 3-year term from 2019-01-01 is served until 2021-12-31; the person
    // walks out on 2022-01-01, the day sentencing courts name as its end.
    let mut stream = Stream::new();
    stream.record(register("Test Person", &[]));
    stream.record(detained("2019-01-01"));
    stream.record(sentenced("2019-06-01", "3y"));
    let status = stream.status("2021-11-01");
    assert_eq!(
        status.figures.expected_release,
        range("2022-01-01", "2022-01-01")
    );
}

/// (as of, expected release, overdue)
type Check = (&'static str, Option<DateRange>, bool);

#[test]
fn a_stated_day_of_release_counts_and_a_person_held_past_it_is_overdue() {
    // (case, facts after the registration, checks)
    let cases: Vec<(&str, Vec<Action>, Vec<Check>)> = vec![
        (
            "a list's 'expected release 2014-04-29', still held",
            vec![detained("2010-03"), sentenced_until("2011", "2014-04-29")],
            vec![
                ("2014-04-28", range("2014-04-29", "2014-04-29"), false),
                ("2014-04-29", range("2014-04-29", "2014-04-29"), false),
                ("2014-04-30", range("2014-04-29", "2014-04-29"), true),
            ],
        ),
        (
            "the release recorded: nothing overdue",
            vec![
                detained("2010-03"),
                sentenced_until("2011", "2014-04-29"),
                released("2014-05"),
            ],
            vec![("2015-01-01", range("2014-04-29", "2014-04-29"), false)],
        ),
        (
            "a release stated to the month is overdue only after the month",
            vec![detained("2010-03"), sentenced_until("2011", "2014-04")],
            vec![
                ("2014-04-30", range("2014-04-01", "2014-04-30"), false),
                ("2014-05-01", range("2014-04-01", "2014-04-30"), true),
            ],
        ),
        (
            "start of custody + term decides when both are known",
            vec![detained("2010-03-01"), sentenced("2011", "2y")],
            vec![("2012-03-02", range("2012-03-01", "2012-03-01"), true)],
        ),
        (
            "a sentence in an earlier custody is not overdue in a later one",
            vec![
                detained("2010-03-01"),
                sentenced("2011", "2y"),
                released("2012-03-01"),
                detained("2013-01-01"),
            ],
            vec![("2014-01-01", range("2012-03-01", "2012-03-01"), false)],
        ),
    ];
    for (name, facts, checks) in cases {
        let mut stream = Stream::at("2022-01-01T09:00:00Z");
        stream.record(register("Test Person", &[]));
        for fact in facts {
            stream.record(fact);
        }
        for (as_of, expected, overdue) in checks {
            let status = stream.status(as_of);
            assert_eq!(
                status.figures.expected_release, expected,
                "{name}, as of {as_of}"
            );
            assert_eq!(
                status.figures.release_overdue, overdue,
                "{name}, as of {as_of}"
            );
        }
    }
}
