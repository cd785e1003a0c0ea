//! Browser sessions: a random id in a cookie signed with HMAC-SHA-256,
//! `HttpOnly` and `SameSite=Strict`, a new id at every sign-in. Sessions are
//! kept in memory: a restart signs everyone out, which is safe.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::accounts::constant_time_eq;
use crate::accounts::secrets::{hex, random_hex};

/// The cookie's name.
pub const COOKIE: &str = "habeas_session";

/// The sessions of one server.
pub struct Sessions {
    key: Vec<u8>,
    ttl: Duration,
    live: Mutex<HashMap<String, (Uuid, Instant)>>,
}

impl Sessions {
    /// Sessions signed with `key`, lasting `ttl`.
    pub fn new(key: Vec<u8>, ttl: Duration) -> Self {
        Sessions {
            key,
            ttl,
            live: Mutex::new(HashMap::new()),
        }
    }

    fn sign(&self, id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("hmac takes any key");
        mac.update(id.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// Starts a session for `account`; returns the cookie's value.
    pub fn start(&self, account: Uuid) -> String {
        let id = random_hex();
        let mut live = self.live.lock().expect("sessions lock");
        let now = Instant::now();
        live.retain(|_, (_, expires)| *expires > now);
        live.insert(id.clone(), (account, now + self.ttl));
        format!("{id}.{}", self.sign(&id))
    }

    /// The account of a cookie's value, if it is signed, live and not expired.
    pub fn account(&self, cookie: &str) -> Option<Uuid> {
        let (id, signature) = cookie.split_once('.')?;
        if !constant_time_eq(self.sign(id).as_bytes(), signature.as_bytes()) {
            return None;
        }
        let live = self.live.lock().expect("sessions lock");
        let (account, expires) = live.get(id)?;
        (*expires > Instant::now()).then_some(*account)
    }

    /// Ends the session of a cookie's value.
    pub fn end(&self, cookie: &str) {
        if let Some((id, _)) = cookie.split_once('.') {
            self.live.lock().expect("sessions lock").remove(id);
        }
    }

    /// The `Set-Cookie` value that stores a session.
    pub fn set_cookie(&self, value: &str, secure: bool) -> String {
        format!(
            "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
            self.ttl.as_secs(),
            if secure { "; Secure" } else { "" }
        )
    }

    /// The `Set-Cookie` value that removes it.
    pub fn clear_cookie(&self) -> String {
        format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
    }
}
