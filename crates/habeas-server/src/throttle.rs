//! Sign-in throttling: after too many failures in a window, per account name
//! and per client address, further attempts are refused (429) until the
//! oldest failure leaves the window. A success clears the account's count.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins by key (`name:…` or `addr:…`).
pub struct Throttle {
    max: usize,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    /// At most `max` failures per key in `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        Throttle {
            max,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait before `keys` may try again, if any must wait.
    pub fn wait(&self, keys: &[String]) -> Option<u64> {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("throttle lock");
        keys.iter()
            .filter_map(|key| {
                let times = failures.get_mut(key)?;
                times.retain(|at| now.duration_since(*at) < self.window);
                (times.len() >= self.max).then(|| {
                    let oldest = times[0];
                    (self.window - now.duration_since(oldest)).as_secs().max(1)
                })
            })
            .max()
    }

    /// Counts a failure for each key.
    pub fn fail(&self, keys: &[String]) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("throttle lock");
        for key in keys {
            failures.entry(key.clone()).or_default().push(now);
        }
    }

    /// Forgets the failures of a key.
    pub fn clear(&self, key: &str) {
        self.failures.lock().expect("throttle lock").remove(key);
    }
}
