//! Properties every person report keeps beyond its snapshot: the HTML is one
//! self-contained, accessible, printable page; every citation points at a
//! listed source; a fact without a source is flagged; a partial date is never
//! printed as an invented day.

mod support;

use habeas_domain::facts::Source;
use habeas_report::model::PersonReport;
use habeas_report::{html, json, markdown};

use support::{Filtering, campaign_view, final_view, meta, person_report, roster, worked_example};

fn rong_chhun() -> PersonReport {
    person_report(
        &worked_example(),
        support::rong_chhun(),
        final_view(),
        meta(false),
        Filtering::Facade,
    )
}

#[test]
fn html_is_self_contained_accessible_and_printable() {
    let roster = roster(&worked_example(), campaign_view(), meta(false));
    for page in [html::person_html(&rong_chhun()), html::roster_html(&roster)] {
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(
            page.contains(
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            )
        );
        assert!(page.contains("@media print"));
        assert!(page.contains("max-width"));
        for fetched in [
            "<script", "<link", "<img", "<iframe", "src=", "url(", "@import",
        ] {
            assert!(!page.contains(fetched), "the page must not load {fetched}");
        }
        assert!(page.contains("EXAMPLE DATA"));
    }
    let page = html::person_html(&rong_chhun());
    assert!(page.contains("role=\"img\" aria-labelledby=\"timeline-title timeline-desc\""));
    assert!(page.contains("<title id=\"timeline-title\">Custody timeline of Rong Chhun</title>"));
    assert!(page.contains(
        "<desc id=\"timeline-desc\">In custody (arrest) from 2020-07 to 2021-11-12: 469 to 499 days"
    ));
}

#[test]
fn every_citation_points_at_a_listed_source() {
    let page = html::person_html(&rong_chhun());
    let mut cited = 0;
    for (idx, _) in page.match_indices("href=\"#source-") {
        let rest = &page[idx + "href=\"#source-".len()..];
        let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
        assert!(
            page.contains(&format!("<li id=\"source-{number}\">")),
            "source {number} is listed"
        );
        cited += 1;
    }
    assert!(
        cited >= 7,
        "identity, five facts, charge and statement cite sources"
    );
}

#[test]
fn a_fact_without_a_checkable_source_is_flagged_in_every_format() {
    let mut report = rong_chhun();
    for text in [
        markdown::person_markdown(&report),
        html::person_html(&report),
    ] {
        assert!(!text.to_lowercase().contains("no checkable source"));
    }
    // Older or imported data may hold a fact whose only source is a title.
    let facts = match &mut report.facts[1].effective {
        habeas_domain::event::Event::Charged(charging) => &mut charging.facts,
        other => panic!("the second fact is the charge, not {other:?}"),
    };
    facts.sources = vec![Source {
        url: None,
        document: Some("  ".to_owned()),
        title: Some("an untraceable leaflet".to_owned()),
        publisher: None,
        date: None,
    }];
    assert!(
        markdown::person_markdown(&report)
            .contains("**2020-08: Charged** [2] **⚠ NO CHECKABLE SOURCE**")
    );
    assert!(html::person_html(&report).contains("⚠ no checkable source"));
    assert!(markdown::person_markdown(&report).contains("⚠ no URL or document reference"));
    let value: serde_json::Value = serde_json::from_str(&json::person_json(&report)).unwrap();
    assert_eq!(value["facts"][1]["sourced"], false);
}

#[test]
fn a_month_is_never_printed_as_a_day() {
    let report = rong_chhun();
    for text in [
        markdown::person_markdown(&report),
        html::person_html(&report),
        json::person_json(&report),
    ] {
        for invented in ["2020-07-01", "2020-07-31", "2021-08-01", "2020-08-01"] {
            assert!(
                !text.contains(invented),
                "{invented} is not a day any source gave"
            );
        }
        assert!(text.contains("469 to 499 days"));
    }
}

#[test]
fn the_view_is_stated() {
    let report = rong_chhun();
    let text = markdown::person_markdown(&report);
    assert!(text.contains("as of 2021-11-20, as known at 2021-11-20 09:00:00 UTC"));
    let value: serde_json::Value = serde_json::from_str(&json::person_json(&report)).unwrap();
    assert_eq!(value["schema"], "habeas.person-report");
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["view"]["as_of"], "2021-11-20");
    assert_eq!(value["view"]["known_at"], "2021-11-20T09:00:00Z");
}

#[test]
fn a_fact_that_may_not_have_happened_by_the_as_of_day_is_said_to_be_possible() {
    // As of 2021-10-01 Ton Nimol's sentence, dated only to 2021, may not have
    // been passed yet: the report says charged, and possibly sentenced.
    let report = person_report(
        &worked_example(),
        support::ton_nimol(),
        campaign_view(),
        meta(false),
        Filtering::Facade,
    );
    let expected = "Possibly serving-sentence by then: the sources date the sentence (2021) only to a month or a year that contains 2021-10-01";
    for (format, text) in [
        ("markdown", markdown::person_markdown(&report)),
        ("html", html::person_html(&report)),
    ] {
        assert!(text.contains(expected), "{format}:\n{text}");
    }
    // As of the day the facts are all certain, nothing is said.
    let now = person_report(
        &worked_example(),
        support::ton_nimol(),
        final_view(),
        meta(false),
        Filtering::Facade,
    );
    assert!(!markdown::person_markdown(&now).contains("Possibly"));
}
