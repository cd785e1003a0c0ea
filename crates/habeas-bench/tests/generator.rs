//! The generator's data set is valid domain data: every stream's events are
//! accepted by `decide`, in order, and the generator is deterministic.

use chrono::{TimeZone, Utc};
use habeas_bench::dataset::{DataSetConfig, action_of, generate};
use habeas_domain::command::Command;
use habeas_domain::decide::{Decision, decide};
use habeas_domain::history::RecordedEvent;

#[test]
fn every_generated_event_is_accepted_by_decide_in_order() {
    let config = DataSetConfig {
        persons: 200,
        seed: 7,
    };
    let data_set = generate(config);
    assert_eq!(data_set, generate(config), "the generator is deterministic");
    assert_eq!(data_set.persons.len(), 200);
    assert!(!data_set.statements.is_empty());
    let issued_at = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    for case in data_set.cases() {
        let mut history: Vec<RecordedEvent> = Vec::new();
        for generated in &case.events {
            let command = Command {
                id: None,
                issued_at,
                action: action_of(generated.event.clone()),
            };
            let decided = decide(&history, &command).unwrap_or_else(|err| {
                panic!(
                    "{}: {} refused after {} events: {err}",
                    case.subject.stream_name(),
                    generated.event.event_type(),
                    history.len()
                )
            });
            assert_eq!(decided, Decision::Record(vec![generated.event.clone()]));
            history.push(RecordedEvent {
                id: generated.id,
                recorded_at: issued_at,
                command_id: None,
                event: generated.event.clone(),
            });
        }
    }
    let types = data_set.event_type_counts();
    for wanted in [
        "Detained",
        "Charged",
        "Sentenced",
        "Transferred",
        "Released",
        "RestrictionImposed",
        "StatementIssued",
        "EventCorrected",
    ] {
        assert!(
            types.iter().any(|(name, _)| *name == wanted),
            "no {wanted} in {types:?}"
        );
    }
}
