//! The HTTP side of client mode (`habeas --server URL --token TOKEN …`): one
//! blocking client, the bearer token on every request, and the server's
//! refusals turned into the CLI's exit classes with the server's own message.
//!
//! The token is a password: it is never printed (its `Debug` hides it), and
//! it is never sent in clear over a network: plain `http://` is accepted only
//! to a loopback address, where no one else can read the traffic.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::exit::Failure;

/// A bearer token for the server (`hbs_…` from `habeas token create`).
#[derive(Clone)]
pub(crate) struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl std::str::FromStr for Token {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(
                "a token is one word of visible characters, as `habeas token create` prints it"
                    .to_owned(),
            );
        }
        Ok(Token(text.to_owned()))
    }
}

/// How long one request may take, reports and rosters included.
const TIMEOUT: Duration = Duration::from_secs(300);

/// A running `habeas serve`, reached with a token.
pub(crate) struct Remote {
    base: String,
    token: Token,
    agent: ureq::Agent,
}

/// Whether `host` (as a URL writes it) is this machine's loopback.
fn loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The scheme and host of a server's URL, or why it is not one.
fn scheme_and_host(url: &str) -> Result<(&str, &str), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("--server {url:?} is not a URL: give e.g. http://127.0.0.1:8080"))?;
    if !matches!(scheme, "http" | "https") {
        return Err(format!(
            "--server {url:?}: the scheme must be http or https, not {scheme:?}"
        ));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() || authority.contains('@') {
        return Err(format!(
            "--server {url:?} names no host: give e.g. https://habeas.example.org"
        ));
    }
    Ok((scheme, host))
}

/// The system's trusted roots (and `SSL_CERT_FILE`, when set), for https.
fn roots() -> Result<Vec<ureq::tls::Certificate<'static>>, Failure> {
    let found = rustls_native_certs::load_native_certs();
    if found.certs.is_empty() {
        return Err(Failure::store(format!(
            "no trusted certificates found to check the server's: install the system's CA certificates, or set SSL_CERT_FILE to a PEM file of them ({:?})",
            found.errors.first().map(ToString::to_string)
        )));
    }
    Ok(found
        .certs
        .iter()
        .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned())
        .collect())
}

impl Remote {
    /// The server at `url`: refused when the URL does not read, or when it
    /// would send the token in clear over a network.
    pub(crate) fn new(url: &str, token: Token) -> Result<Remote, Failure> {
        let base = url.trim().trim_end_matches('/');
        let base = base.strip_suffix("/api/v1").unwrap_or(base).to_owned();
        let (scheme, host) = scheme_and_host(&base).map_err(Failure::usage)?;
        if scheme == "http" && !loopback(host) {
            return Err(Failure::usage(format!(
                "refusing to send the token in clear to {host} over http: use https://{host}… (the server with --tls-cert, or behind a reverse proxy that serves https); plain http is only for a server on this machine (127.0.0.1, ::1, localhost)"
            )));
        }
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .user_agent(concat!("habeas/", env!("CARGO_PKG_VERSION")));
        if scheme == "https" {
            // ring, as for the server and the PostgreSQL client (rustls
            // deprecates it only for lacking post-quantum key exchange).
            #[allow(deprecated)]
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let tls = ureq::tls::TlsConfig::builder()
                .provider(ureq::tls::TlsProvider::Rustls)
                .root_certs(ureq::tls::RootCerts::Specific(Arc::new(roots()?)))
                .unversioned_rustls_crypto_provider(provider)
                .build();
            config = config.tls_config(tls);
        }
        Ok(Remote {
            base,
            token,
            agent: config.build().into(),
        })
    }

