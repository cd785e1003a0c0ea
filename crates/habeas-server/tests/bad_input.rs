//! Bad input over HTTP: each kind is a clear 4xx naming the field, never a
//! 5xx, and the case log is left unchanged.

mod common;

use common::{Fixture, Who};
use habeas_server::state::ServerConfig;

/// One bad request: who sends it, method, URI, content type, body, the
/// status expected and the field the error must name (`None`: no field,
/// e.g. 404 and 413).
struct Bad {
    name: &'static str,
    who: Who,
    method: &'static str,
    uri: String,
    content_type: &'static str,
    body: Option<Vec<u8>>,
    status: u16,
    field: Option<&'static str>,
}

fn command(name: &'static str, body: &str, status: u16, field: Option<&'static str>) -> Bad {
    Bad {
        name,
        who: Who::Documenter,
        method: "POST",
        uri: "/api/v1/commands".into(),
        content_type: "application/json",
        body: Some(body.as_bytes().to_vec()),
        status,
        field,
    }
}

fn get(name: &'static str, uri: &str, field: Option<&'static str>, status: u16) -> Bad {
    Bad {
        name,
        who: Who::Editor,
        method: "GET",
        uri: uri.into(),
        content_type: "application/json",
        body: None,
        status,
        field,
    }
}

