//! Every route × every kind of caller → the expected status, and the case
//! log unchanged after every refusal (only the security audit grows).

mod common;

use common::{Fixture, PASSWORD, TABLE_CALLERS, Who};

/// (method, path, body, expected status for: anonymous, viewer, documenter,
/// editor, admin, expired token, revoked token). `{revoked}` is replaced by
/// the revoked token's id.
#[rustfmt::skip]
const TABLE: &[(&str, &str, Option<&str>, [u16; 7])] = &[
    ("GET", "/api/v1/health", None, [200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/openapi.json", None, [200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/session", Some(r#"{"name": "viewer", "password": "correct horse battery staple"}"#), [200, 200, 200, 200, 200, 401, 401]),
    ("GET", "/api/v1/session", None, [401, 200, 200, 200, 200, 401, 401]),
    ("DELETE", "/api/v1/session", None, [401, 204, 204, 204, 204, 401, 401]),
    ("GET", "/api/v1/people?q=chhun", None, [401, 200, 200, 200, 200, 401, 401]),
    ("POST", "/api/v1/people", Some(r#"{"fields": {"name": "Kem Sokha"}}"#), [401, 403, 201, 201, 201, 401, 401]),
    ("GET", "/api/v1/people/rong-chhun/status", None, [401, 200, 200, 200, 200, 401, 401]),
    ("GET", "/api/v1/people/rong-chhun/history", None, [401, 200, 200, 200, 200, 401, 401]),
    ("GET", "/api/v1/people/rong-chhun/statements", None, [401, 200, 200, 200, 200, 401, 401]),
    ("GET", "/api/v1/people/rong-chhun/report?format=html", None, [401, 200, 200, 200, 200, 401, 401]),
    ("GET", "/api/v1/roster?headline=detained,released", None, [401, 200, 200, 200, 200, 401, 401]),
    ("GET", "/api/v1/roster/report?format=csv", None, [401, 200, 200, 200, 200, 401, 401]),
    ("POST", "/api/v1/commands", Some(HEARING), [401, 403, 201, 201, 201, 401, 401]),
    ("POST", "/api/v1/events/{detention}/correction", Some(r#"{"facility": "Prey Sar (CC1)", "reason": "the court file names the block"}"#), [401, 403, 403, 201, 201, 401, 401]),
    ("POST", "/api/v1/events/{statement}/retraction", Some(r#"{"reason": "the statement was misattributed"}"#), [401, 403, 403, 201, 409, 401, 401]),
    ("POST", "/api/v1/import?dry_run=true", Some(HEARING), [401, 403, 403, 200, 200, 401, 401]),
    ("GET", "/api/v1/mappings", None, [401, 403, 403, 200, 200, 401, 401]),
    ("GET", "/api/v1/export", None, [401, 403, 403, 200, 200, 401, 401]),
    ("GET", "/api/v1/verify", None, [401, 403, 403, 200, 200, 401, 401]),
    ("GET", "/api/v1/users", None, [401, 403, 403, 403, 200, 401, 401]),
    ("POST", "/api/v1/users", Some(r#"{"name": "newcomer", "role": "viewer", "password": "another long passphrase"}"#), [401, 403, 403, 403, 201, 401, 401]),
    ("PATCH", "/api/v1/users/viewer", Some(r#"{"clearance": false}"#), [401, 403, 403, 403, 200, 401, 401]),
    ("POST", "/api/v1/users/viewer/second-factor", None, [401, 403, 403, 403, 201, 401, 401]),
    ("DELETE", "/api/v1/users/viewer/second-factor", None, [401, 403, 403, 403, 204, 401, 401]),
    ("POST", "/api/v1/users/nobody/second-factor", None, [401, 403, 403, 403, 404, 401, 401]),
    ("POST", "/api/v1/tokens", Some(r#"{"user": "viewer", "name": "script"}"#), [401, 403, 403, 403, 201, 401, 401]),
    ("DELETE", "/api/v1/tokens/{revoked}", None, [401, 403, 403, 403, 204, 401, 401]),
    ("GET", "/api/v1/audit", None, [401, 403, 403, 403, 200, 401, 401]),
];

const HEARING: &str = r#"{"person": "rong-chhun", "action": "record_hearing", "fields": {"occurred": "2020-08", "sources": [{"url": "https://example.org/h"}]}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_table_says() {
    let mut failures = Vec::new();
    for (method, path, body, expected) in TABLE {
        // A fresh store per route: a write by one caller must not change
        // what the next one is answered.
        let fixture = Fixture::new().await;
        let path = path
            .replace("{revoked}", &fixture.revoked_token_id)
            .replace("{detention}", &fixture.detention_id)
            .replace("{statement}", &fixture.statement_id);
        for (who, expected) in TABLE_CALLERS.iter().zip(expected) {
            let before = fixture.case_log().await;
            let answer = fixture.send(*who, method, &path, *body).await;
            if answer.status.as_u16() != *expected {
                failures.push(format!(
                    "{method} {path} as {who:?}: {} (expected {expected}): {}",
                    answer.status, answer.body
                ));
            }
            if answer.status.as_u16() >= 400 {
                let after = fixture.case_log().await;
                if before != after {
                    failures.push(format!(
                        "{method} {path} as {who:?}: refused but the log changed"
                    ));
                }
                if answer.status.as_u16() >= 500 {
                    failures.push(format!("{method} {path} as {who:?}: a 5xx"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_covers_every_route() {
    for (method, route) in habeas_server::app::ROUTES {
        let covered = TABLE.iter().any(|(m, path, _, _)| {
            let path = path.split('?').next().unwrap_or(path);
            m == method && matches(route, path)
        });
        assert!(covered, "{method} {route} is not in the table");
    }
}

fn matches(route: &str, path: &str) -> bool {
    let route: Vec<&str> = route.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    route.len() == path.len()
        && route
            .iter()
            .zip(&path)
            .all(|(r, p)| r.starts_with('{') || r == p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_audited() {
    let fixture = Fixture::new().await;
    fixture
        .send(Who::Viewer, "GET", "/api/v1/export", None)
        .await;
    fixture
        .send(Who::ExpiredToken, "GET", "/api/v1/people", None)
        .await;
    let login = format!(r#"{{"name": "viewer", "password": "{PASSWORD}x"}}"#);
    fixture
        .send(Who::Anonymous, "POST", "/api/v1/session", Some(&login))
        .await;
    fixture
        .send(Who::Editor, "GET", "/api/v1/export", None)
        .await;
    let kinds = fixture.audit_kinds().await;
    assert_eq!(
        kinds,
        ["denied", "credential_refused", "login_failed", "export"],
        "{kinds:?}"
    );
    let listed = fixture
        .send(Who::Admin, "GET", "/api/v1/audit?limit=2&offset=1", None)
        .await;
    let json = listed.json();
    assert_eq!(json["total"], 4, "{json}");
    assert_eq!(json["items"][0]["kind"], "credential_refused", "{json}");
    assert_eq!(json["items"][0]["outcome"], "expired", "{json}");
    assert_eq!(json["next_offset"], 3, "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_flood_of_bad_tokens_is_audited_only_up_to_a_budget() {
    let fixture = Fixture::new().await;
    let budget = habeas_server::state::AUDIT_BUDGET;
    for _ in 0..budget + 10 {
        let answer = fixture
            .send_bytes(
                Who::Anonymous,
                "GET",
                "/api/v1/people",
                None,
                "",
                &[("authorization", "Bearer hbs_forged_0")],
            )
            .await;
        assert_eq!(answer.status, 401);
    }
    let kinds = fixture.audit_kinds().await;
    assert_eq!(kinds.len(), budget, "{kinds:?}");
}
