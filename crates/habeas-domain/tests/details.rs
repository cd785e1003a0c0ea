//! What lists record about a person besides the name: stored only where
//! given, read back the same way from a value or from text, changed by a
//! details change field by field.

mod support;

use habeas_domain::command::Action;
use habeas_domain::event::{DetailsChange, Event, PersonDetails, Registration};
use habeas_domain::facts::Source;
use support::*;

fn registration(details: PersonDetails) -> Registration {
    Registration {
        name: "Gulnara Example".into(),
        aliases: vec!["古丽娜".into()],
        country: Some("China".into()),
        affiliation: None,
        born: Some(d("1980")),
        sources: vec![Source::url("https://example.org/list")],
        details,
    }
}

#[test]
fn details_are_stored_only_where_given_and_read_back_both_ways() {
    let full = PersonDetails {
        sex: Some("female".into()),
        born_in: Some("Kashgar".into()),
        residence: Some("Urumqi".into()),
        group: Some("Uyghur".into()),
    };
    for details in [PersonDetails::default(), full] {
        let event = Event::PersonRegistered(registration(details.clone()));
        let payload = event.to_payload();
        // Absent details leave the stored form as it was before they existed.
        for (key, value) in [
            ("sex", &details.sex),
            ("born_in", &details.born_in),
            ("residence", &details.residence),
            ("group", &details.group),
        ] {
            assert_eq!(payload.get(key).is_some(), value.is_some(), "{key}");
        }
        let from_value =
            Event::from_payload("PersonRegistered", 1, payload.clone()).expect("from a value");
        let text = serde_json::to_vec(&payload).expect("json");
        let from_text = Event::from_payload_json("PersonRegistered", 1, &text).expect("from text");
        assert_eq!(from_value, event);
        assert_eq!(from_text, event);
    }
}

#[test]
fn a_details_change_sets_the_fields_it_gives_and_keeps_the_rest() {
    let mut stream = Stream::new();
    stream.record(Action::RegisterPerson(registration(PersonDetails {
        sex: Some("female".into()),
        born_in: Some("Kashgar".into()),
        residence: None,
        group: Some("Uyghur".into()),
    })));
    stream.record(Action::ChangePersonDetails(DetailsChange {
        details: PersonDetails {
            residence: Some("Urumqi".into()),
            born_in: Some("Kashgar Prefecture".into()),
            ..PersonDetails::default()
        },
        sources: vec![Source::url("https://example.org/update")],
        ..DetailsChange::default()
    }));
    let status = stream.status("2021-11-01");
    let details = &status.identity.expect("identity").details;
    assert_eq!(details.sex.as_deref(), Some("female"));
    assert_eq!(details.born_in.as_deref(), Some("Kashgar Prefecture"));
    assert_eq!(details.residence.as_deref(), Some("Urumqi"));
    assert_eq!(details.group.as_deref(), Some("Uyghur"));
}
