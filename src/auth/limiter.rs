//! Brute-force protection for logins: failures are counted per account and per client
//! address over a sliding window; past the limit, `429` with `Retry-After` until the oldest
//! failure leaves the window. In memory: each process counts its own.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::LoginLimits;

/// Entries are pruned when the map grows past this, so that sprayed names cannot fill memory.
const PRUNE_ABOVE: usize = 10_000;

pub struct LoginLimiter {
    limits: LoginLimits,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        LoginLimiter {
            limits,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn window(&self) -> Duration {
        Duration::from_secs(self.limits.window_seconds)
    }

    fn keys(account: &str, address: Option<&str>) -> [(String, bool); 2] {
        [
            (format!("account:{}", account.trim().to_lowercase()), true),
            (format!("address:{}", address.unwrap_or("unknown")), false),
        ]
    }

    /// Counts an attempt, or refuses it with `Err(seconds)` while the account or the address
    /// is over its limit. The attempt is counted before the password is checked, under the
    /// same lock, so that parallel guesses cannot all slip past the limit; a success takes it
    /// back.
    pub fn attempt(&self, account: &str, address: Option<&str>) -> Result<(), u64> {
        let now = Instant::now();
        let window = self.window();
        let Ok(mut failures) = self.failures.lock() else {
            return Ok(());
        };
        if failures.len() > PRUNE_ABOVE {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        let keys = Self::keys(account, address);
        let mut wait = None;
        for (key, is_account) in &keys {
            let limit = if *is_account {
                self.limits.per_account
            } else {
                self.limits.per_address
            };
            if let Some(times) = failures.get_mut(key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    times.pop_front();
                }
                if times.len() >= limit
                    && let Some(oldest) = times.front()
                {
                    let left = window.saturating_sub(now.duration_since(*oldest));
                    wait = wait.max(Some(left.as_secs().max(1)));
                }
            }
        }
        if let Some(seconds) = wait {
            return Err(seconds);
        }
        for (key, _) in keys {
            failures.entry(key).or_default().push_back(now);
        }
        Ok(())
    }

    /// A success clears the account's failures and takes back this attempt from the address.
    pub fn record_success(&self, account: &str, address: Option<&str>) {
        if let Ok(mut failures) = self.failures.lock() {
            let [(account, _), (address, _)] = Self::keys(account, address);
            failures.remove(&account);
            if let Some(times) = failures.get_mut(&address) {
                times.pop_back();
            }
        }
    }
}
