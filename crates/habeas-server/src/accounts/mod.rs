//! Accounts, roles and credentials.
//!
//! Account events ([`events::AccountEvent`]) are kept in the log, in the
//! stream [`events::ACCOUNTS_STREAM`], so the hash chain covers who was
//! allowed to do what; [`book::AccountBook`] is their fold and holds the
//! rules. Secrets are kept apart ([`secrets::Secrets`], in a file or a
//! database table: [`secret_store::SecretStore`]). [`Accounts`] is the
//! service the server and the CLI share: it loads the book, appends what a
//! command decides, and checks passwords and tokens. On a PostgreSQL store
//! other processes (servers, the CLI) change the accounts too, so it catches
//! up with the log and the secrets before it decides or checks anything
//! ([`Accounts::catch_up`]).

pub mod book;
pub mod events;
pub mod role;
pub mod secret_store;
pub mod secrets;
pub mod totp;

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use habeas::tracker::Tracker;
use habeas_store::{AppendMeta, AppendOutcome, ExpectedVersion, StoreError, StreamId};
use uuid::Uuid;

use self::book::{Account, AccountBook, AccountCommand, AccountError, Token};
use self::events::{ACCOUNTS_STREAM, AccountEvent};
use self::secret_store::SecretStore;
use self::secrets::{
    Secrets, SecretsError, hash_password, random_hex, sha256_hex, verify_password,
};

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// The rules refuse it.
    #[error(transparent)]
    Refused(#[from] AccountError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The secrets (file or table) failed.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// An account event in the log cannot be read.
    #[error("{0}; run `habeas verify`")]
    Unreadable(String),
    /// Another process changed the accounts meanwhile.
    #[error("the accounts changed while this change was being recorded: try again")]
    Contention,
}

/// A token as handed to its user once: `hbs_<id>_<secret>`.
pub const TOKEN_PREFIX: &str = "hbs_";

/// Why a credential was not accepted (the client is told only that it was
/// not; the audit keeps which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such account or token, or a wrong secret.
    Unknown,
    /// The token expired.
    Expired,
    /// The token was revoked.
    Revoked,
    /// The account is disabled.
    Disabled,
}

impl Refusal {
    /// The refusal in a word, for the audit.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Unknown => "unknown",
            Refusal::Expired => "expired",
            Refusal::Revoked => "revoked",
            Refusal::Disabled => "disabled",
        }
    }
}

struct Inner {
    book: AccountBook,
    version: u64,
    secrets: Secrets,
}

/// The accounts of one store.
#[derive(Clone)]
pub struct Accounts {
    tracker: Tracker,
    keeper: SecretStore,
    inner: Arc<RwLock<Inner>>,
    /// Serialises writers, so that each append expects the version it read.
    writer: Arc<tokio::sync::Mutex<()>>,
}

fn stream() -> StreamId {
    StreamId::new(ACCOUNTS_STREAM).expect("a valid stream name")
}

