//! `habeas serve`, and the dispatch of the server's commands (`serve`,
//! `user`, `token`, `audit`), which run on their own multi-threaded runtime.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use habeas::open::Location;
use habeas_server::state::ServerConfig;

use crate::args::{Cli, Command};

/// The options of `habeas serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where to listen. Plain HTTP: keep it on loopback, behind a reverse proxy that terminates TLS (or give --tls-cert and --tls-key).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub(crate) listen: SocketAddr,
    /// Let anyone, without an account, read public reports and rosters.
    #[arg(long)]
    pub(crate) public_reports: bool,
    /// Mark session cookies Secure (set it when a reverse proxy serves HTTPS).
    #[arg(long)]
    pub(crate) secure_cookies: bool,
    /// A reverse proxy on this machine forwards the requests: take the client's address from X-Forwarded-For (for the sign-in throttle and the audit).
    #[arg(long)]
    pub(crate) behind_proxy: bool,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key); session cookies are then Secure.
    #[arg(long, value_name = "PATH", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PATH", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
}

/// The store the command names.
pub(crate) fn location(cli: &Cli) -> anyhow::Result<Location> {
    Ok(match cli.db() {
        Some(db) => Location::parse(&db),
        None => Location::Directory(crate::run::default_db()?),
    })
}

/// Runs `serve`, `user` or `token`; `None` for every other command.
pub(crate) fn run_server_command(cli: &Cli) -> Option<anyhow::Result<()>> {
    if !matches!(
        cli.command,
        Command::Serve(_) | Command::User(_) | Command::Token(_) | Command::Audit(_)
    ) {
        return None;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
    {
        Ok(runtime) => runtime,
        Err(err) => return Some(Err(err)),
    };
    Some(runtime.block_on(async {
        match &cli.command {
            Command::Serve(args) => serve(cli, args).await,
            Command::User(command) => crate::users::user(cli, command).await,
            Command::Token(command) => crate::users::token(cli, command).await,
            Command::Audit(args) => crate::audit::audit(cli, args).await,
            _ => unreachable!("checked above"),
        }
    }))
}

async fn serve(cli: &Cli, args: &ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .init();
    let location = location(cli)?;
    // Read before the store is opened: a wrong path fails at once, naming it.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(habeas_server::tls::tls_config(cert, key)?),
        _ => None,
    };
    let config = ServerConfig {
        public_reports: args.public_reports,
        secure_cookies: args.secure_cookies || tls.is_some(),
        behind_proxy: args.behind_proxy,
        ..ServerConfig::default()
    };
    // Listen first, so that the holder's note can name the address (the
    // port chosen, for --listen …:0).
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let url = base_url(address, tls.is_some());
    let state = habeas_server::serve::open_state(&location, config, &url).await?;
    if state.accounts().book().accounts().next().is_none() {
        let stop_first = if location.directory().is_some() {
            " (stop the server first)"
        } else {
            ""
        };
        eprintln!(
            "habeas: no accounts yet: add an admin with `habeas --db {location} user add NAME --role admin`{stop_first}"
        );
    }
    let shutdown = habeas_server::serve::shutdown_signal();
    match tls {
        Some(tls) => {
            eprintln!("habeas: serving {location} on {url}/api/v1 (Ctrl-C to stop)");
            habeas_server::tls::serve_tls(listener, state, tls, shutdown).await
        }
        None => {
            eprintln!("habeas: serving {location} on {url}/api/v1 (Ctrl-C to stop)");
            habeas_server::serve::serve(listener, state, shutdown).await
        }
    }
    .context("the server stopped")?;
    eprintln!("habeas: stopped; every acknowledged write is stored");
    Ok(())
}

/// The address a client on this machine reaches the server at: a server
/// listening on every interface (0.0.0.0, ::) answers on loopback too.
fn base_url(address: SocketAddr, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    let ip = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => std::net::Ipv4Addr::LOCALHOST.into(),
        ip if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    format!("{scheme}://{}", SocketAddr::new(ip, address.port()))
}
