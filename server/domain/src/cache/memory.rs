//! In-process windowed counters for a single instance.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::WindowCount;

/// Counters kept in this process; expired windows are dropped as they are touched.
#[derive(Clone, Default)]
pub struct MemoryCounters {
    inner: Arc<Mutex<HashMap<String, (u64, Instant)>>>,
}

impl MemoryCounters {
    pub(super) fn incr(&self, key: &str, window: Duration) -> WindowCount {
        let now = Instant::now();
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, (_, until)| *until > now);
        }
        let entry = map.entry(key.to_string()).or_insert((0, now + window));
        if entry.1 <= now {
            *entry = (0, now + window);
        }
        entry.0 += 1;
        WindowCount {
            count: entry.0,
            resets_in: entry.1 - now,
        }
    }

    pub(super) fn peek(&self, key: &str) -> Option<WindowCount> {
        let now = Instant::now();
        let map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(_, until)| *until > now)
            .map(|(count, until)| WindowCount {
                count: *count,
                resets_in: *until - now,
            })
    }

    pub(super) fn reset(&self, key: &str) {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_within_a_window_and_restarts_after() {
        let c = MemoryCounters::default();
        assert_eq!(c.incr("k", Duration::from_millis(40)).count, 1);
        assert_eq!(c.incr("k", Duration::from_millis(40)).count, 2);
        assert_eq!(c.peek("k").unwrap().count, 2);
        std::thread::sleep(Duration::from_millis(50));
        assert!(c.peek("k").is_none());
        assert_eq!(c.incr("k", Duration::from_millis(40)).count, 1);
        c.reset("k");
        assert!(c.peek("k").is_none());
    }
}