    /// The server's address, for messages.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// `GET /api/v1{path}` with the query's pairs given: the body of a 2xx.
    pub(crate) fn get(&self, path: &str, query: &[(&str, String)]) -> Result<String, Failure> {
        let mut request = self
            .agent
            .get(format!("{}/api/v1{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token.0));
        for (key, value) in query {
            request = request.query(*key, value);
        }
        self.answer(request.call())
    }

    /// `POST /api/v1{path}` with a JSON body: the body of a 2xx.
    pub(crate) fn post(&self, path: &str, body: &serde_json::Value) -> Result<String, Failure> {
        let request = self
            .agent
            .post(format!("{}/api/v1{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token.0))
            .header("Content-Type", "application/json");
        self.answer(request.send(body.to_string()))
    }

    fn answer(
        &self,
        sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String, Failure> {
        let mut response = sent.map_err(|err| {
            Failure::store(format!(
                "cannot reach the server at {}: {err}; is `habeas serve` running there?",
                self.base
            ))
        })?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_string()
            .map_err(|err| {
                Failure::store(format!(
                    "the answer of the server at {} broke off: {err}",
                    self.base
                ))
            })?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        Err(refusal(status, &body, &self.base))
    }
}

/// A refusal of the server as the CLI reports it: the exit class of its
/// status, and its message (with the field it names).
pub(crate) fn refusal(status: u16, body: &str, base: &str) -> Failure {
    let error = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|value| value.get("error").cloned());
    let message = error
        .as_ref()
        .and_then(|e| e.get("message"))
        .and_then(|m| m.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("the server at {base} answered {status}"));
    let field = error
        .as_ref()
        .and_then(|e| e.get("field"))
        .and_then(|f| f.as_str());
    let message = match field {
        Some(field) => format!("{field}: {message}"),
        None => message,
    };
    match status {
        400 | 413 => Failure::usage(message),
        401 => Failure::denied(format!(
            "the server at {base} refused the token: {message} (check --token or HABEAS_TOKEN; an admin makes a new one with `habeas token create NAME --user USER`)"
        )),
        403 => Failure::denied(message),
        404 => Failure::not_found(message),
        409 => Failure::rejected(message),
        _ => Failure::store(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Kind;

    #[test]
    fn a_token_goes_in_clear_only_to_this_machine() {
        // (server URL, accepted)
        let cases = [
            ("http://127.0.0.1:8080", true),
            ("http://localhost:8080/", true),
            ("http://[::1]:8080/api/v1", true),
            ("https://habeas.example.org", true),
            ("http://habeas.example.org", false),
            ("http://10.0.0.5:8080", false),
            ("http://user@127.0.0.1.example.org", false),
            ("ftp://127.0.0.1", false),
            ("127.0.0.1:8080", false),
        ];
        for (url, accepted) in cases {
            let made = Remote::new(url, "hbs_x_y".parse().expect("token"));
            assert_eq!(made.is_ok(), accepted, "{url}: {:?}", made.err());
        }
        assert_eq!(
            format!("{:?}", "hbs_secret".parse::<Token>().expect("token")),
            "Token(…)"
        );
    }

    #[test]
    fn the_servers_refusals_keep_their_message_and_take_the_cli_exit_class() {
        let body =
            |message: &str| format!(r#"{{"error": {{"code": "x", "message": "{message}"}}}}"#);
        // (status, the exit class)
        let cases = [
            (400, Kind::Usage),
            (401, Kind::Denied),
            (403, Kind::Denied),
            (404, Kind::NotFound),
            (409, Kind::Rejected),
            (423, Kind::Store),
            (500, Kind::Store),
        ];
        for (status, kind) in cases {
            let failure = refusal(status, &body("the reason"), "http://127.0.0.1:1");
            assert_eq!(failure.kind, kind, "{status}");
            assert!(failure.to_string().contains("the reason"), "{failure}");
        }
        let failure = refusal(
            400,
            r#"{"error": {"code": "bad_input", "message": "is not a date", "field": "as_of"}}"#,
            "b",
        );
        assert_eq!(failure.to_string(), "as_of: is not a date");
    }
}
