//! Account, security and saved-mapping events share the log with the cases: the read
//! models, rosters, the audit, a rebuild, verify and an export must all
//! tolerate streams that are neither persons nor statements.

mod common;

use common::{Fixture, Who};
use habeas_server::accounts::events::ACCOUNTS_STREAM;
use habeas_server::security::SECURITY_STREAM;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_models_and_exports_tolerate_account_and_security_streams() {
    let fixture = Fixture::new().await;
    // A refusal and a sign-in put security events between case events; a
    // saved column mapping is an event of its own stream.
    fixture
        .send(Who::Viewer, "GET", "/api/v1/export", None)
        .await;
    habeas_server::mappings::save(
        fixture.state.tracker(),
        "a list",
        "version = 1\n[person]\nname = \"name\"\n",
        "editor",
    )
    .await
    .expect("a mapping saved");
    let tracker = fixture.state.tracker();
    let streams: Vec<String> = tracker
        .store()
        .read_all(1, 10_000)
        .await
        .expect("read")
        .iter()
        .map(|e| e.stream.as_str().to_owned())
        .collect();
    assert!(streams.iter().any(|s| s == ACCOUNTS_STREAM), "{streams:?}");
    assert!(streams.iter().any(|s| s == SECURITY_STREAM), "{streams:?}");
    assert!(
        streams
            .iter()
            .any(|s| s == habeas_server::mappings::MAPPINGS_STREAM),
        "{streams:?}"
    );

    tracker.refresh(&mut |_, _| {}).await.expect("refresh");
    let checkpoint = tracker.rebuild(&mut |_, _| {}).await.expect("rebuild");
    assert_eq!(checkpoint, streams.len() as u64);
    let audit = tracker
        .audit(chrono::Utc::now().date_naive(), &mut |_, _, _| {})
        .await
        .expect("audit");
    assert!(audit.is_clean(), "{audit:?}");
    assert_eq!(audit.n_people, 1);
    let people = tracker.people().await.expect("people");
    assert_eq!(people.people().len(), 1);
    let verify = fixture
        .send(Who::Editor, "GET", "/api/v1/verify", None)
        .await;
    assert_eq!(verify.json()["ok"], true, "{}", verify.body);
    let export = fixture
        .send(Who::Editor, "GET", "/api/v1/export", None)
        .await;
    assert_eq!(export.status, 200);
    let lines: Vec<&str> = export.body.lines().collect();
    assert!(lines.len() >= streams.len(), "{} lines", lines.len());
    // Secrets never enter the log or an export.
    let secrets =
        std::fs::read_to_string(fixture.dir.path().join("secrets.json")).expect("secrets");
    let secrets: serde_json::Value = serde_json::from_str(&secrets).expect("json");
    for hash in secrets["passwords"]
        .as_object()
        .expect("passwords")
        .values()
    {
        let hash = hash.as_str().expect("phc");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!export.body.contains(hash));
    }
    for digest in secrets["tokens"].as_object().expect("tokens").values() {
        assert!(!export.body.contains(digest.as_str().expect("hex")));
    }
    assert!(
        !export
            .body
            .contains(secrets["session_key"].as_str().expect("key"))
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(fixture.dir.path().join("secrets.json"))
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
