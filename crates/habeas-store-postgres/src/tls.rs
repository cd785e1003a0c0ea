//! Whether and how connections are encrypted.
//!
//! The URL's `sslmode` decides, as for libpq, except that encryption, when used, always
//! verifies the server's certificate (libpq's `verify-full`): a connection that is
//! encrypted but talks to anyone is not worth its cost for a log of political
//! prisoners' cases.
//!
//! - `sslmode=disable`: plain TCP.
//! - `sslmode=prefer` (the default when the URL says nothing): plain for a server on
//!   this machine (a loopback address, `localhost` or a Unix socket), where there is
//!   no network to protect; otherwise TLS when the server offers it, verified.
//! - `sslmode=require`: TLS, verified, or no connection.
//!
//! Certificates are checked against the system's root store plus the PEM file named by
//! `sslrootcert=PATH` in the URL (libpq's parameter, taken out of the URL before the
//! driver reads it) or by `PGSSLROOTCERT`: a private CA, or a self-signed server.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use habeas_store::StoreError;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_postgres::Config;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How this store's connections are made.
#[derive(Clone)]
pub(crate) enum Tls {
    /// Plain TCP or a Unix socket.
    Off,
    /// TLS (whenever the server offers it, or always for `sslmode=require`).
    Rustls(MakeRustlsConnect),
}

/// Splits libpq's `sslrootcert=PATH` off a URL's query (the driver refuses
/// parameters it does not know).
pub(crate) fn take_root_cert(url: &str) -> (String, Option<PathBuf>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut root_cert = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("sslrootcert=") {
            Some(path) => {
                root_cert = Some(PathBuf::from(path));
                false
            }
            None => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, root_cert)
}

/// The connection mode for `config`, with the extra root certificate `root_cert`.
pub(crate) fn choose(
    config: &Config,
    root_cert: Option<&Path>,
    store: &str,
) -> Result<Tls, StoreError> {
    let wanted = match config.get_ssl_mode() {
        SslMode::Disable => false,
        SslMode::Prefer => !is_local(config),
        _ => true,
    };
    if !wanted {
        return Ok(Tls::Off);
    }
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let env_root = std::env::var_os("PGSSLROOTCERT").map(PathBuf::from);
    if let Some(path) = root_cert.map(Path::to_owned).or(env_root) {
        let unusable = |reason: String| StoreError::Unavailable {
            store: store.to_owned(),
            reason: format!(
                "cannot use the root certificate {} ({reason}); give a PEM file with \
                 sslrootcert=PATH or PGSSLROOTCERT",
                path.display()
            ),
        };
        let certificates = CertificateDer::pem_file_iter(&path)
            .map_err(|error| unusable(error.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| unusable(error.to_string()))?;
        if certificates.is_empty() {
            return Err(unusable("it holds no certificate".to_owned()));
        }
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|error| unusable(error.to_string()))?;
        }
    }
    // ring rather than aws-lc-rs: no cmake or assembler toolchain in the build. Its
    // deprecation is about post-quantum key exchange, which PostgreSQL servers do not
    // offer yet.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client_config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| StoreError::Unavailable {
            store: store.to_owned(),
            reason: format!("cannot set up TLS: {error}"),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Tls::Rustls(MakeRustlsConnect::new(client_config)))
}

/// Whether every host of `config` is on this machine.
fn is_local(config: &Config) -> bool {
    let loopback_addrs = config.get_hostaddrs().iter().all(IpAddr::is_loopback);
    let loopback_hosts = config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => {
            name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        Host::Unix(_) => true,
    });
    loopback_addrs && loopback_hosts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslrootcert_is_taken_out_of_the_url() {
        let cases = [
            ("postgres://h/db", "postgres://h/db", None),
            (
                "postgres://h/db?sslmode=require&sslrootcert=/etc/ca.pem",
                "postgres://h/db?sslmode=require",
                Some("/etc/ca.pem"),
            ),
            (
                "postgres://h/db?sslrootcert=ca.pem",
                "postgres://h/db",
                Some("ca.pem"),
            ),
        ];
        for (url, kept, root) in cases {
            let (rest, root_cert) = take_root_cert(url);
            assert_eq!(rest, kept);
            assert_eq!(root_cert.as_deref(), root.map(Path::new));
        }
    }

    #[test]
    fn only_servers_elsewhere_are_encrypted_by_default() {
        let cases = [
            ("postgres://u@127.0.0.1/db", false),
            ("postgres://u@localhost/db", false),
            ("postgres://u@[::1]/db", false),
            ("postgres://u@db.example.org/db", true),
            ("postgres://u@db.example.org/db?sslmode=disable", false),
            ("postgres://u@127.0.0.1/db?sslmode=require", true),
        ];
        for (url, encrypted) in cases {
            let config: Config = url.parse().expect("a valid url");
            let tls = choose(&config, None, url).expect("a mode");
            assert_eq!(matches!(tls, Tls::Rustls(_)), encrypted, "{url}");
        }
    }
}
