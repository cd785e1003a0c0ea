//! "Last information received" beside the as-of day in every format: the
//! newest fact, the date of its newest source, and a warning when the as-of
//! day lies long after both.

mod support;

use habeas_domain::status::View;
use habeas_report::{html, json, markdown};

use support::{Filtering, add_namesake, day, final_view, meta, person_report, worked_example};

#[test]
fn beside_the_as_of_day_in_every_format() {
    let mut world = worked_example();
    let namesake = add_namesake(&mut world);
    // (person, as of, sentence, warning)
    let cases = [
        (
            support::rong_chhun(),
            "2021-11-20",
            "Last information received: the newest recorded fact happened on 2021-11-12 (Hearing); its newest source is dated 2021-11.",
            None,
        ),
        (
            support::rong_chhun(),
            "2026-12-08",
            "Last information received: the newest recorded fact happened on 2021-11-12 (Hearing); its newest source is dated 2021-11.",
            Some(
                "Nothing newer is recorded for over 5 years before 2026-12-08: this status is what the sources said then, not a confirmation on 2026-12-08.",
            ),
        ),
        // The restriction dates from 2017, but a 2021 source says it remains.
        (
            support::kem_sokha(),
            "2021-11-20",
            "Last information received: the newest recorded fact happened on 2017-11~ (Restriction imposed); its newest source is dated 2021-11.",
            None,
        ),
        // Sources without a date: the fact's own date counts.
        (
            namesake,
            "2022-06-01",
            "Last information received: the newest recorded fact happened on 2021-08-28 (Detained); its sources carry no date.",
            Some("Nothing newer is recorded for over 9 months before 2022-06-01"),
        ),
    ];
    for (person, as_of, sentence, warning) in cases {
        let view = View {
            as_of: day(as_of),
            ..final_view()
        };
        let report = person_report(&world, person, view, meta(false), Filtering::Facade);
        let text = markdown::person_markdown(&report);
        let page = html::person_html(&report);
        let value: serde_json::Value = serde_json::from_str(&json::person_json(&report)).unwrap();
        let last = &value["last_information"];
        assert_eq!(last["text"], sentence);
        // Right under the as-of line, before any section.
        let first_section = text.find("## ").unwrap();
        let at = text.find(sentence).expect("in the Markdown");
        assert!(at < first_section && text[..at].contains(&format!("as of {as_of}")));
        let first_section = page.find("<section").unwrap();
        let at = page.find(sentence).expect("in the HTML");
        assert!(at < first_section);
        match warning {
            None => {
                assert_eq!(last["warning"], serde_json::Value::Null);
                assert!(!text.contains("Nothing newer is recorded"));
            }
            Some(warning) => {
                assert!(last["warning"].as_str().unwrap().starts_with(warning));
                assert!(text.contains(&format!("**⚠ {warning}")), "{text}");
                assert!(page.contains(&format!("<span class=\"flag\">⚠ {warning}")));
            }
        }
    }
}
