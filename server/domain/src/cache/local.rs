//! The cache of a standalone instance, in this process (moka): values and maps
//! bounded by size, counters by number, each entry expiring at its own time.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use moka::sync::Cache as Moka;
use moka::Expiry;

use super::{Backend, WindowCount};

/// How much the in-process cache may hold.
#[derive(Clone, Copy, Debug)]
pub struct InProcessLimits {
    /// Bytes of values and map fields (keys included), roughly.
    pub max_bytes: u64,
    /// Counters open at once. Each is a few dozen bytes; when full, the least used go.
    pub max_counters: u64,
}

impl Default for InProcessLimits {
    fn default() -> Self {
        InProcessLimits {
            max_bytes: 64 * 1024 * 1024,
            max_counters: 200_000,
        }
    }
}

/// An entry that knows how long it lives from its last write.
trait Lifetime {
    fn ttl(&self) -> Duration;
}

struct ByEntry;

impl<V: Lifetime> Expiry<String, V> for ByEntry {
    fn expire_after_create(&self, _: &String, value: &V, _: Instant) -> Option<Duration> {
        Some(value.ttl())
    }

    fn expire_after_update(
        &self,
        _: &String,
        value: &V,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.ttl())
    }
}

#[derive(Clone)]
struct Value {
    bytes: Bytes,
    ttl: Duration,
}

impl Lifetime for Value {
    fn ttl(&self) -> Duration {
        self.ttl
    }
}

#[derive(Clone)]
struct Counter {
    count: Arc<AtomicU64>,
    until: Instant,
}

impl Lifetime for Counter {
    fn ttl(&self) -> Duration {
        self.until.saturating_duration_since(Instant::now())
    }
}

#[derive(Clone)]
struct Fields {
    fields: Arc<Mutex<HashMap<String, Bytes>>>,
    ttl: Duration,
}

impl Lifetime for Fields {
    fn ttl(&self) -> Duration {
        self.ttl
    }
}

/// The in-process backend.
#[derive(Clone)]
pub struct InProcess {
    values: Moka<String, Value>,
    counters: Moka<String, Counter>,
    maps: Moka<String, Fields>,
}

impl InProcess {
    pub fn new(limits: InProcessLimits) -> Self {
        let weigh = |key: &String, bytes: usize| -> u32 {
            (key.len() + bytes + 64).try_into().unwrap_or(u32::MAX)
        };
        InProcess {
            values: Moka::builder()
                .max_capacity(limits.max_bytes / 2)
                .weigher(move |k, v: &Value| weigh(k, v.bytes.len()))
                .expire_after(ByEntry)
                .build(),
            counters: Moka::builder()
                .max_capacity(limits.max_counters)
                .expire_after(ByEntry)
                .build(),
            // A map is weighed when it is (re)inserted, which every field write does.
            maps: Moka::builder()
                .max_capacity(limits.max_bytes / 2)
                .weigher(move |k, v: &Fields| {
                    let fields = v.fields.lock().unwrap_or_else(|p| p.into_inner());
                    weigh(k, fields.iter().map(|(f, b)| f.len() + b.len()).sum())
                })
                .expire_after(ByEntry)
                .build(),
        }
    }
}

fn open(counter: &Counter, now: Instant) -> Option<WindowCount> {
    (counter.until > now).then(|| WindowCount {
        count: counter.count.load(Ordering::Acquire),
        resets_in: counter.until - now,
    })
}

#[async_trait]
impl Backend for InProcess {
    async fn get_many(&self, keys: &[&str]) -> anyhow::Result<Vec<Option<Bytes>>> {
        Ok(keys
            .iter()
            .map(|k| self.values.get(*k).map(|v| v.bytes))
            .collect())
    }

    async fn put(&self, key: &str, bytes: Bytes, ttl: Duration) -> anyhow::Result<()> {
        self.values.insert(key.to_string(), Value { bytes, ttl });
        Ok(())
    }

    async fn put_if_absent(&self, key: &str, bytes: Bytes, ttl: Duration) -> anyhow::Result<bool> {
        let entry = self
            .values
            .entry(key.to_string())
            .or_insert_with(|| Value { bytes, ttl });
        Ok(entry.is_fresh())
    }

    async fn remove(&self, key: &str) -> anyhow::Result<()> {
        self.values.invalidate(key);
        self.counters.invalidate(key);
        self.maps.invalidate(key);
        Ok(())
    }

