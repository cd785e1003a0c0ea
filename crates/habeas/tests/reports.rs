//! Report models as the facade assembles them from a real store: the roster
//! carries each person's slug (from the read model, so namesakes get their
//! own), charges, sentence and newest fact, and a person report made long
//! after its facts says how old its information is.

use chrono::{NaiveDate, Utc};
use habeas::demo;
use habeas::reports::ReportOptions;
use habeas::tracker::{Issued, Tracker};
use habeas_domain::status::{Legal, View};

fn view(as_of: &str) -> View {
    View {
        as_of: as_of.parse::<NaiveDate>().unwrap(),
        known_at: Utc::now(),
    }
}

#[tokio::test]
async fn the_roster_carries_slugs_charges_and_the_newest_fact() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    let people = demo::load(&tracker).await.unwrap();
    let (namesake, _) = tracker
        .register_person(
            habeas_domain::event::Registration {
                name: "Rong Chhun".into(),
                aliases: vec![],
                country: None,
                affiliation: None,
                born: Some("1994".parse().unwrap()),
                sources: vec![],
                details: habeas_domain::event::PersonDetails::default(),
            },
            &Issued::now("test"),
        )
        .await
        .unwrap();
    let options = ReportOptions {
        view: view("2021-11-20"),
        public: false,
    };
    let roster = tracker.roster(options).await.unwrap();
    let row = |id| roster.rows.iter().find(|row| row.person_id == id).unwrap();

    let rong = row(people.rong_chhun);
    assert_eq!(rong.slug, "rong-chhun");
    assert_eq!(rong.last_fact, Some("2021-11-12".parse().unwrap()));
    let Legal::Convicted { term, charges, .. } = &rong.legal else {
        panic!("convicted: {:?}", rong.legal);
    };
    assert_eq!(term.map(|t| t.to_string()).as_deref(), Some("2 years"));
    assert_eq!(charges[0].offence, "incitement");

    let other = row(namesake);
    let entry = tracker.person(namesake).await.unwrap().unwrap();
    assert_eq!(other.slug, entry.slug);
    assert_ne!(other.slug, "rong-chhun");
    assert_eq!(other.born, Some("1994".parse().unwrap()));
    assert_eq!(other.last_fact, None);

    let page = habeas_report::html::roster_html(&roster);
    assert!(page.contains("href=\"rong-chhun.html\""));
    assert!(page.contains(&format!("href=\"{}.html\"", entry.slug)));
    assert!(page.contains(&format!("namesake: born 1994, slug {}", entry.slug)));
}

#[tokio::test]
async fn a_report_made_years_later_says_how_old_its_information_is() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(&dir.path().join("store")).unwrap();
    let people = demo::load(&tracker).await.unwrap();
    // (as of, warned)
    for (as_of, warned) in [("2021-11-20", false), ("2026-12-08", true)] {
        let options = ReportOptions {
            view: view(as_of),
            public: true,
        };
        let report = tracker
            .person_report(people.rong_chhun, options)
            .await
            .unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&habeas_report::json::person_json(&report)).unwrap();
        assert_eq!(json["last_information"]["occurred"], "2021-11-12");
        assert_eq!(
            !json["last_information"]["warning"].is_null(),
            warned,
            "{as_of}"
        );
        let text = habeas_report::markdown::person_markdown(&report);
        assert!(text.contains(
            "Last information received: the newest recorded fact happened on 2021-11-12"
        ));
    }
}
