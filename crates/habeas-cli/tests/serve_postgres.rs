//! Two `habeas serve` processes on one PostgreSQL database, with the CLI
//! managing accounts beside them: a user added (and a token issued, then
//! revoked) while both run is seen by both at once, a write through one is
//! read through the other, and an export carries no secret. Skipped where no
//! PostgreSQL is installed, never under CI (see
//! `habeas_store_postgres::testing`).

use std::io::Write;
use std::process::{Child, Command, Stdio};

use habeas_store_postgres::testing::fresh_database;
use habeas_store_postgres::{PostgresConfig, PostgresStore};

mod server;

use server::{habeas, http, ok, start_command};

fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}\r\n")
}

/// The binary on the database, with a read-model cache of its own.
fn on(url: &str, cache: &tempfile::TempDir) -> Command {
    let mut command = habeas(url);
    command.env("HABEAS_CACHE_DIR", cache.path());
    command
}

fn add_user(url: &str, cache: &tempfile::TempDir, name: &str, role: &str, password: &str) {
    let mut add = on(url, cache)
        .args(["user", "add", name, "--role", role, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("user add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("password");
    ok(add.wait_with_output().expect("user add"));
}

fn stop(mut server: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let exit = server.wait().expect("wait");
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn two_servers_share_one_database_with_its_accounts_and_no_secret_is_exported() {
    let Some(database) = fresh_database() else {
        return;
    };
    let url = database.url();
    let cache = tempfile::tempdir().expect("cache");
    ok(on(url, &cache).arg("init").output().expect("init"));
    add_user(url, &cache, "ana", "editor", "correct horse battery staple");
    let token = ok(on(url, &cache)
        .args(["token", "create", "tests", "--user", "ana"])
        .output()
        .expect("token"))
    .trim()
    .to_owned();

    let (one, first) = start_command(on(url, &cache).args(["serve", "--listen", "127.0.0.1:0"]));
    let (two, second) = start_command(on(url, &cache).args(["serve", "--listen", "127.0.0.1:0"]));

    // Added while both servers run: each signs bo in.
    add_user(
        url,
        &cache,
        "bo",
        "documenter",
        "a passphrase of several words",
    );
    let login = r#"{"name": "bo", "password": "a passphrase of several words"}"#;
    for address in [&first, &second] {
        let (status, head, body) = http(address, "POST", "/api/v1/session", "", login);
        assert_eq!(status, 200, "{address}: {body}");
        assert!(head.contains("habeas_session="), "{head}");
        let (status, _, body) = http(
            address,
            "POST",
            "/api/v1/session",
            "",
            r#"{"name": "bo", "password": "not bo's password at all"}"#,
        );
        assert_eq!(status, 401, "{address}: {body}");
    }

    // Written through one, read through the other.
    let (status, _, body) = http(
        &first,
        "POST",
        "/api/v1/people",
        &bearer(&token),
        r#"{"fields": {"name": "Rong Chhun"}}"#,
    );
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = http(
        &first,
        "POST",
        "/api/v1/commands",
        &bearer(&token),
        r#"{"person": "Rong Chhun", "action": "record_detention", "fields": {"occurred": "2020-07", "kind": "arrest", "sources": [{"url": "https://example.org/a"}]}}"#,
    );
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = http(
        &second,
        "GET",
        "/api/v1/people/rong-chhun/status",
        &bearer(&token),
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""headline":"detained""#), "{body}");

    // A token issued and revoked by the CLI while both run.
    let late = ok(on(url, &cache)
        .args(["token", "create", "late", "--user", "bo"])
        .output()
        .expect("token"))
    .trim()
    .to_owned();
    for address in [&first, &second] {
        let (status, _, body) = http(address, "GET", "/api/v1/people", &bearer(&late), "");
        assert_eq!(status, 200, "{address}: {body}");
    }
    let listed = ok(on(url, &cache)
        .args(["token", "list"])
        .output()
        .expect("list"));
    let id = listed
        .lines()
        .find(|line| line.contains("\tlate\t"))
        .and_then(|line| line.split('\t').next())
        .expect("the late token is listed")
        .to_owned();
    ok(on(url, &cache)
        .args(["token", "revoke", &id])
        .output()
        .expect("revoke"));
    for address in [&first, &second] {
        let (status, _, body) = http(address, "GET", "/api/v1/people", &bearer(&late), "");
        assert_eq!(status, 401, "{address}: {body}");
    }

    stop(one);
    stop(two);

    // The export holds the accounts' events but none of their secrets.
    let export = ok(on(url, &cache).arg("export").output().expect("export"));
    assert!(export.contains("AccountCreated"), "accounts are exported");
    assert!(export.contains("TokenCreated"), "tokens are exported");
    let secrets = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            let store = PostgresStore::open_async(url, PostgresConfig::default())
                .await
                .expect("open")
                .expect("a store");
            store.read_secrets().await.expect("secrets")
        });
    // A session key, two passwords, two tokens (one revoked: removed).
    assert!(secrets.len() >= 4, "{secrets:?}");
    for row in &secrets {
        assert!(
            !export.contains(&row.value),
            "the export holds the secret {row:?}"
        );
    }
    let token_secret = token.rsplit('_').next().expect("secret part");
    assert!(!export.contains(token_secret));
    assert!(!export.contains("$argon2id$"));
}

#[test]
fn a_totp_code_used_on_one_server_is_refused_by_the_other() {
    use habeas_server::accounts::totp;
    let Some(database) = fresh_database() else {
        return;
    };
    let url = database.url();
    let cache = tempfile::tempdir().expect("cache");
    ok(on(url, &cache).arg("init").output().expect("init"));
    let password = "correct horse battery staple";
    add_user(url, &cache, "ana", "editor", password);
    let enrolled = on(url, &cache)
        .args(["user", "totp", "ana"])
        .output()
        .expect("totp");
    let said = String::from_utf8_lossy(&enrolled.stderr).into_owned();
    assert!(enrolled.status.success(), "{said}");
    let secret = said
        .split_once("secret ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(totp::from_base32)
        .unwrap_or_else(|| panic!("no secret in {said:?}"));

    let (one, first) = start_command(on(url, &cache).args(["serve", "--listen", "127.0.0.1:0"]));
    let (two, second) = start_command(on(url, &cache).args(["serve", "--listen", "127.0.0.1:0"]));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let code = format!("{:06}", totp::code(&secret, now / totp::STEP));
    let login = format!(r#"{{"name": "ana", "password": "{password}", "totp": "{code}"}}"#);
    // (server, the status): accepted once, then refused everywhere, the
    // first server included; the code stays within its window meanwhile.
    let cases = [(&first, 200), (&second, 401), (&first, 401)];
    for (address, expected) in cases {
        let (status, _, body) = http(address, "POST", "/api/v1/session", "", &login);
        assert_eq!(status, expected, "{address}: {body}");
    }
    // The next code works on the other server: the step moved forward, the
    // account is not locked out.
    let next = format!("{:06}", totp::code(&secret, now / totp::STEP + 1));
    let login = format!(r#"{{"name": "ana", "password": "{password}", "totp": "{next}"}}"#);
    let (status, _, body) = http(&second, "POST", "/api/v1/session", "", &login);
    assert_eq!(status, 200, "{body}");
    stop(one);
    stop(two);
}
