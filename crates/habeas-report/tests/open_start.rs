//! A person known only from a list: held since an unknown day on or before
//! the list's date, sentenced to life on an unknown day. Every format says
//! so ("since an unknown day on or before", "at least N days"), the timeline
//! stays on the facts (no axis from the year 1800) and marks the unknown
//! start, and no figure is a number counted from a day nobody gave.

mod support;

use habeas_domain::command::Action;
use habeas_domain::event::{Detention, DetentionKind, Registration, Sentencing};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::status::View;
use habeas_report::{html, json, markdown};

use support::{Filtering, World, at, d, day, meta, person, person_report};

fn listed() -> (World, habeas_domain::id::PersonId) {
    let mut world = World::default();
    let who = person(9);
    let stream = who.stream_name();
    let source = || vec![Source::url("https://example.org/list-2024")];
    world.record(
        &stream,
        "2024-12-01T09:00:00Z",
        "officer",
        Action::RegisterPerson(Registration {
            name: "Abel Tesfaye".to_owned(),
            aliases: Vec::new(),
            country: Some("Freedonia".to_owned()),
            affiliation: None,
            born: None,
            sources: source(),
            details: habeas_domain::event::PersonDetails::default(),
        }),
    );
    world.record(
        &stream,
        "2024-12-01T09:01:00Z",
        "officer",
        Action::RecordDetention(Detention {
            facts: Facts::new(d("..2015-01-01"), source()),
            kind: DetentionKind::Other,
            place: None,
            authority: None,
            facility: Some("Central Prison".to_owned()),
        }),
    );
    world.record(
        &stream,
        "2024-12-01T09:02:00Z",
        "officer",
        Action::RecordSentence(Sentencing {
            facts: Facts::new(d("..2015-01-01"), source()),
            term: Some("life".parse().unwrap()),
            court: None,
            in_absentia: false,
            suspended: false,
            ends: None,
            offences: Vec::new(),
        }),
    );
    (world, who)
}

#[test]
fn every_format_says_the_start_is_unknown_and_counts_at_least() {
    let (world, who) = listed();
    let view = View {
        as_of: day("2025-01-01"),
        known_at: at("2025-01-01T00:00:00Z"),
    };
    let report = person_report(&world, who, view, meta(false), Filtering::Facade);
    let md = markdown::person_markdown(&report);
    let page = html::person_html(&report);
    let data = json::person_json(&report);
    for (format, text) in [("markdown", &md), ("html", &page)] {
        assert!(
            text.contains("since an unknown day on or before 2015-01-01"),
            "{format}:\n{text}"
        );
        assert!(text.contains("at least 3653 days"), "{format}:\n{text}");
        assert!(!text.contains("1800"), "{format} shows a placeholder day");
    }
    let value: serde_json::Value = serde_json::from_str(&data).unwrap();
    let now = &value["figures"]["days_in_custody_now"];
    assert_eq!(now["min"], 3653, "{now}");
    assert!(now["max"].is_null(), "{now}");
    assert_eq!(
        now["text"],
        "at least 3653 days (at least about 120 months)"
    );
    // The timeline: an arrow back marks the unknown start, and the axis
    // starts near the facts, not in the year 1800.
    let start = page.find("<svg").unwrap();
    let svg = &page[start..page[start..].find("</svg>").unwrap() + start];
    assert!(
        svg.contains("began on an unknown day on or before 2015-01-01"),
        "{svg}"
    );
    assert!(!svg.contains(">1800<") && !svg.contains(">1900<"), "{svg}");
    assert!(
        page.contains("arrow back at the start"),
        "the legend explains it"
    );
    assert!(
        page.contains(
            "the newest recorded fact happened on an unknown day on or before 2015-01-01"
        ),
        "last information"
    );
}