    async fn incr_window(&self, key: &str, window: Duration) -> anyhow::Result<WindowCount> {
        let now = Instant::now();
        let counter = self
            .counters
            .entry(key.to_string())
            .or_insert_with_if(
                || Counter {
                    count: Arc::default(),
                    until: now + window,
                },
                // A window that closed but is not yet evicted starts over.
                |c| c.until <= now,
            )
            .into_value();
        let count = counter.count.fetch_add(1, Ordering::AcqRel) + 1;
        Ok(WindowCount {
            count,
            resets_in: counter.until.saturating_duration_since(now),
        })
    }

    async fn peek(&self, key: &str) -> anyhow::Result<Option<WindowCount>> {
        Ok(self
            .counters
            .get(key)
            .and_then(|c| open(&c, Instant::now())))
    }

    async fn field_put(
        &self,
        key: &str,
        field: &str,
        value: Bytes,
        ttl: Duration,
    ) -> anyhow::Result<()> {
        // One map per key even when two tabs join at once: the entry is taken or made
        // atomically, then its fields are changed in place.
        let map = self
            .maps
            .entry(key.to_string())
            .or_insert_with(|| Fields {
                fields: Arc::default(),
                ttl,
            })
            .into_value();
        map.fields
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(field.to_string(), value);
        // Re-inserted so that the map's expiry starts again and its weight is updated.
        self.maps.insert(
            key.to_string(),
            Fields {
                fields: map.fields,
                ttl,
            },
        );
        Ok(())
    }

    async fn field_remove(&self, key: &str, fields: &[String]) -> anyhow::Result<()> {
        if let Some(map) = self.maps.get(key) {
            let mut held = map.fields.lock().unwrap_or_else(|p| p.into_inner());
            for field in fields {
                held.remove(field);
            }
            if held.is_empty() {
                drop(held);
                self.maps.invalidate(key);
            }
        }
        Ok(())
    }

    async fn fields(&self, key: &str) -> anyhow::Result<Vec<(String, Bytes)>> {
        Ok(self
            .maps
            .get(key)
            .map(|map| {
                let held = map.fields.lock().unwrap_or_else(|p| p.into_inner());
                held.iter().map(|(f, v)| (f.clone(), v.clone())).collect()
            })
            .unwrap_or_default())
    }

    fn service(&self) -> Option<&'static str> {
        None
    }

    async fn ping(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_within_a_window_and_restarts_after() {
        let c = InProcess::new(InProcessLimits::default());
        let window = Duration::from_millis(40);
        assert_eq!(c.incr_window("k", window).await.unwrap().count, 1);
        assert_eq!(c.incr_window("k", window).await.unwrap().count, 2);
        assert_eq!(c.peek("k").await.unwrap().unwrap().count, 2);
        std::thread::sleep(Duration::from_millis(50));
        assert!(c.peek("k").await.unwrap().is_none());
        assert_eq!(c.incr_window("k", window).await.unwrap().count, 1);
        c.remove("k").await.unwrap();
        assert!(c.peek("k").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn values_expire_and_put_if_absent_keeps_the_first() {
        let c = InProcess::new(InProcessLimits::default());
        assert!(c
            .put_if_absent("v", "a".into(), Duration::from_millis(40))
            .await
            .unwrap());
        assert!(!c
            .put_if_absent("v", "b".into(), Duration::from_secs(9))
            .await
            .unwrap());
        assert_eq!(
            c.get_many(&["v", "w"]).await.unwrap(),
            vec![Some("a".into()), None]
        );
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(c.get_many(&["v"]).await.unwrap(), vec![None]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn fields_written_at_once_are_all_kept() {
        let c = InProcess::new(InProcessLimits::default());
        let writers: Vec<_> = (0..32)
            .map(|i| {
                let c = c.clone();
                tokio::spawn(async move {
                    c.field_put("m", &format!("tab{i}"), "x".into(), Duration::from_secs(60))
                        .await
                })
            })
            .collect();
        for w in writers {
            w.await.unwrap().unwrap();
        }
        assert_eq!(c.fields("m").await.unwrap().len(), 32);
    }

    #[tokio::test]
    async fn a_size_bound_is_kept() {
        let c = InProcess::new(InProcessLimits {
            max_bytes: 64 * 1024,
            max_counters: 10,
        });
        let big = Bytes::from(vec![0u8; 1024]);
        for i in 0..1000 {
            c.put(&format!("k{i}"), big.clone(), Duration::from_secs(60))
                .await
                .unwrap();
        }
        c.values.run_pending_tasks();
        assert!(
            c.values.weighted_size() <= 32 * 1024,
            "{}",
            c.values.weighted_size()
        );
    }
}
