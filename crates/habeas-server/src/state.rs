//! What every handler shares: the tracker, the accounts, the sessions, the
//! sign-in throttle, the uploads waiting for confirmation and the server's
//! configuration.

use std::sync::Arc;
use std::time::Duration;

use habeas::tracker::Tracker;

use crate::accounts::Accounts;
use crate::pending::PendingImports;
use crate::sessions::Sessions;
use crate::throttle::Throttle;

/// How the server behaves; the defaults suit a team on one machine.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Anonymous callers may read public reports and rosters.
    pub public_reports: bool,
    /// Session cookies are marked `Secure` (set it behind TLS).
    pub secure_cookies: bool,
    /// A reverse proxy on this machine forwards the requests: the client's
    /// address is the last one of `X-Forwarded-For` on loopback connections.
    pub behind_proxy: bool,
    /// The largest JSON body accepted, in bytes.
    pub body_limit: usize,
    /// The largest import accepted, in bytes.
    pub import_limit: usize,
    /// How long a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// How long a session lasts.
    pub session_ttl: Duration,
    /// Failed sign-ins allowed per account and per address in
    /// `throttle_window` before further attempts are refused.
    pub max_failed_logins: usize,
    /// The window of `max_failed_logins`.
    pub throttle_window: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            public_reports: false,
            secure_cookies: false,
            behind_proxy: false,
            body_limit: 256 * 1024,
            import_limit: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(60),
            session_ttl: Duration::from_secs(12 * 3600),
            max_failed_logins: 5,
            throttle_window: Duration::from_secs(15 * 60),
        }
    }
}

/// The state of the application (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    tracker: Tracker,
    accounts: Accounts,
    sessions: Sessions,
    throttle: Throttle,
    audit_budget: Throttle,
    pending_imports: PendingImports,
    config: ServerConfig,
}

/// Security events recorded per client address in [`AUDIT_WINDOW`] for
/// refusals of unauthenticated requests (bad tokens, throttled sign-ins,
/// cross-site posts); beyond it they are only logged, so that an anonymous
/// flood cannot grow the log without bound.
pub const AUDIT_BUDGET: usize = 30;
/// The window of [`AUDIT_BUDGET`].
pub const AUDIT_WINDOW: Duration = Duration::from_secs(15 * 60);

impl AppState {
    /// The state over a tracker and its accounts.
    pub fn new(tracker: Tracker, accounts: Accounts, config: ServerConfig) -> Self {
        let sessions = Sessions::new(accounts.session_key(), config.session_ttl);
        let throttle = Throttle::new(config.max_failed_logins, config.throttle_window);
        AppState {
            inner: Arc::new(Inner {
                tracker,
                accounts,
                sessions,
                throttle,
                audit_budget: Throttle::new(AUDIT_BUDGET, AUDIT_WINDOW),
                pending_imports: PendingImports::default(),
                config,
            }),
        }
    }

    /// The tracker.
    pub fn tracker(&self) -> &Tracker {
        &self.inner.tracker
    }

    /// The accounts.
    pub fn accounts(&self) -> &Accounts {
        &self.inner.accounts
    }

    /// The sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.inner.sessions
    }

    /// The sign-in throttle.
    pub fn throttle(&self) -> &Throttle {
        &self.inner.throttle
    }

    /// Whether a refusal of an unauthenticated request from `address` may
    /// still be recorded in the log (see [`AUDIT_BUDGET`]); counts it.
    pub fn audit_allowed(&self, address: Option<&str>) -> bool {
        let key = [format!("audit:{}", address.unwrap_or("unknown"))];
        if self.inner.audit_budget.wait(&key).is_some() {
            return false;
        }
        self.inner.audit_budget.fail(&key);
        true
    }

    /// The uploads checked on the import page, waiting for confirmation.
    pub fn pending_imports(&self) -> &PendingImports {
        &self.inner.pending_imports
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }
}
