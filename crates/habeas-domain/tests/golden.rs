//! Golden files pin the stored form of every event type at its schema version.
//!
//! Stored events are never rewritten, so a change that alters any of these
//! files is a change of the stored format: it needs a new schema version and
//! an upcaster, not a new golden file. To write the files for a new event type
//! run `HABEAS_BLESS=1 cargo test -p habeas-domain --test golden`.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use uuid::Uuid;

use habeas_domain::event::{
    Acquittal, Appeal, Charge, Charging, Correction, Death, DeathKind, Demise, DetailsChange,
    Detention, DetentionKind, Disappearance, Dismissal, EVENT_TYPES, Event, Exile, Hearing,
    Lifting, Recognition, Registration, Release, ReleaseKind, Restriction, RestrictionKind,
    Retraction, Sentencing, Statement, StatementKind, Transfer,
};
use habeas_domain::facts::{Confidence, Facts, Source, Visibility};
use habeas_domain::id::{EventId, PersonId};
use habeas_domain::term::Term;
use support::d;

fn full_facts(date: &str) -> Facts {
    Facts {
        occurred: d(date),
        sources: vec![
            Source::url("https://example.org/report")
                .titled("Union leader released")
                .published_by("Example News")
                .published_on(d("2021-11-12")),
            Source::document("court file 123/2020"),
        ],
        confidence: Confidence::Confirmed,
        note: Some("Exact day from the court file.".into()),
        visibility: Visibility::Restricted,
    }
}

fn minimal_facts(date: &str) -> Facts {
    Facts::new(d(date), vec![Source::url("https://example.org/report")])
}

