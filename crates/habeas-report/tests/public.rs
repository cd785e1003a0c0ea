//! The public variant leaks nothing restricted: not the restricted facts, not
//! their sources, not notes, not the names of recorders, in any format, both
//! when the facade filtered the input (as it will) and when it handed the
//! renderer restricted entries anyway.

mod support;

use habeas_domain::command::Action;
use habeas_domain::event::{Retraction, Statement, StatementKind, Transfer};
use habeas_domain::facts::{Facts, Source, Visibility};
use habeas_report::model::PersonReport;
use habeas_report::{csv, html, json, markdown};
use uuid::Uuid;

use support::{
    Filtering, OFFICER, REVIEWER, World, campaign_view, d, final_view, meta, person_report,
    rong_chhun, roster, worked_example,
};

/// Strings that appear only in restricted events, notes and recorder names.
const SECRETS: [&str; 10] = [
    "SECRET-FACILITY",
    "SECRET-NOTE",
    "SECRET-SOURCE",
    "SECRET-TITLE",
    "SECRET-STATEMENT",
    "SECRET-RETRACTION",
    "Tbong Khmum",
    "Recorded after the release",
    "dara.k",
    "mealea.s",
];

fn restricted_facts(occurred: &str, tag: &str) -> Facts {
    Facts {
        note: Some(format!(
            "SECRET-NOTE-{tag}: the family asked us not to publish this."
        )),
        visibility: Visibility::Restricted,
        ..Facts::new(
            d(occurred),
            vec![
                Source::document(format!(
                    "SECRET-SOURCE-{tag}: interview record held on file"
                ))
                .titled(format!("SECRET-TITLE-{tag}")),
            ],
        )
    }
}

fn world_with_secrets() -> World {
    let mut world = worked_example();
    let stream = rong_chhun().stream_name();
    world.record(
        &stream,
        "2021-04-01T10:00:00Z",
        OFFICER,
        Action::RecordTransfer(Transfer {
            facts: restricted_facts("2021-03", "transfer"),
            from_facility: Some("Prey Sar prison".to_owned()),
            to_facility: "SECRET-FACILITY-one".to_owned(),
        }),
    );
    let second = world.record(
        &stream,
        "2021-04-02T10:00:00Z",
        OFFICER,
        Action::RecordTransfer(Transfer {
            facts: restricted_facts("2021-03-20", "second"),
            from_facility: None,
            to_facility: "SECRET-FACILITY-two".to_owned(),
        }),
    );
    world.record(
        &stream,
        "2021-04-03T10:00:00Z",
        REVIEWER,
        Action::RetractEvent(Retraction {
            target: second,
            reason: "SECRET-RETRACTION: recorded twice".to_owned(),
        }),
    );
    world.record(
        &format!("statement-{}", Uuid::from_u128(0x5000 + 9)),
        "2021-11-15T10:00:00Z",
        OFFICER,
        Action::IssueStatement(Statement {
            facts: restricted_facts("2021-11-14", "statement"),
            by: "SECRET-STATEMENT-by".to_owned(),
            by_role: None,
            about: vec![rong_chhun()],
            kind: StatementKind::Other,
            summary: "SECRET-STATEMENT-summary".to_owned(),
        }),
    );
    world
}

fn report(world: &World, public: bool, filtering: Filtering) -> PersonReport {
    person_report(world, rong_chhun(), final_view(), meta(public), filtering)
}

fn person_outputs(report: &PersonReport) -> Vec<(&'static str, String)> {
    vec![
        ("markdown", markdown::person_markdown(report)),
        ("html", html::person_html(report)),
        ("json", json::person_json(report)),
    ]
}

#[test]
fn the_internal_version_holds_every_secret_so_the_public_checks_can_fail() {
    let world = world_with_secrets();
    for (format, text) in person_outputs(&report(&world, false, Filtering::Facade)) {
        for secret in SECRETS {
            // The retracted transfer is not a live fact, but its retraction
            // is in the audit appendix.
            assert!(text.contains(secret), "{format} lacks {secret}");
        }
        let marker = if format == "json" {
            "\"restricted\": true"
        } else {
            "RESTRICTED: left out of the public version"
        };
        assert!(text.contains(marker), "{format} marks restricted facts");
    }
}

#[test]
fn public_person_reports_leave_out_every_secret() {
    let world = world_with_secrets();
    for filtering in [Filtering::Facade, Filtering::StatusOnly] {
        let report = report(&world, true, filtering);
        if filtering == Filtering::StatusOnly {
            assert!(
                report.facts.len() > 5 && report.statements.len() == 2,
                "the defensive case really hands restricted entries over"
            );
        }
        for (format, text) in person_outputs(&report) {
            for secret in SECRETS {
                assert!(
                    !text.contains(secret),
                    "{format} ({filtering:?}) leaks {secret}"
                );
            }
            assert!(
                text.contains("PUBLIC VERSION"),
                "{format} says it is public"
            );
            assert!(
                text.contains("EXAMPLE DATA"),
                "{format} says it is example data"
            );
            assert!(
                text.contains("Prey Sar prison"),
                "{format} keeps public facts"
            );
        }
    }
}

#[test]
fn public_rosters_leave_out_every_secret() {
    let world = world_with_secrets();
    let internal = roster(&world, campaign_view(), meta(false));
    assert!(
        markdown::roster_markdown(&internal).contains("SECRET-FACILITY-one"),
        "the internal roster shows the restricted facility, so the check below can fail"
    );
    let public = roster(&world, campaign_view(), meta(true));
    let outputs = [
        ("markdown", markdown::roster_markdown(&public)),
        ("html", html::roster_html(&public)),
        ("csv", csv::roster_csv(&public)),
        ("json", json::roster_json(&public)),
    ];
    for (format, text) in outputs {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{format} leaks {secret}");
        }
        assert!(
            text.contains("EXAMPLE DATA"),
            "{format} says it is example data"
        );
    }
}
