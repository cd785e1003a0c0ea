//! HTTPS without a reverse proxy: `habeas serve --tls-cert PATH --tls-key PATH`.
//! rustls with the ring provider (the same TLS stack as the PostgreSQL
//! client), TLS 1.2 and 1.3, HTTP/1.1. Each connection's handshake runs in
//! its own task, bounded in time, so a client that never finishes it (or
//! speaks plain HTTP to the port) holds nothing but its own task; stopping
//! is graceful as for plain HTTP: the listener closes, requests in flight
//! finish.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::Service;

use crate::app::app;
use crate::state::AppState;

/// How long a client has to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the certificate or the key cannot be used; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The file cannot be read.
    #[error("cannot read the TLS {what} {}: {source}", path.display())]
    Read {
        /// `certificate` or `key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file holds no PEM item of the kind wanted.
    #[error("the TLS {what} file {} holds no {wanted} ({detail}): give a PEM file (-----BEGIN {wanted}-----)", path.display())]
    NotPem {
        /// `certificate` or `key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What it should hold.
        wanted: &'static str,
        /// The parser's message.
        detail: String,
    },
    /// rustls refuses the pair.
    #[error("the TLS key {} does not go with the certificate {} ({detail}): give the key the certificate was issued for", key.display(), cert.display())]
    Mismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's message.
        detail: String,
    },
}

fn pem_error(
    what: &'static str,
    path: &Path,
    wanted: &'static str,
    error: rustls::pki_types::pem::Error,
) -> TlsError {
    match error {
        rustls::pki_types::pem::Error::Io(source) => TlsError::Read {
            what,
            path: path.to_owned(),
            source,
        },
        other => TlsError::NotPem {
            what,
            path: path.to_owned(),
            wanted,
            detail: other.to_string(),
        },
    }
}

/// The server's TLS settings from a PEM certificate chain and a PEM private
/// key (PKCS#8, PKCS#1 or SEC1).
pub fn tls_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|items| items.collect::<Result<Vec<_>, _>>())
        .map_err(|error| pem_error("certificate", cert, "CERTIFICATE", error))?;
    if chain.is_empty() {
        return Err(TlsError::NotPem {
            what: "certificate",
            path: cert.to_owned(),
            wanted: "CERTIFICATE",
            detail: "no certificate found".to_owned(),
        });
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|error| pem_error("key", key, "PRIVATE KEY", error))?;
    let mismatch = |error: rustls::Error| TlsError::Mismatch {
        cert: cert.to_owned(),
        key: key.to_owned(),
        detail: error.to_string(),
    };
    // ring, as for the PostgreSQL client: no C toolchain beyond cc. rustls
    // deprecates it for lacking post-quantum key exchange, which only its
    // aws-lc-rs provider offers.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(mismatch)?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(mismatch)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves `state` over HTTPS on `listener` until `shutdown` completes, then
/// lets the requests in flight finish.
pub async fn serve_tls(
    listener: TcpListener,
    state: AppState,
    config: Arc<rustls::ServerConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = TlsAcceptor::from(config);
    let router = app(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, address) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, a connection reset before
                    // accept: wait a little rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let router = router.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(error)) => {
                    tracing::debug!(%error, %address, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let service = hyper::service::service_fn(
                move |mut request: axum::http::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(address));
                    router.clone().call(request)
                },
            );
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%error, %address, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
