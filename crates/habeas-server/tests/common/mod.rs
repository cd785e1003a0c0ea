//! The fixture of the server's tests: a real store in a temporary
//! directory, an account of each role with a token, an expired and a
//! revoked token, and a case with restricted facts; and a client that sends
//! requests to the router in process (`tower::ServiceExt::oneshot`).

#![allow(dead_code, unreachable_pub)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use habeas::tracker::Tracker;
use habeas_server::accounts::Accounts;
use habeas_server::accounts::role::Role;
use habeas_server::app::app;
use habeas_server::security::SECURITY_STREAM;
use habeas_server::state::{AppState, ServerConfig};
use tower::ServiceExt;

/// The password of every fixture account.
pub const PASSWORD: &str = "correct horse battery staple";

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    Viewer,
    Documenter,
    ClearedDocumenter,
    Editor,
    Admin,
    ExpiredToken,
    RevokedToken,
}

/// The callers of the route × role table, in its column order.
pub const TABLE_CALLERS: [Who; 7] = [
    Who::Anonymous,
    Who::Viewer,
    Who::Documenter,
    Who::Editor,
    Who::Admin,
    Who::ExpiredToken,
    Who::RevokedToken,
];

/// Texts that appear only in restricted facts of the fixture's case.
pub const RESTRICTED_MARKERS: [&str; 2] = ["BLACKSITE-7", "CONFIDENTIAL-STATEMENT"];

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub app: Router,
    tokens: Vec<(Who, String)>,
    /// The ids of the restricted events (transfer, release, statement).
    pub restricted_ids: Vec<String>,
    /// The revoked token's id.
    pub revoked_token_id: String,
    /// The public detention's event id (recorded by the editor).
    pub detention_id: String,
    /// The public statement's event id (recorded by the editor).
    pub statement_id: String,
}

pub struct Answer {
    pub status: StatusCode,
    pub body: String,
    pub headers: axum::http::HeaderMap,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.body))
    }
}

impl Fixture {
    pub async fn new() -> Fixture {
        Fixture::with_config(ServerConfig::default()).await
    }

    pub async fn with_config(config: ServerConfig) -> Fixture {
        let dir = tempfile::tempdir().expect("temporary directory");
        let tracker = Tracker::open(dir.path()).expect("store");
        let accounts = Accounts::load(
            tracker.clone(),
            habeas_server::accounts::secret_store::SecretStore::File(dir.path().to_owned()),
        )
        .await
        .expect("accounts");
        let people = [
            ("admin", Role::Admin, false, Who::Admin),
            ("editor", Role::Editor, false, Who::Editor),
            ("documenter", Role::Documenter, false, Who::Documenter),
            ("cleared", Role::Documenter, true, Who::ClearedDocumenter),
            ("viewer", Role::Viewer, false, Who::Viewer),
        ];
        let mut tokens = Vec::new();
        for (name, role, clearance, who) in people {
            accounts
                .create(name, role, clearance, PASSWORD, "setup")
                .await
                .expect("account");
            let (_, text) = accounts
                .create_token(name, "tests", Utc::now() + Duration::days(1), "setup")
                .await
                .expect("token");
            tokens.push((who, text));
        }
        let (_, expired) = accounts
            .create_token("admin", "old", Utc::now() - Duration::seconds(1), "setup")
            .await
            .expect("token");
        tokens.push((Who::ExpiredToken, expired));
        let (revoked_info, revoked) = accounts
            .create_token("admin", "leaked", Utc::now() + Duration::days(1), "setup")
            .await
            .expect("token");
        accounts
            .execute(
                habeas_server::accounts::book::AccountCommand::RevokeToken {
                    token: revoked_info.id,
                },
                "setup",
                |secrets, _| {
                    secrets.tokens.remove(&revoked_info.id);
                },
            )
            .await
            .expect("revoke");
        tokens.push((Who::RevokedToken, revoked));
        let state = AppState::new(tracker, accounts, config);
        let mut fixture = Fixture {
            app: app(state.clone()),
            state,
            dir,
            tokens,
            restricted_ids: Vec::new(),
            revoked_token_id: revoked_info.id.to_string(),
            detention_id: String::new(),
            statement_id: String::new(),
        };
        fixture.record_case().await;
        fixture
    }

