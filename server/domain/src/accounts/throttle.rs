//! Login throttling: failures are counted per account and per client address in a
//! window; past the limit, sign-in is refused until the window closes.
use std::time::Duration;

use crate::cache::Cache;
use crate::error::Error;

/// Limits, from configuration.
#[derive(Clone, Debug)]
pub struct ThrottlePolicy {
    pub max_failures_per_account: u64,
    pub max_failures_per_ip: u64,
    /// Failures are counted over this long, and a lockout lasts until it ends.
    pub window: Duration,
}

#[derive(Clone, Debug)]
pub struct LoginThrottle {
    cache: Cache,
    policy: ThrottlePolicy,
}

fn account_key(email: &str) -> String {
    format!("login:account:{email}")
}

fn ip_key(ip: &str) -> String {
    format!("login:ip:{ip}")
}

fn throttled(resets_in: Duration) -> Error {
    Error::Throttled {
        retry_after_secs: resets_in.as_secs().max(1),
    }
}

impl LoginThrottle {
    pub fn new(cache: Cache, policy: ThrottlePolicy) -> Self {
        Self { cache, policy }
    }

    /// Refuses before any password check when the account or address is locked out.
    pub async fn check(&self, email: &str, ip: &str) -> crate::Result<()> {
        for (key, limit) in [
            (ip_key(ip), self.policy.max_failures_per_ip),
            (account_key(email), self.policy.max_failures_per_account),
        ] {
            if let Some(count) = self.cache.peek(&key).await? {
                if count.count >= limit {
                    return Err(throttled(count.resets_in));
                }
            }
        }
        Ok(())
    }

    /// Counts a failure; returns the lockout error when this failure reached a limit.
    pub async fn fail(&self, email: &str, ip: &str) -> crate::Result<Option<Error>> {
        let window = self.policy.window;
        let by_ip = self.cache.incr_window(&ip_key(ip), window).await?;
        let by_account = self.cache.incr_window(&account_key(email), window).await?;
        if by_account.count >= self.policy.max_failures_per_account {
            return Ok(Some(throttled(by_account.resets_in)));
        }
        if by_ip.count >= self.policy.max_failures_per_ip {
            return Ok(Some(throttled(by_ip.resets_in)));
        }
        Ok(None)
    }

    /// Clears the account's failures after a successful sign-in.
    pub async fn succeed(&self, email: &str) -> crate::Result<()> {
        self.cache.reset(&account_key(email)).await?;
        Ok(())
    }
}