fn detention(fields: &str) -> String {
    format!(r#"{{"person": "rong-chhun", "action": "record_detention", "fields": {fields}}}"#)
}

const SOURCE: &str = r#""sources": [{"url": "https://example.org/a"}]"#;

fn cases() -> Vec<Bad> {
    let mut deep = String::new();
    for _ in 0..200 {
        deep.push('[');
    }
    vec![
        command("malformed JSON", r#"{"person": "rong-chhun", "action": "#, 400, Some("body")),
        command("not an object", "[1, 2]", 400, Some("body")),
        command("a string", r#""record_detention""#, 400, Some("body")),
        command("empty body", "", 400, Some("body")),
        command("unknown key", r#"{"actoin": "record_detention", "fields": {}}"#, 400, Some("actoin")),
        command("missing action", r#"{"person": "rong-chhun", "fields": {}}"#, 400, Some("action")),
        command("unknown action", r#"{"person": "rong-chhun", "action": "record_detension", "fields": {}}"#, 400, Some("action")),
        command("action of the wrong type", r#"{"person": "rong-chhun", "action": 7, "fields": {}}"#, 400, Some("action")),
        command("missing fields", r#"{"person": "rong-chhun", "action": "record_detention"}"#, 400, Some("fields")),
        command("fields not an object", r#"{"person": "rong-chhun", "action": "record_detention", "fields": [1]}"#, 400, Some("fields")),
        command("bad month", &detention(&format!(r#"{{"occurred": "2020-13", "kind": "arrest", {SOURCE}}}"#)), 400, Some("fields.occurred")),
        command("not a date", &detention(&format!(r#"{{"occurred": "last spring", "kind": "arrest", {SOURCE}}}"#)), 400, Some("fields.occurred")),
        command("date of the wrong type", &detention(&format!(r#"{{"occurred": 2020, "kind": "arrest", {SOURCE}}}"#)), 400, Some("fields.occurred")),
        command("unknown kind", &detention(&format!(r#"{{"occurred": "2020-07", "kind": "arest", {SOURCE}}}"#)), 400, Some("fields.kind")),
        command("unknown field", &detention(&format!(r#"{{"occurred": "2020-07", "kind": "arrest", "facilty": "x", {SOURCE}}}"#)), 400, Some("fields.facilty")),
        command("unknown nested field", &detention(r#"{"occurred": "2020-07", "kind": "arrest", "sources": [{"link": "https://example.org"}]}"#), 400, Some("fields.sources[0].link")),
        command("sources of the wrong type", &detention(r#"{"occurred": "2020-07", "kind": "arrest", "sources": "https://example.org"}"#), 400, Some("fields.sources")),
        command("bad visibility", &detention(&format!(r#"{{"occurred": "2020-07", "kind": "arrest", "visibility": "secret", {SOURCE}}}"#)), 400, Some("fields.visibility")),
        command("bad confidence", &detention(&format!(r#"{{"occurred": "2020-07", "kind": "arrest", "confidence": 0.9, {SOURCE}}}"#)), 400, Some("fields.confidence")),
        command("bad term", &format!(r#"{{"person": "rong-chhun", "action": "record_sentence", "fields": {{"occurred": "2020-08", "term": {{"kind": "fixed", "years": "two"}}, {SOURCE}}}}}"#), 400, Some("fields.term")),
        command("bad command id", &format!(r#"{{"person": "rong-chhun", "action": "record_hearing", "command_id": "not-a-uuid", "fields": {{"occurred": "2020-08", {SOURCE}}}}}"#), 400, Some("command_id")),
        command("missing person", &format!(r#"{{"action": "record_hearing", "fields": {{"occurred": "2020-08", {SOURCE}}}}}"#), 400, Some("person")),
        command("person of the wrong type", &format!(r#"{{"person": 42, "action": "record_hearing", "fields": {{"occurred": "2020-08", {SOURCE}}}}}"#), 400, Some("person")),
        command("person key on one command", &format!(r#"{{"person_key": "rc", "action": "register_person", "fields": {{"name": "X", {SOURCE}}}}}"#), 400, Some("person_key")),
        command("unknown person", &format!(r#"{{"person": "Nobody Atall", "action": "record_hearing", "fields": {{"occurred": "2020-08", {SOURCE}}}}}"#), 404, None),
        command("person name too long", &format!(r#"{{"person": "{}", "action": "record_hearing", "fields": {{"occurred": "2020-08", {SOURCE}}}}}"#, "x".repeat(600)), 400, Some("person")),
        command("unknown event to retract", r#"{"action": "retract_event", "fields": {"target": "01a25341-6c80-722f-8305-c5d8a9c943eb", "reason": "x"}}"#, 404, None),
        command("trailing garbage", r#"{"person": "rong-chhun"} {"x": 1}"#, 400, Some("body")),
        command("nesting too deep", &deep, 400, Some("body")),
        Bad {
            content_type: "text/plain",
            ..command("not declared as JSON", &detention("{}"), 400, Some("content-type"))
        },
        Bad {
            body: Some(vec![b'{', b'"', 0xff, 0xfe, b'"', b'}']),
            ..command("not UTF-8", "", 400, Some("body"))
        },
        Bad {
            body: Some(format!(r#"{{"person": "rong-chhun", "action": "record_hearing", "fields": {{"note": "{}"}}}}"#, "x".repeat(300 * 1024)).into_bytes()),
            ..command("oversize body", "", 413, None)
        },
        Bad {
            uri: "/api/v1/people".into(),
            ..command("registration with an unknown key", r#"{"fields": {"name": "X"}, "person": "y"}"#, 400, Some("person"))
        },
        Bad {
            uri: "/api/v1/people".into(),
            ..command("registration without a name", r#"{"fields": {"aliases": ["X"]}}"#, 400, Some("fields"))
        },
        Bad {
            uri: "/api/v1/people".into(),
            ..command("registration with a bad birth date", r#"{"fields": {"name": "X", "born": "1970-02-30"}}"#, 400, Some("fields.born"))
        },
        Bad {
            who: Who::Editor,
            uri: "/api/v1/events/not-an-id/correction".into(),
            ..command("event id not a uuid", r#"{"facility": "x", "reason": "y"}"#, 400, Some("event"))
        },
        Bad {
            who: Who::Editor,
            uri: "/api/v1/events/01a25341-6c80-722f-8305-c5d8a9c943eb/retraction".into(),
            ..command("retraction of an unknown event", r#"{"reason": "y"}"#, 404, None)
        },
        Bad {
            who: Who::Editor,
            uri: "/api/v1/events/{detention}/correction".into(),
            ..command("correction with an unknown field", r#"{"facilty": "x", "reason": "y"}"#, 400, Some("facilty"))
        },
        Bad {
            who: Who::Editor,
            uri: "/api/v1/events/{detention}/correction".into(),
            ..command("correction with a bad date", r#"{"occurred": "2020-02-30", "reason": "y"}"#, 400, Some("occurred"))
        },
        Bad {
            who: Who::Editor,
            uri: "/api/v1/events/{detention}/correction".into(),
            ..command("correction without a reason", r#"{"facility": "x", "reason": " "}"#, 400, Some("reason"))
        },
        Bad {
            who: Who::Editor,
            uri: "/api/v1/events/{detention}/correction".into(),
            ..command("correction that changes nothing", r#"{"reason": "y"}"#, 400, Some("body"))
        },
        Bad {
            who: Who::Editor,
            uri: "/api/v1/events/{detention}/correction".into(),
            ..command("a term on a detention", r#"{"term": {"kind": "life"}, "reason": "y"}"#, 400, Some("term"))
        },
        get("path traversal in a person", "/api/v1/people/..%2F..%2Fetc%2Fpasswd/status", None, 404),
        get("bad as_of", "/api/v1/people/rong-chhun/status?as_of=2020-13", Some("as_of"), 400),
        get("bad known_at", "/api/v1/people/rong-chhun/status?known_at=yesterday", Some("known_at"), 400),
        get("unknown query parameter", "/api/v1/people/rong-chhun/status?asof=2020", Some("asof"), 400),
        get("limit zero", "/api/v1/people?limit=0", Some("limit"), 400),
        get("limit not a number", "/api/v1/people?limit=ten", Some("limit"), 400),
        get("negative offset", "/api/v1/people?offset=-1", Some("offset"), 400),
        get("limit too large", "/api/v1/roster?limit=100000", Some("limit"), 400),
        get("unknown format", "/api/v1/people/rong-chhun/report?format=pdf", Some("format"), 400),
        get("csv for one person", "/api/v1/people/rong-chhun/report?format=csv", Some("format"), 400),
        get("public not a boolean", "/api/v1/roster/report?public=yes", Some("public"), 400),
        get("unknown headline", "/api/v1/roster?headline=jailed", Some("headline"), 400),
        get("unknown route", "/api/v1/prisoners", None, 404),
        get("unknown person in a path", "/api/v1/people/nobody-atall/history", None, 404),
        Bad {
            who: Who::Editor,
            uri: "/api/v1/import?dry_run=maybe".into(),
            ..command("dry_run not a boolean", "{}", 400, Some("dry_run"))
        },
        Bad {
            who: Who::Editor,
            uri: "/api/v1/import?dry_run=false".into(),
            content_type: "application/x-ndjson",
            body: Some(vec![b'x'; 2 * 1024 * 1024]),
            ..command("a huge import", "", 413, None)
        },
        Bad {
            who: Who::Admin,
            uri: "/api/v1/users".into(),
            ..command("unknown role", r#"{"name": "x", "role": "superuser", "password": "a long enough passphrase"}"#, 400, Some("role"))
        },
        Bad {
            who: Who::Admin,
            uri: "/api/v1/users".into(),
            ..command("short password", r#"{"name": "x", "role": "viewer", "password": "short"}"#, 400, Some("password"))
        },
        Bad {
            who: Who::Admin,
            uri: "/api/v1/users".into(),
            ..command("account name with a slash", r#"{"name": "../x", "role": "viewer", "password": "a long enough passphrase"}"#, 400, Some("name"))
        },
        Bad {
            who: Who::Admin,
            uri: "/api/v1/tokens".into(),
            ..command("token lifetime out of range", r#"{"user": "viewer", "name": "t", "expires_in_days": 0}"#, 400, Some("expires_in_days"))
        },
        Bad {
            who: Who::Admin,
            method: "DELETE",
            uri: "/api/v1/tokens/xyz".into(),
            body: None,
            ..command("token id not a uuid", "", 400, Some("id"))
        },
        Bad {
            who: Who::Anonymous,
            uri: "/api/v1/session".into(),
            ..command("sign-in with a missing password", r#"{"name": "viewer"}"#, 400, Some("body"))
        },
        Bad {
            who: Who::Anonymous,
            uri: "/api/v1/session".into(),
            ..command("sign-in with a wrong type", r#"{"name": "viewer", "password": 12}"#, 400, Some("password"))
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_clear_4xx_naming_the_field_and_changes_nothing() {
    let fixture = Fixture::with_config(ServerConfig {
        import_limit: 1024 * 1024,
        ..ServerConfig::default()
    })
    .await;
    let cases = cases();
    assert!(cases.len() >= 30, "{} kinds", cases.len());
    let mut failures = Vec::new();
    for bad in cases {
        let before = fixture.case_log().await;
        let uri = bad.uri.replace("{detention}", &fixture.detention_id);
        let answer = fixture
            .send_bytes(
                bad.who,
                bad.method,
                &uri,
                bad.body.clone(),
                bad.content_type,
                &[],
            )
            .await;
        let after = fixture.case_log().await;
        if before != after {
            failures.push(format!("{}: the log changed", bad.name));
        }
        if answer.status.as_u16() != bad.status {
            failures.push(format!(
                "{}: {} (expected {}): {}",
                bad.name, answer.status, bad.status, answer.body
            ));
            continue;
        }
        let json: serde_json::Value = match serde_json::from_str(&answer.body) {
            Ok(json) => json,
            Err(_) => {
                failures.push(format!("{}: not a JSON error: {:?}", bad.name, answer.body));
                continue;
            }
        };
        let message = json["error"]["message"].as_str().unwrap_or_default();
        if message.is_empty() {
            failures.push(format!("{}: no message: {json}", bad.name));
        }
        if let Some(field) = bad.field
            && json["error"]["field"] != field
        {
            failures.push(format!(
                "{}: names {} instead of {field}: {json}",
                bad.name, json["error"]["field"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_layers_refusals_have_the_api_error_body() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let fixture = Fixture::new().await;
    // Each case its own timeout: a 1 ms limit would also cut short the body
    // limit's case on a loaded machine (seen: 503 instead of 413).
    let app = |request_timeout| {
        habeas_server::app::app(habeas_server::state::AppState::new(
            fixture.state.tracker().clone(),
            fixture.state.accounts().clone(),
            ServerConfig {
                request_timeout,
                import_limit: 1024,
                ..ServerConfig::default()
            },
        ))
    };
    let token = fixture.token(Who::Editor).expect("token").to_owned();
    let (short, long) = (
        std::time::Duration::from_millis(1),
        std::time::Duration::from_secs(60),
    );
    // (timeout, method, uri, body with its Content-Length, expected status, code)
    let cases = [
        (short, "GET", "/api/v1/verify", None, 503, "unavailable"),
        (
            long,
            "POST",
            "/api/v1/import",
            Some(vec![b'x'; 4096]),
            413,
            "too_large",
        ),
    ];
    for (timeout, method, uri, body, status, code) in cases {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"));
        if let Some(body) = &body {
            request = request.header("content-length", body.len());
        }
        let request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .expect("request");
        let response = app(timeout).oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), status, "{uri}");
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let json: serde_json::Value = serde_json::from_slice(&bytes).expect("a JSON error body");
        assert_eq!(json["error"]["code"], code, "{json}");
    }
}