impl Accounts {
    /// Loads the accounts from the log and the secrets from `keeper`.
    pub async fn load(tracker: Tracker, keeper: SecretStore) -> Result<Accounts, AccountsError> {
        let envelopes = tracker.store().read_stream(&stream(), 1).await?;
        let mut book = AccountBook::default();
        for envelope in &envelopes {
            let event = AccountEvent::from_stored(&envelope.event_type, &envelope.payload)
                .map_err(AccountsError::Unreadable)?;
            book.apply(&event);
        }
        let version = envelopes.last().map_or(0, |e| e.version);
        let secrets = keeper.load().await?;
        Ok(Accounts {
            tracker,
            keeper,
            inner: Arc::new(RwLock::new(Inner {
                book,
                version,
                secrets,
            })),
            writer: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Applies account events other processes appended since this one last
    /// looked, and then reads the secrets again (a process saves a secret
    /// before it appends the event that names it, so secrets read after the
    /// events cover them). Nothing to do where no other process can write
    /// (a data directory, held by this process).
    pub async fn catch_up(&self) -> Result<(), AccountsError> {
        if !self.keeper.shared() {
            return Ok(());
        }
        let from = self.read(|inner| inner.version) + 1;
        let envelopes = self.tracker.store().read_stream(&stream(), from).await?;
        let Some(last) = envelopes.last().map(|e| e.version) else {
            return Ok(());
        };
        let mut events = Vec::with_capacity(envelopes.len());
        for envelope in &envelopes {
            let event = AccountEvent::from_stored(&envelope.event_type, &envelope.payload)
                .map_err(AccountsError::Unreadable)?;
            events.push((envelope.version, event));
        }
        let secrets = self.keeper.load().await?;
        let mut inner = self.inner.write().expect("accounts lock");
        if inner.version >= last {
            // Another request caught up meanwhile, as far or further.
            return Ok(());
        }
        for (version, event) in &events {
            if *version > inner.version {
                inner.book.apply(event);
            }
        }
        inner.version = last;
        inner.secrets = secrets;
        Ok(())
    }

    fn read<T>(&self, f: impl FnOnce(&Inner) -> T) -> T {
        f(&self.inner.read().expect("accounts lock"))
    }

    /// A copy of the book.
    pub fn book(&self) -> AccountBook {
        self.read(|inner| inner.book.clone())
    }

    /// The key signing session cookies.
    pub fn session_key(&self) -> Vec<u8> {
        self.read(|inner| inner.secrets.session_key.as_bytes().to_vec())
    }

    /// Decides a command, appends its events as `by`, and applies them.
    /// `secret` changes the secrets in the same step (before the events are
    /// acknowledged, so an acknowledged password always works). On a shared
    /// database another process may append account events between this
    /// one's catch-up and its append: the append then conflicts and nothing
    /// is recorded (a secret saved for it names an id no event refers to, or
    /// is replaced when the change is tried again).
    pub async fn execute(
        &self,
        command: AccountCommand,
        by: &str,
        secret: impl FnOnce(&mut Secrets, &[AccountEvent]),
    ) -> Result<Vec<AccountEvent>, AccountsError> {
        let _writer = self.writer.lock().await;
        self.catch_up().await?;
        let (events, version, before) = self.read(|inner| {
            inner
                .book
                .decide(&command, Uuid::now_v7())
                .map(|events| (events, inner.version, inner.secrets.clone()))
        })?;
        if events.is_empty() {
            return Ok(events);
        }
        let mut secrets = before.clone();
        secret(&mut secrets, &events);
        self.keeper.save(&before, &secrets).await?;
        let outcome = self
            .tracker
            .store()
            .append(
                &stream(),
                ExpectedVersion::Exact(version),
                events.iter().map(AccountEvent::to_new_event).collect(),
                AppendMeta {
                    recorded_by: by.to_owned(),
                    command_id: None,
                },
            )
            .await?;
        let last_version = match outcome {
            AppendOutcome::Appended(result) | AppendOutcome::AlreadyApplied(result) => {
                version + result.event_ids.len() as u64
            }
            AppendOutcome::Conflict { .. } => {
                // Caught up, a second try decides against the other's change.
                self.catch_up().await?;
                return Err(AccountsError::Contention);
            }
        };
        let mut inner = self.inner.write().expect("accounts lock");
        if inner.version < last_version {
            // Not yet applied by a concurrent catch-up that read them back.
            for event in &events {
                inner.book.apply(event);
            }
            inner.version = last_version;
            inner.secrets = secrets;
        }
        Ok(events)
    }

    /// Makes an account with a password (hashed off the runtime).
    pub async fn create(
        &self,
        name: &str,
        role: role::Role,
        clearance: bool,
        password: &str,
        by: &str,
    ) -> Result<Account, AccountsError> {
        let hash = hash_off_runtime(password).await;
        let events = self
            .execute(
                AccountCommand::Create {
                    name: name.to_owned(),
                    role,
                    clearance,
                },
                by,
                |secrets, events| {
                    if let Some(AccountEvent::AccountCreated { account, .. }) = events.first() {
                        secrets.passwords.insert(*account, hash);
                    }
                },
            )
            .await?;
        let id = match events.first() {
            Some(AccountEvent::AccountCreated { account, .. }) => *account,
            _ => unreachable!("create records AccountCreated"),
        };
        Ok(self
            .read(|inner| inner.book.account(id).cloned())
            .expect("just created"))
    }

    /// Sets an account's password.
    pub async fn set_password(
        &self,
        name: &str,
        password: &str,
        by: &str,
    ) -> Result<(), AccountsError> {
        let hash = hash_off_runtime(password).await;
        self.execute(
            AccountCommand::SetPassword {
                name: name.to_owned(),
            },
            by,
            |secrets, events| {
                if let Some(AccountEvent::PasswordSet { account }) = events.first() {
                    secrets.passwords.insert(*account, hash);
                }
            },
        )
        .await?;
        Ok(())
    }

    /// Issues a token for `name`; returns its text, shown once.
    pub async fn create_token(
        &self,
        name: &str,
        label: &str,
        expires_at: DateTime<Utc>,
        by: &str,
    ) -> Result<(Token, String), AccountsError> {
        let token = Uuid::now_v7();
        let secret = random_hex();
        let digest = sha256_hex(&secret);
        self.execute(
            AccountCommand::CreateToken {
                name: name.to_owned(),
                label: label.to_owned(),
                expires_at,
                token,
            },
            by,
            |secrets, _| {
                secrets.tokens.insert(token, digest);
            },
        )
        .await?;
        let text = format!("{TOKEN_PREFIX}{}_{secret}", token.simple());
        let info = self
            .read(|inner| inner.book.token(token).cloned())
            .expect("just created");
        Ok((info, text))
    }

    /// The account a password signs in, or why not. Slow by design (Argon2id
    /// runs even for an unknown name, so timing does not tell names apart).
    pub async fn check_password(&self, name: &str, password: &str) -> Result<Account, Refusal> {
        if let Err(error) = self.catch_up().await {
            // Checked against what this process knows; a store that failed
            // also fails whatever the session would then do.
            tracing::error!(%error, "cannot catch up with the accounts");
        }
        let (account, phc) = self.read(|inner| {
            let account = inner.book.by_name(name).cloned();
            let phc = account
                .as_ref()
                .and_then(|a| inner.secrets.passwords.get(&a.id).cloned());
            (account, phc)
        });
        // A hash of a password nobody has, so an unknown name costs the same.
        let phc = phc.unwrap_or_else(|| {
            DUMMY_HASH
                .get_or_init(|| hash_password(&random_hex()))
                .clone()
        });
        let password = password.to_owned();
        let _slot = HASHING
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
            .await
            .unwrap_or(false);
        match account {
            Some(account) if matches && !account.disabled => Ok(account),
            Some(account) if matches && account.disabled => Err(Refusal::Disabled),
            _ => Err(Refusal::Unknown),
        }
    }

    /// The account a bearer token acts as, or why not.
    pub fn check_token(&self, text: &str, now: DateTime<Utc>) -> Result<(Account, Token), Refusal> {
        let (id, secret) = text
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|rest| rest.split_once('_'))
            .ok_or(Refusal::Unknown)?;
        let id: Uuid = id.parse().map_err(|_| Refusal::Unknown)?;
        self.read(|inner| {
            let token = inner.book.token(id).ok_or(Refusal::Unknown)?;
            let stored = inner.secrets.tokens.get(&id).ok_or(Refusal::Unknown)?;
            if !constant_time_eq(stored.as_bytes(), sha256_hex(secret).as_bytes()) {
                return Err(Refusal::Unknown);
            }
            if token.revoked {
                return Err(Refusal::Revoked);
            }
            if token.expires_at <= now {
                return Err(Refusal::Expired);
            }
            let account = inner.book.account(token.account).ok_or(Refusal::Unknown)?;
            if account.disabled {
                return Err(Refusal::Disabled);
            }
            Ok((account.clone(), token.clone()))
        })
    }

    /// The account with this id, if it is enabled (sessions are checked
    /// against it on every request, so disabling takes effect at once).
    pub fn active(&self, id: Uuid) -> Option<Account> {
        self.read(|inner| inner.book.account(id).filter(|a| !a.disabled).cloned())
    }
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// How many Argon2id computations run at once: each takes 19 MiB and a core
/// for tens of milliseconds, so a burst of sign-ins waits its turn instead of
/// exhausting memory.
const CONCURRENT_HASHES: usize = 4;

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_HASHES);

async fn hash_off_runtime(password: &str) -> String {
    let _slot = HASHING
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .expect("hashing does not panic")
}

impl Accounts {
    /// Sets up a TOTP second factor for `name`; returns the base32 secret
    /// and the `otpauth://` URI to show once (an authenticator app scans it).
    pub async fn enrol_second_factor(
        &self,
        name: &str,
        by: &str,
    ) -> Result<(String, String), AccountsError> {
        let mut bytes = [0u8; 20];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let secret = totp::base32(&bytes);
        let stored = secret.clone();
        self.execute(
            AccountCommand::EnrolSecondFactor {
                name: name.to_owned(),
            },
            by,
            |secrets, events| {
                if let Some(AccountEvent::SecondFactorEnrolled { account }) = events.first() {
                    secrets.totp.insert(*account, stored);
                }
            },
        )
        .await?;
        Ok((secret.clone(), totp::otpauth_uri("Habeas", name, &secret)))
    }

    /// Whether `typed` is the account's current TOTP code, not used before
    /// by this server or any other: the last step used is kept with the
    /// secrets (the secrets file, or the database's secrets table that every
    /// server sharing it moves forward atomically), not in this process's
    /// memory, so a code seen on one server cannot be replayed on another,
    /// nor after a restart.
    pub async fn check_second_factor(
        &self,
        account: Uuid,
        typed: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, AccountsError> {
        let step = self.read(|inner| {
            let secret = inner
                .secrets
                .totp
                .get(&account)
                .and_then(|text| totp::from_base32(text))?;
            totp::matching_step(&secret, typed, now.timestamp().max(0) as u64)
        });
        let Some(step) = step else {
            return Ok(false);
        };
        if let Some(claimed) = self.keeper.claim_totp_step(account, step).await {
            return Ok(claimed?);
        }
        // A data directory: this process alone holds it. The writer lock
        // keeps an account change from saving secrets read before this step.
        let _writer = self.writer.lock().await;
        let (before, after) = {
            let mut inner = self.inner.write().expect("accounts lock");
            if inner
                .secrets
                .totp_steps
                .get(&account)
                .is_some_and(|last| step <= *last)
            {
                return Ok(false);
            }
            let before = inner.secrets.clone();
            inner.secrets.totp_steps.insert(account, step);
            (before, inner.secrets.clone())
        };
        // Refused unless saved: a code accepted but forgotten at a restart
        // could be used again.
        self.keeper.save(&before, &after).await?;
        Ok(true)
    }
}

/// Equality that takes the same time wherever the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
