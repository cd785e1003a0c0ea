//! A fact known only to the month or the year may or may not have happened
//! on a day inside that month or year. Status as of such a day counts only
//! what certainly happened, and says what may have (`Status::possibly`).

mod support;

use habeas_domain::command::Action;
use habeas_domain::status::Headline;
use support::*;

/// One case, as of several days: the headline (certain facts only), the
/// headline if the uncertain facts had happened, and their event types.
struct Case {
    name: &'static str,
    /// When the facts are recorded: a fact has happened by the day it is
    /// recorded (the rules refuse facts dated after it).
    recorded: &'static str,
    facts: Vec<Action>,
    checks: Vec<(
        &'static str,
        Headline,
        Option<(Headline, Vec<&'static str>)>,
    )>,
}

fn cases() -> Vec<Case> {
    use Headline::*;
    vec![
        Case {
            name: "the worked example, known to the month",
            recorded: "2021-11-20T09:00:00Z",
            facts: vec![
                detained("2020-07"),
                charged("2020-08", "incitement"),
                sentenced("2021-08", "2y"),
                released("2021-11-12"),
            ],
            checks: vec![
                ("2020-06-30", Unknown, None),
                ("2020-07-01", Unknown, Some((Detained, vec!["Detained"]))),
                ("2020-07-15", Unknown, Some((Detained, vec!["Detained"]))),
                ("2020-07-31", Detained, None),
                ("2020-08-10", Detained, Some((Charged, vec!["Charged"]))),
                ("2021-01-15", Charged, None),
                (
                    "2021-08-15",
                    Charged,
                    Some((ServingSentence, vec!["Sentenced"])),
                ),
                ("2021-09-01", ServingSentence, None),
                ("2021-11-12", Released, None),
            ],
        },
        Case {
            name: "a sentence known to the year, approximately",
            recorded: "2022-02-01T09:00:00Z",
            facts: vec![detained("2020-09-08"), sentenced("2021~", "3y")],
            checks: vec![
                ("2020-12-31", Detained, None),
                (
                    "2021-01-01",
                    Detained,
                    Some((ServingSentence, vec!["Sentenced"])),
                ),
                (
                    "2021-12-30",
                    Detained,
                    Some((ServingSentence, vec!["Sentenced"])),
                ),
                ("2021-12-31", ServingSentence, None),
            ],
        },
        Case {
            name: "a release known to the month",
            recorded: "2021-11-20T09:00:00Z",
            facts: vec![detained("2019-03-02"), released("2019-05")],
            checks: vec![
                ("2019-04-30", Detained, None),
                ("2019-05-10", Detained, Some((Released, vec!["Released"]))),
                ("2019-06-01", Released, None),
            ],
        },
        Case {
            name: "a detention and a charge known to the year",
            recorded: "2021-11-20T09:00:00Z",
            facts: vec![detained("2019"), charged("2019", "subversion")],
            checks: vec![
                ("2018-12-31", Unknown, None),
                (
                    "2019-06-01",
                    Unknown,
                    Some((Charged, vec!["Detained", "Charged"])),
                ),
                ("2020-01-01", Charged, None),
            ],
        },
        Case {
            name: "a sentence known to the year, recorded within that year",
            recorded: "2021-11-20T09:00:00Z",
            facts: vec![detained("2020-09-08"), sentenced("2021", "3y")],
            checks: vec![
                (
                    "2021-11-19",
                    Detained,
                    Some((ServingSentence, vec!["Sentenced"])),
                ),
                // Recorded on the 20th: it had happened by then.
                ("2021-11-20", ServingSentence, None),
            ],
        },
    ]
}

#[test]
fn an_as_of_day_inside_a_dates_window_is_not_taken_as_certain() {
    for case in cases() {
        let mut stream = Stream::at(case.recorded);
        stream.record(register("Test Person", &[]));
        for fact in &case.facts {
            stream.record(fact.clone());
        }
        for (as_of, headline, possibly) in &case.checks {
            let status = stream.status(as_of);
            let context = format!("{}, as of {as_of}", case.name);
            assert_eq!(status.headline, *headline, "{context}");
            let got = status.possibly.as_ref().map(|possibly| {
                (
                    possibly.headline,
                    possibly
                        .facts
                        .iter()
                        .map(|fact| fact.event_type.as_str())
                        .collect::<Vec<_>>(),
                )
            });
            assert_eq!(got, *possibly, "{context}");
            if *headline == Headline::Unknown {
                // Custody not yet certain is not "0 days in custody".
                assert_eq!(status.figures.days_in_custody_now, None, "{context}");
                assert!(status.episodes.is_empty(), "{context}");
            }
        }
    }
}