    pub fn token(&self, who: Who) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, t)| t.as_str())
    }

    /// Rong Chhun: registered, detained in 2020-07 (public); transferred to
    /// BLACKSITE-7 in 2020-09 and released in 2021-01 (both restricted); a
    /// public statement and a restricted one about him.
    async fn record_case(&mut self) {
        let lines = [
            r#"{"fields": {"name": "Rong Chhun", "aliases": ["Rorng Chhun"], "country": "Cambodia"}}"#,
        ];
        let answer = self
            .send(Who::Editor, "POST", "/api/v1/people", Some(lines[0]))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let commands = [
            (
                r#"{"person": "Rong Chhun", "action": "record_detention", "fields": {"occurred": "2020-07", "kind": "arrest", "facility": "Prey Sar", "sources": [{"url": "https://example.org/a"}]}}"#,
                false,
            ),
            (
                r#"{"person": "Rong Chhun", "action": "record_transfer", "fields": {"occurred": "2020-09", "to_facility": "BLACKSITE-7", "visibility": "restricted", "sources": [{"document": "interview 12"}]}}"#,
                true,
            ),
            (
                r#"{"person": "Rong Chhun", "action": "record_release", "fields": {"occurred": "2021-01", "kind": "bail", "conditions": "BLACKSITE-7 reporting", "visibility": "restricted", "sources": [{"document": "interview 13"}]}}"#,
                true,
            ),
            (
                r#"{"action": "issue_statement", "fields": {"occurred": "2021-02", "by": "United Nations", "about": ["Rong Chhun"], "kind": "call_for_release", "summary": "Release him.", "sources": [{"url": "https://example.org/b"}]}}"#,
                false,
            ),
            (
                r#"{"action": "issue_statement", "fields": {"occurred": "2021-03", "by": "A diplomat", "about": ["Rong Chhun"], "kind": "other", "summary": "CONFIDENTIAL-STATEMENT", "visibility": "restricted", "sources": [{"document": "cable 7"}]}}"#,
                true,
            ),
        ];
        for (idx, (line, restricted)) in commands.into_iter().enumerate() {
            let answer = self
                .send(Who::Editor, "POST", "/api/v1/commands", Some(line))
                .await;
            assert_eq!(
                answer.status,
                StatusCode::CREATED,
                "{line}: {}",
                answer.body
            );
            let id = answer.json()["event_ids"][0]
                .as_str()
                .expect("event id")
                .to_owned();
            match (idx, restricted) {
                (0, _) => self.detention_id = id,
                (3, _) => self.statement_id = id,
                (_, true) => self.restricted_ids.push(id),
                _ => {}
            }
        }
    }

    pub async fn send(&self, who: Who, method: &str, uri: &str, body: Option<&str>) -> Answer {
        self.send_bytes(
            who,
            method,
            uri,
            body.map(|b| b.as_bytes().to_vec()),
            "application/json",
            &[],
        )
        .await
    }

    pub async fn send_bytes(
        &self,
        who: Who,
        method: &str,
        uri: &str,
        body: Option<Vec<u8>>,
        content_type: &str,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = self.token(who) {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header("content-type", content_type);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .expect("request");
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Every event of the log but the security audit's, as JSON lines: what
    /// a refused request must leave unchanged.
    pub async fn case_log(&self) -> Vec<String> {
        let store = self.state.tracker().store();
        let mut lines = Vec::new();
        let mut from = 1;
        loop {
            let page = store.read_all(from, 1024).await.expect("read");
            let Some(last) = page.last() else { break };
            from = last.position + 1;
            lines.extend(
                page.iter()
                    .filter(|e| e.stream.as_str() != SECURITY_STREAM)
                    .map(|e| serde_json::to_string(e).expect("json")),
            );
        }
        lines
    }

    /// The security events' kinds, in order.
    pub async fn audit_kinds(&self) -> Vec<String> {
        let store = self.state.tracker().store();
        let stream = habeas_store::StreamId::new(SECURITY_STREAM).expect("stream");
        store
            .read_stream(&stream, 1)
            .await
            .expect("read")
            .iter()
            .map(|e| e.payload["kind"].as_str().unwrap_or("?").to_owned())
            .collect()
    }
}
