//! Serving the application: opening the store and its accounts, listening,
//! and stopping gracefully on SIGTERM or Ctrl-C (requests in flight finish;
//! an append is acknowledged only once durable, so nothing acknowledged is
//! lost).

use std::future::Future;
use std::net::SocketAddr;

use habeas::open::{Location, OpenOptions};
use tokio::net::TcpListener;

use crate::accounts::Accounts;
use crate::accounts::secret_store::SecretStore;
use crate::app::app;
use crate::state::{AppState, ServerConfig};

/// Opens the store at `location` and its accounts (blocking work off the
/// runtime). `url` is where the server answers: on a data directory, which
/// one process at a time holds, it goes into the holder's note, so that a
/// `habeas` command finding the store held can say where to reach the data.
pub async fn open_state(
    location: &Location,
    config: ServerConfig,
    url: &str,
) -> anyhow::Result<AppState> {
    let opened = {
        let location = location.clone();
        let options = OpenOptions {
            command: Some(format!("{}{url}", habeas::holder::SERVER_PREFIX)),
            ..OpenOptions::default()
        };
        tokio::task::spawn_blocking(move || habeas::open::open(&location, options)).await?
    };
    let tracker = match opened {
        Err(habeas::error::TrackerError::NoStore { location }) => anyhow::bail!(
            "no store at {location}: create one with `habeas --db {location} init`, and an admin with `habeas --db {location} user add NAME --role admin`"
        ),
        other => other?,
    };
    tracker.refresh(&mut |_, _| {}).await?;
    let keeper = SecretStore::of(location, &tracker);
    let accounts = Accounts::load(tracker.clone(), keeper).await?;
    Ok(AppState::new(tracker, accounts, config))
}

/// Serves `state` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
