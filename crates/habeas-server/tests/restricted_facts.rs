//! A restricted fact reaches only callers cleared to read it: absent from
//! every output sent to a viewer, an uncleared documenter and anonymous
//! readers of public reports, present for an editor and a cleared
//! documenter.

mod common;

use common::{Fixture, RESTRICTED_MARKERS, Who};
use habeas_server::state::ServerConfig;

/// Each output, and a text that shows the restricted facts were used in it
/// (a marker, or the headline the restricted release gives).
const OUTPUTS: &[(&str, &str)] = &[
    (
        "/api/v1/people/rong-chhun/status",
        r#""headline":"released""#,
    ),
    ("/api/v1/people/rong-chhun/history", "BLACKSITE-7"),
    (
        "/api/v1/people/rong-chhun/statements",
        "CONFIDENTIAL-STATEMENT",
    ),
    ("/api/v1/people?q=rorng", r#""headline":"released""#),
    (
        "/api/v1/people/rong-chhun/report?format=html",
        "BLACKSITE-7",
    ),
    ("/api/v1/people/rong-chhun/report?format=md", "BLACKSITE-7"),
    (
        "/api/v1/people/rong-chhun/report?format=json",
        "BLACKSITE-7",
    ),
    ("/api/v1/roster", r#""headline":"released""#),
    (
        "/api/v1/roster/report?format=json",
        r#""custody_since": null"#,
    ),
    ("/api/v1/roster/report?format=csv", ",released,"),
    (
        "/api/v1/roster/report?format=md",
        "**0 people currently detained**",
    ),
    (
        "/api/v1/roster/report?format=html",
        "<strong>0 people currently detained</strong>",
    ),
    ("/api/v1/export", "BLACKSITE-7"),
];

fn leaks(fixture: &Fixture, body: &str, shown: &str) -> Vec<String> {
    RESTRICTED_MARKERS
        .iter()
        .map(|m| m.to_string())
        .chain(fixture.restricted_ids.iter().cloned())
        .chain(std::iter::once(shown.to_owned()))
        .filter(|marker| body.contains(marker.as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restricted_facts_reach_only_cleared_callers() {
    let fixture = Fixture::new().await;
    let mut failures = Vec::new();
    for (path, shown) in OUTPUTS {
        for who in [Who::Viewer, Who::Documenter] {
            let answer = fixture.send(who, "GET", path, None).await;
            let leaked = leaks(&fixture, &answer.body, shown);
            if !leaked.is_empty() {
                failures.push(format!(
                    "{path} as {who:?} ({}) leaks {leaked:?}",
                    answer.status
                ));
            }
            if path.ends_with("export") {
                assert_eq!(answer.status, 403, "{path} as {who:?}");
            } else if !answer.status.is_success() {
                failures.push(format!("{path} as {who:?}: {}", answer.status));
            }
        }
        for who in [Who::Editor, Who::ClearedDocumenter] {
            if path.ends_with("export") && who == Who::ClearedDocumenter {
                continue;
            }
            let answer = fixture.send(who, "GET", path, None).await;
            if !answer.body.contains(shown) {
                failures.push(format!(
                    "{path} as {who:?} ({}) lacks {shown:?}: {}",
                    answer.status, answer.body
                ));
            }
        }
        // Asking for the public variant hides them from editors too.
        if path.contains("report") {
            let public = format!("{path}&public=true");
            let answer = fixture.send(Who::Editor, "GET", &public, None).await;
            let leaked = leaks(&fixture, &answer.body, shown);
            if !leaked.is_empty() {
                failures.push(format!("{public} as editor leaks {leaked:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_readers_of_public_reports_never_see_them() {
    let fixture = Fixture::with_config(ServerConfig {
        public_reports: true,
        ..ServerConfig::default()
    })
    .await;
    let mut failures = Vec::new();
    for (path, shown) in OUTPUTS {
        let answer = fixture.send(Who::Anonymous, "GET", path, None).await;
        let is_report = path.contains("report") || path.starts_with("/api/v1/roster");
        let expected = if is_report { 200 } else { 401 };
        if answer.status != expected {
            failures.push(format!("{path}: {} (expected {expected})", answer.status));
        }
        let leaked = leaks(&fixture, &answer.body, shown);
        if !leaked.is_empty() {
            failures.push(format!("{path} leaks {leaked:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_names_a_restricted_event_only_to_those_cleared() {
    let fixture = Fixture::new().await;
    // A release in 2021-02 finds the person already released by the
    // restricted release of 2021-01.
    let line = r#"{"person": "rong-chhun", "action": "record_release", "fields": {"occurred": "2021-02", "kind": "amnesty", "sources": [{"url": "https://example.org/r"}]}}"#;
    let release_id = &fixture.restricted_ids[1];
    let before = fixture.case_log().await;
    let uncleared = fixture
        .send(Who::Documenter, "POST", "/api/v1/commands", Some(line))
        .await;
    assert_eq!(uncleared.status, 409, "{}", uncleared.body);
    let leaked = leaks(&fixture, &uncleared.body, "2021-01");
    assert!(leaked.is_empty(), "leaks {leaked:?}: {}", uncleared.body);
    assert!(uncleared.body.contains("restricted"), "{}", uncleared.body);
    let cleared = fixture
        .send(Who::Editor, "POST", "/api/v1/commands", Some(line))
        .await;
    assert_eq!(cleared.status, 409, "{}", cleared.body);
    assert!(
        cleared.body.contains(release_id.as_str()),
        "{}",
        cleared.body
    );
    assert_eq!(
        cleared.json()["error"]["events"][0],
        release_id.as_str(),
        "{}",
        cleared.body
    );
    assert_eq!(
        before,
        fixture.case_log().await,
        "a rejection changed the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_documenter_amends_only_their_own_recordings_and_never_a_restricted_one() {
    let fixture = Fixture::new().await;
    let recorded = fixture
        .send(
            Who::Documenter,
            "POST",
            "/api/v1/commands",
            Some(r#"{"person": "rong-chhun", "action": "record_hearing", "fields": {"occurred": "2020-08", "sources": [{"url": "https://example.org/h"}]}}"#),
        )
        .await;
    assert_eq!(recorded.status, 201, "{}", recorded.body);
    let own = recorded.json()["event_ids"][0]
        .as_str()
        .expect("id")
        .to_owned();
    let retract = |target: &str| {
        format!(
            r#"{{"action": "retract_event", "fields": {{"target": "{target}", "reason": "duplicate"}}}}"#
        )
    };
    let restricted = fixture.restricted_ids[0].clone();
    let cases = [
        (Who::Documenter, restricted.clone(), 404),
        (Who::Viewer, own.clone(), 403),
        (Who::Documenter, own.clone(), 201),
        (Who::Editor, restricted, 201),
    ];
    for (who, target, expected) in cases {
        let before = fixture.case_log().await;
        let answer = fixture
            .send(who, "POST", "/api/v1/commands", Some(&retract(&target)))
            .await;
        assert_eq!(
            answer.status, expected,
            "{who:?} retracting {target}: {}",
            answer.body
        );
        if expected >= 400 {
            assert!(!answer.body.contains("BLACKSITE"), "{}", answer.body);
            assert_eq!(before, fixture.case_log().await);
        }
    }
    // The same through the event routes: a restricted event is not found by
    // someone who may not read it.
    for route in ["correction", "retraction"] {
        let uri = format!("/api/v1/events/{}/{route}", fixture.restricted_ids[1]);
        let body = r#"{"occurred": "2021-02", "reason": "x"}"#;
        let body = if route == "retraction" {
            r#"{"reason": "x"}"#
        } else {
            body
        };
        let answer = fixture
            .send(Who::Documenter, "POST", &uri, Some(body))
            .await;
        assert_eq!(answer.status, 404, "{route}: {}", answer.body);
        assert!(!answer.body.contains("BLACKSITE"), "{}", answer.body);
    }
    // The recorded_by of what was written through the server is the account.
    let history = fixture
        .send(
            Who::Editor,
            "GET",
            "/api/v1/people/rong-chhun/history",
            None,
        )
        .await;
    let json = history.json();
    let by: Vec<&str> = json
        .as_array()
        .expect("list")
        .iter()
        .map(|line| line["envelope"]["recorded_by"].as_str().expect("by"))
        .collect();
    assert!(
        by.contains(&"documenter") && by.contains(&"editor"),
        "{by:?}"
    );
    assert!(
        by.iter().all(|b| ["documenter", "editor"].contains(b)),
        "{by:?}"
    );
}