fn samples() -> Vec<Event> {
    let person = PersonId::from_uuid(Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0001));
    let target = EventId::from_uuid(Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0002));
    vec![
        Event::PersonRegistered(Registration {
            name: "Rong Chhun".into(),
            aliases: vec!["Rorng Chhun".into(), "រ៉ុង ឈុន".into()],
            country: Some("Cambodia".into()),
            affiliation: Some("union leader".into()),
            born: Some(d("1969~")),
            sources: vec![Source::url("https://example.org/profile")],
            details: habeas_domain::event::PersonDetails::default(),
        }),
        Event::PersonDetailsChanged(DetailsChange {
            name: Some("Rong Chhun".into()),
            add_aliases: vec!["Rorng Chhun".into()],
            remove_aliases: vec!["Rong Chun".into()],
            country: Some("Cambodia".into()),
            affiliation: Some("president, Cambodian Confederation of Unions".into()),
            born: Some(d("1969-03")),
            sources: vec![Source::document("interview record 7")],
            details: habeas_domain::event::PersonDetails::default(),
        }),
        Event::Detained(Detention {
            facts: full_facts("2020-07"),
            kind: DetentionKind::Arrest,
            place: Some("Phnom Penh".into()),
            authority: Some("police".into()),
            facility: Some("Prey Sar prison".into()),
        }),
        Event::Charged(Charging {
            facts: minimal_facts("2020-08-01"),
            charges: vec![Charge {
                offence: "incitement to commit a felony".into(),
                article: Some("Criminal Code art. 495".into()),
            }],
            court: Some("Phnom Penh Municipal Court".into()),
            case_number: Some("123/2020".into()),
        }),
        Event::HearingHeld(Hearing {
            facts: minimal_facts("2021-01-15"),
            court: Some("Phnom Penh Municipal Court".into()),
            outcome: Some("adjourned".into()),
        }),
        Event::Appealed(Appeal {
            facts: minimal_facts("2021-09"),
            court: Some("Phnom Penh Court of Appeal".into()),
            outcome: None,
        }),
        Event::Sentenced(Sentencing {
            facts: minimal_facts("2021-08-05"),
            term: Term::fixed(2, 0, 0),
            court: Some("Phnom Penh Municipal Court".into()),
            in_absentia: false,
            suspended: false,
            ends: None,
            offences: Vec::new(),
        }),
        Event::Acquitted(Acquittal {
            facts: minimal_facts("2021-10"),
            court: None,
        }),
        Event::ChargesDropped(Dismissal {
            facts: minimal_facts("2021"),
            court: Some("prosecutor".into()),
        }),
        Event::Transferred(Transfer {
            facts: minimal_facts("2020-09~"),
            from_facility: Some("Prey Sar prison".into()),
            to_facility: "Correctional Centre 1".into(),
        }),
        Event::Released(Release {
            facts: minimal_facts("2021-11-12"),
            kind: ReleaseKind::EarlyReleaseWithoutReason,
            conditions: Some("none stated".into()),
            ordered_by: None,
        }),
        Event::RestrictionImposed(Restriction {
            facts: minimal_facts("2017-11"),
            kind: RestrictionKind::PoliticalActivityBan,
            description: Some("banned from politics for five years".into()),
            until: Some(d("2022-11")),
        }),
        Event::RestrictionLifted(Lifting {
            facts: minimal_facts("2022-11"),
            kind: RestrictionKind::PoliticalActivityBan,
        }),
        Event::DiedInCustody(Death {
            facts: minimal_facts("2019"),
            circumstances: Some("reported as illness".into()),
        }),
        Event::Died(Demise {
            facts: minimal_facts("2019~"),
            kind: DeathKind::Executed,
            circumstances: Some("reported by the family".into()),
        }),
        Event::Disappeared(Disappearance {
            facts: minimal_facts("2019-05"),
            circumstances: None,
        }),
        Event::WentIntoExile(Exile {
            facts: minimal_facts("2018"),
            country: None,
            circumstances: Some("fled after a summons".into()),
        }),
        Event::RecognisedAsPoliticalPrisoner(Recognition {
            facts: minimal_facts("2020-09"),
            by: "Example NGO list".into(),
        }),
        Event::StatementIssued(Statement {
            facts: Facts::new(
                d("2021-11-02"),
                vec![
                    Source::url("https://example.org/un"),
                    Source::url("https://example.org/report"),
                ],
            ),
            by: "United Nations".into(),
            by_role: Some("human rights office".into()),
            about: vec![person],
            kind: StatementKind::CallForRelease,
            summary: "Urges Cambodia to protect civic space.".into(),
        }),
        Event::EventCorrected(Correction {
            target,
            corrected: Box::new(Event::Released(Release {
                facts: minimal_facts("2021-11-12"),
                kind: ReleaseKind::Pardon,
                conditions: None,
                ordered_by: None,
            })),
            reason: "the court file says pardon".into(),
        }),
        Event::EventRetracted(Retraction {
            target,
            reason: "wrong person".into(),
        }),
        Event::PersonMerged(habeas_domain::event::Merger {
            into: habeas_domain::id::PersonId::from_uuid(uuid::Uuid::from_u128(
                0x0190_0000_0000_7000_8000_0000_0000_0042,
            )),
            reason: "registered twice from two lists".into(),
            copied: vec![(target, target)],
        }),
    ]
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/events")
}

fn stored_form(event: &Event) -> String {
    let stored = serde_json::json!({
        "type": event.event_type(),
        "schema_version": event.schema_version(),
        "payload": event.to_payload(),
    });
    serde_json::to_string_pretty(&stored).unwrap() + "\n"
}

#[test]
fn every_event_type_has_a_sample_and_a_golden_file() {
    let sampled: BTreeSet<&str> = samples().iter().map(Event::event_type).collect();
    let catalogue: BTreeSet<&str> = EVENT_TYPES.iter().map(|(name, _)| *name).collect();
    assert_eq!(sampled, catalogue);

    let files: BTreeSet<String> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    let expected: BTreeSet<String> = EVENT_TYPES
        .iter()
        .map(|(name, version)| format!("{name}.v{version}.json"))
        .collect();
    if std::env::var_os("HABEAS_BLESS").is_none() {
        assert_eq!(files, expected, "golden files and EVENT_TYPES disagree");
    }
}

#[test]
fn serialized_events_match_their_golden_files() {
    let bless = std::env::var_os("HABEAS_BLESS").is_some();
    for event in samples() {
        let path = golden_dir().join(format!(
            "{}.v{}.json",
            event.event_type(),
            event.schema_version()
        ));
        let actual = stored_form(&event);
        if bless && !path.exists() {
            std::fs::write(&path, &actual).unwrap();
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run with HABEAS_BLESS=1 to create it",
                path.display()
            )
        });
        assert_eq!(actual, golden, "{} changed its stored form", path.display());

        let stored: serde_json::Value = serde_json::from_str(&golden).unwrap();
        let decoded = Event::from_payload(
            stored["type"].as_str().unwrap(),
            stored["schema_version"].as_u64().unwrap() as u32,
            stored["payload"].clone(),
        )
        .unwrap();
        assert_eq!(decoded, event, "{} does not read back", path.display());
    }
}

