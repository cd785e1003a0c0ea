//! Browser sessions: signed HttpOnly SameSite cookies with a new id at each
//! sign-in, the same-site check on state-changing cookie requests, sign-in
//! throttling, and disabling an account ending its sessions and tokens.

mod common;

use common::{Fixture, PASSWORD, Who};
use habeas_server::state::ServerConfig;

async fn sign_in(fixture: &Fixture, name: &str, password: &str) -> (u16, Option<String>) {
    let body = format!(r#"{{"name": "{name}", "password": "{password}"}}"#);
    let answer = fixture
        .send(Who::Anonymous, "POST", "/api/v1/session", Some(&body))
        .await;
    let cookie = answer
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (answer.status.as_u16(), cookie)
}

fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().expect("name=value").to_owned()
}

const HEARING: &str = r#"{"person": "rong-chhun", "action": "record_hearing", "fields": {"occurred": "2020-08", "sources": [{"url": "https://example.org/h"}]}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_cookie_is_signed_renewed_and_same_site_only() {
    let fixture = Fixture::new().await;
    let (status, first) = sign_in(&fixture, "documenter", PASSWORD).await;
    assert_eq!(status, 200);
    let first = first.expect("a cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(first.contains(attribute), "{first}");
    }
    let (_, second) = sign_in(&fixture, "documenter", PASSWORD).await;
    let second = second.expect("a cookie");
    assert_ne!(
        pair(&first),
        pair(&second),
        "a sign-in must start a new session id"
    );
    let cookie = pair(&second);
    let with = |extra: &'static [(&'static str, &'static str)]| {
        let cookie = cookie.clone();
        let fixture = &fixture;
        async move {
            let mut headers: Vec<(&str, &str)> = vec![("cookie", cookie.as_str())];
            headers.extend_from_slice(extra);
            fixture
                .send_bytes(
                    Who::Anonymous,
                    "POST",
                    "/api/v1/commands",
                    Some(HEARING.as_bytes().to_vec()),
                    "application/json",
                    &headers,
                )
                .await
                .status
                .as_u16()
        }
    };
    // (headers besides the cookie, expected status)
    let cases: [(&[(&str, &str)], u16); 5] = [
        (&[], 403),
        (&[("sec-fetch-site", "cross-site")], 403),
        (
            &[("origin", "https://evil.example"), ("host", "habeas.local")],
            403,
        ),
        (
            &[("origin", "http://habeas.local"), ("host", "habeas.local")],
            201,
        ),
        (&[("sec-fetch-site", "same-origin")], 201),
    ];
    for (headers, expected) in cases {
        let before = fixture.case_log().await;
        assert_eq!(with(headers).await, expected, "{headers:?}");
        if expected >= 400 {
            assert_eq!(before, fixture.case_log().await, "{headers:?}");
        }
    }
    // A read needs no same-site proof; a tampered cookie is refused.
    let read = fixture
        .send_bytes(
            Who::Anonymous,
            "GET",
            "/api/v1/session",
            None,
            "",
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json()["name"], "documenter");
    let tampered = format!("{}0", cookie);
    let refused = fixture
        .send_bytes(
            Who::Anonymous,
            "GET",
            "/api/v1/session",
            None,
            "",
            &[("cookie", &tampered)],
        )
        .await;
    assert_eq!(refused.status, 401);
    // Signing out ends the session.
    let out = fixture
        .send_bytes(
            Who::Anonymous,
            "DELETE",
            "/api/v1/session",
            None,
            "",
            &[("cookie", &cookie), ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(out.status, 204, "{}", out.body);
    let after = fixture
        .send_bytes(
            Who::Anonymous,
            "GET",
            "/api/v1/session",
            None,
            "",
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(after.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_throttled_per_account() {
    let fixture = Fixture::with_config(ServerConfig {
        max_failed_logins: 3,
        ..ServerConfig::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(sign_in(&fixture, "viewer", "wrong password, long").await.0);
    }
    // Even the right password waits now; another account does not.
    statuses.push(sign_in(&fixture, "viewer", PASSWORD).await.0);
    statuses.push(sign_in(&fixture, "editor", PASSWORD).await.0);
    assert_eq!(statuses, [401, 401, 401, 429, 200]);
    let kinds = fixture.audit_kinds().await;
    assert_eq!(
        kinds,
        [
            "login_failed",
            "login_failed",
            "login_failed",
            "login_throttled",
            "login"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_account_loses_its_sessions_and_tokens() {
    let fixture = Fixture::new().await;
    let (_, cookie) = sign_in(&fixture, "viewer", PASSWORD).await;
    let cookie = pair(&cookie.expect("cookie"));
    let disable = fixture
        .send(
            Who::Admin,
            "PATCH",
            "/api/v1/users/viewer",
            Some(r#"{"disabled": true}"#),
        )
        .await;
    assert_eq!(disable.status, 200, "{}", disable.body);
    assert_eq!(
        fixture
            .send(Who::Viewer, "GET", "/api/v1/people", None)
            .await
            .status,
        401
    );
    let by_cookie = fixture
        .send_bytes(
            Who::Anonymous,
            "GET",
            "/api/v1/people",
            None,
            "",
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(by_cookie.status, 401);
    assert_eq!(sign_in(&fixture, "viewer", PASSWORD).await.0, 401);
    // The last admin cannot be disabled.
    let last = fixture
        .send(
            Who::Admin,
            "PATCH",
            "/api/v1/users/admin",
            Some(r#"{"disabled": true}"#),
        )
        .await;
    assert_eq!(last.status, 409, "{}", last.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_command_records_nothing_new() {
    let fixture = Fixture::new().await;
    let line = r#"{"person": "rong-chhun", "action": "record_hearing", "command_id": "0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6d", "fields": {"occurred": "2020-08", "sources": [{"url": "https://example.org/h"}]}}"#;
    let first = fixture
        .send(Who::Documenter, "POST", "/api/v1/commands", Some(line))
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let log = fixture.case_log().await;
    let again = fixture
        .send(Who::Documenter, "POST", "/api/v1/commands", Some(line))
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["already_applied"], true);
    assert_eq!(again.json()["event_ids"], first.json()["event_ids"]);
    assert_eq!(log, fixture.case_log().await);
    // A registration with a command id is the same person on a retry.
    let register = r#"{"fields": {"name": "Kem Sokha"}, "command_id": "0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6e"}"#;
    let one = fixture
        .send(Who::Documenter, "POST", "/api/v1/people", Some(register))
        .await;
    let two = fixture
        .send(Who::Documenter, "POST", "/api/v1/people", Some(register))
        .await;
    assert_eq!(
        (one.status.as_u16(), two.status.as_u16()),
        (201, 200),
        "{}",
        two.body
    );
    assert_eq!(one.json()["person"], two.json()["person"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_come_in_pages() {
    let fixture = Fixture::new().await;
    for idx in 0..7 {
        let body = format!(r#"{{"fields": {{"name": "Person {idx}"}}}}"#);
        let answer = fixture
            .send(Who::Documenter, "POST", "/api/v1/people", Some(&body))
            .await;
        assert_eq!(answer.status, 201);
    }
    let mut seen = Vec::new();
    let mut offset = Some(0);
    while let Some(at) = offset {
        let page = fixture
            .send(
                Who::Viewer,
                "GET",
                &format!("/api/v1/people?q=person&limit=3&offset={at}"),
                None,
            )
            .await
            .json();
        assert_eq!(page["total"], 7, "{page}");
        for item in page["items"].as_array().expect("items") {
            seen.push(item["name"].as_str().expect("name").to_owned());
        }
        offset = page["next_offset"].as_u64().map(|n| n as usize);
    }
    seen.sort();
    let expected: Vec<String> = (0..7).map(|idx| format!("Person {idx}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_factor_is_asked_once_enrolled_and_when_the_role_requires_it() {
    use habeas_server::accounts::book::AccountCommand;
    use habeas_server::accounts::role::Role;
    use habeas_server::accounts::totp;
    let fixture = Fixture::new().await;
    let accounts = fixture.state.accounts();
    // An admin requires a second factor of editors: the editor, not enrolled,
    // may not sign in with a password alone (tokens still work).
    accounts
        .execute(
            AccountCommand::RequireSecondFactor {
                roles: vec![Role::Editor],
            },
            "admin",
            |_, _| {},
        )
        .await
        .expect("policy");
    assert_eq!(sign_in(&fixture, "editor", PASSWORD).await.0, 403);
    assert_eq!(
        fixture
            .send(Who::Editor, "GET", "/api/v1/people", None)
            .await
            .status,
        200
    );
    let (secret, uri) = accounts
        .enrol_second_factor("editor", "admin")
        .await
        .expect("enrol");
    assert!(
        uri.starts_with("otpauth://totp/Habeas:editor?secret="),
        "{uri}"
    );
    let secret = totp::from_base32(&secret).expect("base32");
    let now = chrono::Utc::now().timestamp() as u64;
    let code = format!("{:06}", totp::code(&secret, now / totp::STEP));
    let with = |code: Option<&str>| match code {
        Some(code) => {
            format!(r#"{{"name": "editor", "password": "{PASSWORD}", "totp": "{code}"}}"#)
        }
        None => format!(r#"{{"name": "editor", "password": "{PASSWORD}"}}"#),
    };
    let mut statuses = Vec::new();
    for body in [
        with(None),
        with(Some("000000")),
        with(Some(&code)),
        with(Some(&code)),
    ] {
        let answer = fixture
            .send(Who::Anonymous, "POST", "/api/v1/session", Some(&body))
            .await;
        statuses.push(answer.status.as_u16());
    }
    // No code, a wrong code, the right code, the same code again (replayed).
    // (A wrong guess of 000000 could be right once in a million runs.)
    assert_eq!(statuses, [401, 401, 200, 401]);
    // The step used is kept with the secrets, not in memory: accounts
    // loaded again (a restart) refuse the code too.
    let reloaded = habeas_server::accounts::Accounts::load(
        fixture.state.tracker().clone(),
        habeas_server::accounts::secret_store::SecretStore::File(fixture.dir.path().to_owned()),
    )
    .await
    .expect("reload");
    let editor = reloaded.book().by_name("editor").expect("editor").id;
    let again = reloaded
        .check_second_factor(editor, &code, chrono::Utc::now())
        .await
        .expect("check");
    assert!(!again, "a code used before a restart works once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_throttle_counts_per_address_and_trusts_a_local_proxy_only_when_told() {
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::Request;
    use tower::ServiceExt;
    for behind_proxy in [false, true] {
        let fixture = Fixture::with_config(ServerConfig {
            max_failed_logins: 2,
            behind_proxy,
            ..ServerConfig::default()
        })
        .await;
        let attempt = |name: &'static str, forwarded: &'static str| {
            let app = fixture.app.clone();
            async move {
                let body =
                    format!(r#"{{"name": "{name}", "password": "not the password at all"}}"#);
                let mut request = Request::builder()
                    .method("POST")
                    .uri("/api/v1/session")
                    .header("content-type", "application/json")
                    .header("x-forwarded-for", forwarded)
                    .body(Body::from(body))
                    .expect("request");
                let peer: std::net::SocketAddr = "127.0.0.1:50000".parse().expect("address");
                request.extensions_mut().insert(ConnectInfo(peer));
                app.oneshot(request)
                    .await
                    .expect("infallible")
                    .status()
                    .as_u16()
            }
        };
        let statuses = [
            attempt("viewer", "10.0.0.1").await,
            attempt("editor", "10.0.0.1").await,
            attempt("admin", "10.0.0.1").await,
            attempt("documenter", "203.0.113.9, 10.0.0.2").await,
        ];
        // Behind a trusted proxy, 10.0.0.2 is another client; otherwise every
        // request comes from 127.0.0.1 and the forwarded header is ignored.
        let expected = if behind_proxy {
            [401, 401, 429, 401]
        } else {
            [401, 401, 429, 429]
        };
        assert_eq!(statuses, expected, "behind_proxy {behind_proxy}");
    }
}
