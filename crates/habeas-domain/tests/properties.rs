//! Property tests: status does not depend on recording order, nor on the
//! provenance of the facts, and `decide` and `status` never panic, whatever
//! the history.

mod support;

use chrono::{Datelike, Duration, NaiveDate};
use proptest::prelude::*;
use uuid::Uuid;

use habeas_domain::command::{Action, Command};
use habeas_domain::date::PartialDate;
use habeas_domain::decide::decide;
use habeas_domain::event::{
    Acquittal, Appeal, Death, Disappearance, Exile, Hearing, Lifting, Recognition, RestrictionKind,
};
use habeas_domain::facts::Source;
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{CommandId, EventId};
use habeas_domain::provenance;
use habeas_domain::status::{View, standing, status};
use support::*;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Phase {
    Free,
    Held,
    Gone,
    Dead,
}

/// The fact a generated step records, given where custody stands. Every choice
/// is valid in that phase, so the whole history is valid.
fn step(phase: Phase, choice: u8, date: &str) -> (Action, Phase) {
    let any_phase = |choice: u8| -> Action {
        match choice % 5 {
            0 => charged(date, "subversion"),
            1 => Action::RecordHearing(Hearing {
                facts: facts(date),
                court: None,
                outcome: None,
            }),
            2 => Action::RecognisePoliticalPrisoner(Recognition {
                facts: facts(date),
                by: "CHRD".into(),
            }),
            3 => Action::RecordAppeal(Appeal {
                facts: facts(date),
                court: None,
                outcome: None,
            }),
            _ => Action::RecordAcquittal(Acquittal {
                facts: facts(date),
                court: None,
            }),
        }
    };
    match (phase, choice % 8) {
        (Phase::Free, 0 | 1) => (detained(date), Phase::Held),
        (Phase::Free, 2) => (sentenced_in_absentia(date, "3y"), Phase::Free),
        (Phase::Free, 3) => (restricted(date, RestrictionKind::TravelBan), Phase::Free),
        (Phase::Free, 4) => (
            Action::LiftRestriction(Lifting {
                facts: facts(date),
                kind: RestrictionKind::TravelBan,
            }),
            Phase::Free,
        ),
        (Phase::Free, 5) => (
            Action::RecordExile(Exile {
                facts: facts(date),
                country: None,
                circumstances: None,
            }),
            Phase::Free,
        ),
        (Phase::Held, 0 | 1) => (released(date), Phase::Free),
        (Phase::Held, 2) => (transferred(date, "Prison No. 2"), Phase::Held),
        (Phase::Held, 3) => (sentenced(date, "1y6m"), Phase::Held),
        (Phase::Held, 4) if choice.is_multiple_of(3) => (
            Action::RecordDeathInCustody(Death {
                facts: facts(date),
                circumstances: None,
            }),
            Phase::Dead,
        ),
        (Phase::Free | Phase::Held, 6) if choice.is_multiple_of(2) => (
            Action::RecordDisappearance(Disappearance {
                facts: facts(date),
                circumstances: None,
            }),
            Phase::Gone,
        ),
        (Phase::Gone, 0..=3) => (released(date), Phase::Free),
        (Phase::Gone, 4..=6) => (detained(date), Phase::Held),
        (phase, _) => (any_phase(choice), phase),
    }
}

/// A valid history in occurred order, with distinct exact dates.
fn valid_timeline(choices: &[(u8, u16)]) -> Vec<Action> {
    let mut phase = Phase::Free;
    let mut date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let mut actions = vec![register("Generated Person", &["Alias"])];
    for &(choice, gap) in choices {
        date += Duration::days(i64::from(gap) + 1);
        let (action, next) = step(phase, choice, &date.to_string());
        actions.push(action);
        phase = next;
    }
    actions
}

