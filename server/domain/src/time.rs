//! Timestamps are stored as Unix milliseconds (BIGINT) so one query serves both databases.
//!
//! Rules that depend on how much time has passed (how long a session may sit idle, how
//! long it may live) read the time from a [`Clock`], so tests move it on instead of
//! sleeping.
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Milliseconds since the Unix epoch, now, by the system clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The time the time-limit rules go by: the system clock, plus however far a test has
/// moved it on (nothing in production moves it). Clones share one clock.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    ahead_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Milliseconds since the Unix epoch, now.
    pub fn now_ms(&self) -> i64 {
        now_ms() + self.ahead_ms.load(Ordering::Relaxed)
    }

    /// Moves this clock (and its clones) `by` into the future.
    pub fn advance(&self, by: Duration) {
        self.ahead_ms
            .fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_and_its_clones_run_ahead() {
        let clock = Clock::system();
        let clone = clock.clone();
        clock.advance(Duration::from_secs(3600));
        let ahead = clone.now_ms() - now_ms();
        assert!((3_599_000..=3_601_000).contains(&ahead), "{ahead}");
    }
}