/// Old versions keep their golden files under `tests/golden/upcast/`: each
/// must read back, through the upcasters, as the current sample of its type.
#[test]
fn old_versions_upcast_to_the_current_samples() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/upcast");
    let mut n_checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let old: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let event_type = old["type"].as_str().unwrap();
        let (version, payload) = habeas_domain::upcast::upcast(
            event_type,
            old["schema_version"].as_u64().unwrap() as u32,
            old["payload"].clone(),
        )
        .unwrap();
        let event = Event::from_payload(event_type, version, payload).unwrap();
        let sample = samples()
            .into_iter()
            .find(|s| s.event_type() == event_type)
            .unwrap();
        assert_eq!(
            event, sample,
            "{event_type} does not upcast to the current sample"
        );
        n_checked += 1;
    }
    assert!(n_checked >= 1, "at least one old version is pinned");
}

#[test]
fn a_correction_written_before_a_version_change_is_lifted_too() {
    let old_statement: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/golden/upcast/StatementIssued.v1.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let correction = serde_json::json!({
        "target": "01920000-0000-7000-8000-000000000002",
        "corrected": { "type": "StatementIssued", "payload": old_statement["payload"] },
        "reason": "date was wrong",
    });
    let (version, payload) =
        habeas_domain::upcast::upcast("EventCorrected", 1, correction).unwrap();
    let event = Event::from_payload("EventCorrected", version, payload).unwrap();
    let Event::EventCorrected(correction) = event else {
        panic!("not a correction")
    };
    let sample = samples()
        .into_iter()
        .find(|s| s.event_type() == "StatementIssued")
        .unwrap();
    assert_eq!(*correction.corrected, sample);
}

#[test]
fn upcast_refuses_unknown_types_and_newer_versions() {
    use habeas_domain::upcast::{UpcastError, upcast};
    let payload = serde_json::json!({});
    assert!(matches!(
        upcast("Teleported", 1, payload.clone()),
        Err(UpcastError::UnknownType(_))
    ));
    let err = upcast("Detained", 9, payload).unwrap_err();
    assert!(err.to_string().contains("upgrade Habeas"), "{err}");
}

/// `from_payload` decodes straight into each variant's type; it must read
/// exactly what the tagged enum reads, for every type in the catalogue.
#[test]
fn from_payload_reads_every_type_as_the_tagged_enum_does_from_a_value_or_text() {
    let samples = samples();
    let covered: BTreeSet<&str> = samples.iter().map(|sample| sample.event_type()).collect();
    assert_eq!(covered.len(), habeas_domain::event::EVENT_TYPES.len());
    for sample in samples {
        let payload = sample.to_payload();
        let direct = Event::from_payload(
            sample.event_type(),
            sample.schema_version(),
            payload.clone(),
        )
        .unwrap();
        let tagged: Event = serde_json::from_value(
            serde_json::json!({ "type": sample.event_type(), "payload": payload }),
        )
        .unwrap();
        let from_text = Event::from_payload_json(
            sample.event_type(),
            sample.schema_version(),
            payload.to_string().as_bytes(),
        )
        .unwrap();
        assert_eq!(direct, tagged);
        assert_eq!(direct, sample);
        assert_eq!(from_text, sample);
        let trailing = format!("{payload} x");
        let refused = Event::from_payload_json(
            sample.event_type(),
            sample.schema_version(),
            trailing.as_bytes(),
        );
        assert!(refused.is_err(), "text after the payload is refused");
    }
    for unknown in [
        Event::from_payload("Arrested", 1, serde_json::json!({})),
        Event::from_payload_json("Arrested", 1, b"{}"),
    ] {
        let unknown = unknown.unwrap_err().to_string();
        assert!(unknown.contains("Arrested"), "{unknown}");
        assert!(
            unknown.contains("Detained"),
            "names the known types: {unknown}"
        );
    }
}
