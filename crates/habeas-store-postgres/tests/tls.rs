//! TLS to a server that offers it: `sslmode=require` with the server's CA given as
//! `sslrootcert` connects encrypted; without that CA the certificate is refused.

use std::path::Path;
use std::process::Command;

use habeas_store::StreamId;
use habeas_store::{AppendMeta, AppendOutcome, EventStore, ExpectedVersion, NewEvent, StoreError};
use habeas_store_postgres::testing::{Cluster, binaries_available};
use habeas_store_postgres::{PostgresConfig, PostgresStore};
use serde_json::json;
use uuid::Uuid;

fn openssl(directory: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .current_dir(directory)
        .args(args)
        .output()
        .expect("run openssl (installed with the postgresql package)");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CA and a server certificate for 127.0.0.1 signed by it, in `directory`.
fn certificates(directory: &Path) {
    openssl(
        directory,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=habeas test CA",
        ],
    );
    openssl(
        directory,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        directory.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         extendedKeyUsage=serverAuth\n",
    )
    .expect("write the extensions");
    openssl(
        directory,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_connects_encrypted_to_a_server_whose_ca_is_given() {
    if !binaries_available() {
        return;
    }
    let mut cluster = Cluster::start().expect("start a cluster");
    let directory = cluster.directory().join("tls");
    std::fs::create_dir(&directory).expect("tls directory");
    certificates(&directory);
    for file in ["server.key", "server.pem"] {
        cluster
            .give_to_server(&directory.join(file))
            .expect("hand the key to the server");
    }
    cluster
        .restart_with(&format!(
            "-c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
            directory.join("server.pem").display(),
            directory.join("server.key").display()
        ))
        .expect("restart with TLS");
    let url = cluster.create_database("tls").expect("create database");
    let ca = directory.join("ca.pem");

    let refused =
        PostgresStore::open_async(&format!("{url}?sslmode=require"), PostgresConfig::default())
            .await
            .expect_err("the server's CA is not known");
    assert!(
        matches!(refused, StoreError::Unavailable { .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("certificate"), "{refused}");

    let secure = format!("{url}?sslmode=require&sslrootcert={}", ca.display());
    let store = PostgresStore::open_async(&secure, PostgresConfig::default())
        .await
        .expect("open over TLS")
        .expect("created");
    let event = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "Noted".into(),
        schema_version: 1,
        payload: json!({ "over": "tls" }),
    };
    let meta = AppendMeta {
        recorded_by: "tls test".into(),
        command_id: None,
    };
    let outcome = store
        .append(
            &StreamId::new("tls").expect("stream"),
            ExpectedVersion::Any,
            vec![event],
            meta,
        )
        .await
        .expect("append over TLS");
    assert!(matches!(outcome, AppendOutcome::Appended(_)));

    let (client, connection) =
        tokio_postgres::connect(&cluster.url("postgres"), tokio_postgres::NoTls)
            .await
            .expect("admin connection");
    tokio::spawn(connection);
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_ssl s \
             JOIN pg_stat_activity a USING (pid) WHERE a.datname = 'tls'",
            &[],
        )
        .await
        .expect("ask the server");
    let (encrypted, all): (i64, i64) = (row.get(0), row.get(1));
    assert!(all >= 1, "the store holds connections to the database");
    assert_eq!(encrypted, all, "every connection of the store is encrypted");
}