fn recorded(actions: &[Action], order: &[usize]) -> Vec<RecordedEvent> {
    order
        .iter()
        .map(|&idx| RecordedEvent {
            id: EventId::from_uuid(Uuid::from_u128(idx as u128 + 1)),
            recorded_at: at("2021-11-20T09:00:00Z"),
            command_id: None,
            event: actions[idx].clone().into_event(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_histories_are_valid_and_status_ignores_recording_order(
        // At most 29 gaps of at most 250 days from 2000-01-01 end before
        // 2020: every fact lies before the stream's clock (2021-11-20), so
        // `decide` never refuses one as dated in the future.
        choices in prop::collection::vec((any::<u8>(), 0u16..250), 1..30),
        shuffle_seed in any::<u64>(),
        as_of_offset in 0i64..12_000,
    ) {
        let actions = valid_timeline(&choices);
        // Recorded in occurred order through `decide`, every fact is accepted.
        let mut stream = Stream::new();
        for action in &actions {
            stream.record(action.clone());
        }

        // The same facts, recorded in a shuffled order (registration first).
        let mut order: Vec<usize> = (1..actions.len()).collect();
        let mut state = shuffle_seed | 1;
        for idx in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(idx, (state % (idx as u64 + 1)) as usize);
        }
        order.insert(0, 0);
        let in_order: Vec<usize> = (0..actions.len()).collect();

        let view = View {
            as_of: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(as_of_offset),
            known_at: at("2021-11-20T09:00:00Z"),
        };
        let expected = status(&recorded(&actions, &in_order), view);
        let shuffled = status(&recorded(&actions, &order), view);
        prop_assert_eq!(expected, shuffled);
    }
}

fn partial_date() -> impl Strategy<Value = PartialDate> {
    (
        2015i32..2022,
        prop::option::of(1u32..=12),
        1u32..=28,
        any::<bool>(),
        any::<bool>(),
        0u8..6,
    )
        .prop_map(|(year, month, day, with_day, approximate, open)| {
            let date = match (month, with_day) {
                (None, _) => PartialDate::year(year),
                (Some(month), false) => PartialDate::month(year, month),
                (Some(month), true) => PartialDate::day(year, month, day),
            };
            let date = date.unwrap().with_approximate(approximate);
            // One in six known only by its bound ("on or before").
            if open == 0 {
                PartialDate::on_or_before(date)
            } else {
                date
            }
        })
}

fn any_action() -> impl Strategy<Value = Action> {
    (any::<u8>(), partial_date(), 0u128..12).prop_map(|(choice, date, target)| {
        let date = date.to_string();
        let target = EventId::from_uuid(Uuid::from_u128(target));
        match choice % 17 {
            0 => register("Someone", &["Else"]),
            1 => detained(&date),
            2 => released(&date),
            3 => charged(&date, "incitement"),
            4 => sentenced(&date, "2y"),
            5 => sentenced_in_absentia(&date, "life"),
            6 => transferred(&date, "Prey Sar"),
            7 => restricted(&date, RestrictionKind::HouseArrest),
            8 => Action::RecordDeathInCustody(Death {
                facts: facts(&date),
                circumstances: None,
            }),
            9 => Action::RecordDisappearance(Disappearance {
                facts: facts(&date),
                circumstances: None,
            }),
            10 => correct(target, detained(&date), "fix"),
            11 => correct(target, released(&date), "fix"),
            12 => retract(target, "wrong"),
            // Deaths of every kind, and sentences known by their end only.
            14 => Action::RecordDeath(habeas_domain::event::Demise {
                facts: facts(&date),
                kind: [
                    habeas_domain::event::DeathKind::InCustody,
                    habeas_domain::event::DeathKind::AtLiberty,
                    habeas_domain::event::DeathKind::Executed,
                    habeas_domain::event::DeathKind::Unknown,
                ][usize::from(choice) % 4],
                circumstances: None,
            }),
            15 => Action::RecordSentence(habeas_domain::event::Sentencing {
                facts: facts(&date),
                term: None,
                court: None,
                in_absentia: false,
                suspended: false,
                ends: Some(date.parse().unwrap()),
                offences: Vec::new(),
            }),
            _ => Action::RecordExile(Exile {
                facts: facts(&date),
                country: None,
                circumstances: None,
            }),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decide_and_status_never_panic(
        history in prop::collection::vec(any_action(), 0..12),
        action in any_action(),
        as_of in partial_date(),
    ) {
        // The history is arbitrary: it bypasses `decide`, as a corrupted or
        // hand-edited store would.
        let order: Vec<usize> = (0..history.len()).collect();
        let history = recorded(&history, &order);
        let command = Command { id: None, issued_at: at("2021-11-20T09:00:00Z"), action };
        let _ = decide(&history, &command);
        let _ = status(&history, View { as_of: as_of.latest(), known_at: at("2021-11-20T09:00:00Z") });
    }
}

/// The date of each generated fact: a day in its own month (months strictly
/// increase, so windows never overlap and order never depends on precision),
/// written to the day, or to the month only (`coarse`), or as the first or
/// last day of that month.
#[derive(Clone, Copy)]
enum Written {
    AsGenerated,
    FirstDay,
    LastDay,
}

fn monthly_timeline(steps: &[(u8, u8, u8, bool)], written: Written) -> Vec<Action> {
    let mut phase = Phase::Free;
    let mut month = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let mut actions = vec![register("Generated Person", &["Alias"])];
    for &(choice, gap_months, day, coarse) in steps {
        month = month
            .checked_add_months(chrono::Months::new(1 + u32::from(gap_months % 4)))
            .unwrap();
        let last_day = month
            .checked_add_months(chrono::Months::new(1))
            .unwrap()
            .pred_opt()
            .unwrap();
        let exact = month.with_day(1 + u32::from(day % 28)).unwrap();
        let date = match (coarse, written) {
            (false, _) => exact.to_string(),
            (true, Written::AsGenerated) => month.format("%Y-%m").to_string(),
            (true, Written::FirstDay) => month.to_string(),
            (true, Written::LastDay) => last_day.to_string(),
        };
        let (action, next) = step(phase, choice, &date);
        actions.push(action);
        phase = next;
    }
    actions
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No as-of answer depends on a day that was not given: a fact known to
    /// the month counts as of a day only if it happened by then on every
    /// day of that month (the answer equals the one where it happened on the
    /// month's last day), and what `possibly` says is the answer where it
    /// happened on the month's first day.
    #[test]
    fn no_as_of_answer_depends_on_a_day_that_was_not_given(
        steps in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<bool>()), 1..30),
        as_of_offset in 0i64..4_000,
    ) {
        let view = View {
            as_of: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(as_of_offset),
            known_at: at("2021-11-20T09:00:00Z"),
        };
        let in_order = |actions: &[Action]| recorded(actions, &(0..actions.len()).collect::<Vec<_>>());
        let given = status(&in_order(&monthly_timeline(&steps, Written::AsGenerated)), view);
        let at_the_end = status(&in_order(&monthly_timeline(&steps, Written::LastDay)), view);
        let at_the_start = status(&in_order(&monthly_timeline(&steps, Written::FirstDay)), view);
        prop_assert_eq!(given.headline, at_the_end.headline);
        prop_assert_eq!(at_the_end.possibly, None);
        let possible = given.possibly.as_ref().map_or(given.headline, |possibly| possibly.headline);
        prop_assert_eq!(possible, at_the_start.headline);
        for fact in given.possibly.iter().flat_map(|possibly| &possibly.facts) {
            prop_assert!(fact.occurred.earliest() <= view.as_of && view.as_of < fact.occurred.latest());
        }
    }
}

/// Gives every fact of `recorded` a note and a second source, and the
/// event a command id: more provenance for [`provenance::strip`] to drop.
fn with_more_provenance(mut recorded: RecordedEvent, idx: usize) -> RecordedEvent {
    fn annotate(event: &mut habeas_domain::event::Event) {
        if let Some(facts) = event.facts_mut() {
            facts.note = Some("Confirmed by the family.".into());
            facts
                .sources
                .push(Source::url("https://example.org/second"));
        }
        match event {
            habeas_domain::event::Event::EventCorrected(correction) => {
                annotate(&mut correction.corrected)
            }
            habeas_domain::event::Event::PersonRegistered(registration) => registration
                .sources
                .push(Source::url("https://example.org/profile")),
            _ => {}
        }
    }
    annotate(&mut recorded.event);
    recorded.command_id = Some(CommandId::from_uuid(Uuid::from_u128(1000 + idx as u128)));
    recorded
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn stripping_provenance_changes_no_standing_and_no_status(
        history in prop::collection::vec(any_action(), 0..12),
        as_of in partial_date(),
        known_after_hours in 0i64..48,
    ) {
        // Arbitrary histories (corrections and retractions included), as
        // in `decide_and_status_never_panic`, recorded an hour apart.
        let order: Vec<usize> = (0..history.len()).collect();
        let history: Vec<RecordedEvent> = recorded(&history, &order)
            .into_iter()
            .enumerate()
            .map(|(idx, mut recorded)| {
                recorded.recorded_at += Duration::hours(idx as i64);
                with_more_provenance(recorded, idx)
            })
            .collect();
        let mut stripped = history.clone();
        stripped.iter_mut().for_each(provenance::strip);
        let view = View {
            as_of: as_of.latest(),
            known_at: at("2021-11-20T09:00:00Z") + Duration::hours(known_after_hours),
        };
        prop_assert_eq!(standing(&stripped, view), standing(&history, view));
        prop_assert_eq!(status(&stripped, view), status(&history, view));
    }
}

/// The same action with its detention's date known only by its bound
/// (`..DATE`); any other action unchanged.
fn with_open_start(action: &Action) -> Action {
    match action {
        Action::RecordDetention(detention) => {
            let mut detention = detention.clone();
            detention.facts.occurred = PartialDate::on_or_before(detention.facts.occurred);
            Action::RecordDetention(detention)
        }
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Knowing a detention only as "on or before D" instead of "on D"
    /// changes no headline and no lower bound of a figure; it only opens
    /// every custody total above (and no start of custody is then exact).
    #[test]
    fn an_open_start_keeps_every_answer_but_opens_the_figures(
        choices in prop::collection::vec((any::<u8>(), 0u16..250), 1..30),
        as_of_offset in 0i64..12_000,
    ) {
        let actions = valid_timeline(&choices);
        let opened: Vec<Action> = actions.iter().map(with_open_start).collect();
        let mut exact = Stream::new();
        let mut open = Stream::new();
        for (action, opened) in actions.iter().zip(&opened) {
            exact.record(action.clone());
            open.record(opened.clone());
        }
        let as_of = (NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(as_of_offset)).to_string();
        let (exact, open) = (exact.status(&as_of), open.status(&as_of));
        prop_assert_eq!(exact.headline, open.headline);
        prop_assert_eq!(exact.episodes.len(), open.episodes.len());
        let total = |s: &habeas_domain::status::Status| s.figures.days_in_custody_total;
        prop_assert_eq!(total(&exact).map(|d| d.min), total(&open).map(|d| d.min));
        prop_assert!(total(&open).is_none_or(|d| d.is_open()));
        prop_assert_eq!(
            exact.figures.expected_release.map(|r| r.latest),
            open.figures.expected_release.map(|r| r.latest)
        );
        prop_assert_eq!(exact.figures.release_overdue, open.figures.release_overdue);
    }
}
