//! Deaths wherever they happened: in custody, at liberty, executed, or in
//! circumstances the sources do not give (as published lists record them).

mod support;

use habeas_domain::command::Action;
use habeas_domain::error::DomainError;
use habeas_domain::event::{DeathKind, Demise};
use habeas_domain::status::{Custody, Headline};
use support::*;

fn died(date: &str, kind: DeathKind) -> Action {
    Action::RecordDeath(Demise {
        facts: facts(date),
        kind,
        circumstances: None,
    })
}

/// A case's name, the facts before, the kind of death, and what should
/// happen (recorded, or refused with a message starting so).
type Case = (
    &'static str,
    Vec<Action>,
    DeathKind,
    Result<(), &'static str>,
);

/// Given these facts, a death of this kind on 2021-03: recorded (and the
/// person deceased from then, whatever else was open), or refused with the
/// rule's message starting so.
#[test]
fn a_death_is_recorded_where_the_timeline_allows_it() {
    use DeathKind::*;
    let held = || vec![detained("2020-05-01")];
    let released_before = || vec![detained("2020-05-01"), released("2020-09-01")];
    let cases: Vec<Case> = vec![
        ("held, died in custody", held(), InCustody, Ok(())),
        ("held, executed", held(), Executed, Ok(())),
        ("held, circumstances unknown", held(), Unknown, Ok(())),
        (
            "held, 'at liberty'",
            held(),
            AtLiberty,
            Err("the death on 2021-03 (this command) says the person died at liberty"),
        ),
        (
            "released, died at liberty",
            released_before(),
            AtLiberty,
            Ok(()),
        ),
        (
            "nothing recorded, circumstances unknown",
            vec![],
            Unknown,
            Ok(()),
        ),
        ("nothing recorded, executed", vec![], Executed, Ok(())),
        ("nothing recorded, at liberty", vec![], AtLiberty, Ok(())),
        (
            "nothing recorded, 'in custody'",
            vec![],
            InCustody,
            Err("the death on 2021-03 (this command) needs the person to be in custody"),
        ),
    ];
    for (name, before, kind, expected) in cases {
        let mut stream = Stream::new();
        stream.record(register("Test Person", &[]));
        for fact in before {
            stream.record(fact);
        }
        match expected {
            Ok(()) => {
                stream.record(died("2021-03", kind));
                let status = stream.status("2021-11-01");
                assert_eq!(status.headline, Headline::Deceased, "{name}");
                assert_eq!(
                    status.custody,
                    Custody::Deceased { on: d("2021-03") },
                    "{name}"
                );
                assert_eq!(status.figures.days_in_custody_now, None, "{name}");
                // Nothing about custody after a death.
                let after = stream.reject(detained("2021-06-01"));
                assert!(
                    matches!(after, DomainError::AfterDeath { .. }),
                    "{name}: {after}"
                );
            }
            Err(start) => {
                let error = stream.reject(died("2021-03", kind));
                assert!(error.to_string().starts_with(start), "{name}: {error}");
            }
        }
    }
}
