//! `habeas serve --tls-cert --tls-key` as a child process: a real HTTPS
//! request from a client that trusts only the test's self-signed
//! certificate, a plain-HTTP request to the same port refused, and files
//! that are missing, not PEM, or a key that does not fit refused at start,
//! naming the file.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName};

mod server;

use server::{habeas, ok, start_command};

/// A self-signed certificate for localhost and 127.0.0.1, written as PEM;
/// returns its DER form and the two paths.
fn certificate(
    dir: &Path,
    name: &str,
) -> (
    CertificateDer<'static>,
    std::path::PathBuf,
    std::path::PathBuf,
) {
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("a self-signed certificate");
    let cert = dir.join(format!("{name}.pem"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&cert, made.cert.pem()).expect("write the certificate");
    std::fs::write(&key, made.key_pair.serialize_pem()).expect("write the key");
    (made.cert.der().clone(), cert, key)
}

/// A GET over TLS from a client whose only root is `trusted`.
fn https_get(
    address: &str,
    trusted: CertificateDer<'static>,
    path: &str,
) -> std::io::Result<String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trusted).expect("a root");
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").expect("a server name");
    let connection = rustls::ClientConnection::new(Arc::new(config), name).expect("a client");
    let tcp = TcpStream::connect(address)?;
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut stream = rustls::StreamOwned::new(connection, tcp);
    stream.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    let mut response = Vec::new();
    match stream.read_to_end(&mut response) {
        Ok(_) => {}
        // A peer closing without close_notify after a whole response.
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof && !response.is_empty() => {
        }
        Err(error) => return Err(error),
    }
    Ok(String::from_utf8_lossy(&response).into_owned())
}

#[test]
fn the_binary_serves_https_with_the_given_certificate_and_refuses_plain_http() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    ok(habeas(&db).arg("init").output().expect("init"));
    let (der, cert, key) = certificate(dir.path(), "server");
    let (mut server, address) = start_command(
        habeas(&db)
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
            .arg(&cert)
            .arg("--tls-key")
            .arg(&key),
    );

    let response = https_get(&address, der.clone(), "/api/v1/openapi.json").expect("HTTPS");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"openapi\""), "{response}");

    // A client that does not trust this certificate cannot talk to it.
    let (other, _, _) = certificate(dir.path(), "other");
    assert!(https_get(&address, other, "/api/v1/openapi.json").is_err());

    // Plain HTTP to the TLS port gets no HTTP answer.
    let mut plain = TcpStream::connect(&address).expect("connect");
    plain
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    plain
        .write_all(
            b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .expect("write");
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(
        !String::from_utf8_lossy(&answer).contains("openapi"),
        "plain HTTP was answered: {answer:?}"
    );
    assert!(!answer.starts_with(b"HTTP/1.1 200"));

    // Still serving HTTPS after that, and stops gracefully.
    let response = https_get(&address, der, "/api/v1/openapi.json").expect("HTTPS again");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill");
    assert!(stopped.success());
    assert!(server.wait().expect("wait").success());
}

#[test]
fn unusable_certificate_files_are_refused_at_start_naming_the_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    ok(habeas(&db).arg("init").output().expect("init"));
    let (_, cert, key) = certificate(dir.path(), "server");
    let (_, _, other_key) = certificate(dir.path(), "other");
    let missing = dir.path().join("missing.pem");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "this is not a certificate\n").expect("write");
    // (certificate, key, the file the error must name, words it must say)
    let cases = [
        (&missing, &key, &missing, "cannot read"),
        (&garbage, &key, &garbage, "CERTIFICATE"),
        (&cert, &missing, &missing, "cannot read"),
        (&cert, &garbage, &garbage, "PRIVATE KEY"),
        (&cert, &other_key, &other_key, "does not go with"),
    ];
    for (cert, key, named, words) in cases {
        let output = habeas(&db)
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
            .arg(cert)
            .arg("--tls-key")
            .arg(key)
            .output()
            .expect("serve");
        assert!(!output.status.success(), "{cert:?} {key:?}");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains(&named.display().to_string()), "{said}");
        assert!(said.contains(words), "{said}");
    }
    // Each needs the other.
    let output = habeas(&db)
        .args(["serve", "--tls-cert"])
        .arg(&cert)
        .output()
        .expect("serve");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--tls-key"));
}

#[test]
fn the_cli_names_an_https_server_and_reaches_it_trusting_only_the_given_roots() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    ok(habeas(&db).arg("init").output().expect("init"));
    let mut add = habeas(&db)
        .args(["user", "add", "ana", "--role", "viewer", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("user add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(b"correct horse battery staple\n")
        .expect("password");
    ok(add.wait_with_output().expect("user add"));
    let token = ok(habeas(&db)
        .args(["token", "create", "cli", "--user", "ana"])
        .output()
        .expect("token"))
    .trim()
    .to_owned();
    let (_, cert, key) = certificate(dir.path(), "server");
    let (_, other, _) = certificate(dir.path(), "other");
    let (mut server, address) = start_command(
        habeas(&db)
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
            .arg(&cert)
            .arg("--tls-key")
            .arg(&key),
    );
    // The store is held: the CLI names the server's https address.
    let held = habeas(&db).args(["status", "X"]).output().expect("status");
    let said = String::from_utf8_lossy(&held.stderr);
    assert_eq!(held.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!("held by `habeas serve` at https://{address}")),
        "{said}"
    );
    let port = address.rsplit(':').next().expect("port");
    let url = format!("https://localhost:{port}");
    // (the roots trusted, exit code, the message holds): the server's own
    // certificate reaches it (no such person: 4); another's does not.
    let cases = [
        (&cert, 4, "no person matches"),
        (&other, 1, "cannot reach the server"),
    ];
    for (roots, code, message) in cases {
        let answer = std::process::Command::new(env!("CARGO_BIN_EXE_habeas"))
            .args(["--server", &url, "status", "Nobody Known"])
            .env("HABEAS_TOKEN", &token)
            .env("SSL_CERT_FILE", roots)
            .env_remove("SSL_CERT_DIR")
            .env_remove("HABEAS_SERVER")
            .output()
            .expect("client");
        let said = String::from_utf8_lossy(&answer.stderr);
        assert_eq!(answer.status.code(), Some(code), "{roots:?}: {said}");
        assert!(said.contains(message), "{roots:?}: {said}");
        assert!(!said.contains(&token), "the token was printed: {said}");
    }
    server.kill().expect("kill");
    server.wait().expect("wait");
}
