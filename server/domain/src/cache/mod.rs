//! The shared cache: short-lived state every instance of a deployment sees the same —
//! windowed counters (sign-in throttling, AI rate limits), values kept with an expiry
//! (AI results, session and user read-through), and small maps of fields (presence).
//!
//! [`Cache`] is one handle over a [`Backend`]: in process (moka) for a standalone
//! instance, Redis for shared ones. Start-up picks the backend from the deployment mode
//! (see [`crate::shared::Shared`]); code that uses the cache never asks which it has.
mod local;
mod redis;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use local::{InProcess, InProcessLimits};
pub use redis::{connect_redis, RedisBackend};

/// A counter's value and how long until its window closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowCount {
    pub count: u64,
    pub resets_in: Duration,
}

/// What a cache backend stores. Keys are the cache's own (a backend may prefix them);
/// values are opaque bytes.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The values of `keys`, in order (`None` where absent or expired).
    async fn get_many(&self, keys: &[&str]) -> anyhow::Result<Vec<Option<Bytes>>>;
    /// Stores `value` under `key` for `ttl`, replacing what was there.
    async fn put(&self, key: &str, value: Bytes, ttl: Duration) -> anyhow::Result<()>;
    /// Stores `value` under `key` for `ttl` unless the key holds a value; whether it did.
    async fn put_if_absent(&self, key: &str, value: Bytes, ttl: Duration) -> anyhow::Result<bool>;
    /// Forgets `key`, whatever it holds (value, counter or map).
    async fn remove(&self, key: &str) -> anyhow::Result<()>;
    /// Adds one to the counter `key`, opening a window of `window` on the first hit.
    async fn incr_window(&self, key: &str, window: Duration) -> anyhow::Result<WindowCount>;
    /// The counter `key`, if its window is open.
    async fn peek(&self, key: &str) -> anyhow::Result<Option<WindowCount>>;
    /// Sets `field` of the map `key` and keeps the whole map for `ttl` from now.
    async fn field_put(
        &self,
        key: &str,
        field: &str,
        value: Bytes,
        ttl: Duration,
    ) -> anyhow::Result<()>;
    /// Removes `fields` from the map `key`.
    async fn field_remove(&self, key: &str, fields: &[String]) -> anyhow::Result<()>;
    /// Every field of the map `key`.
    async fn fields(&self, key: &str) -> anyhow::Result<Vec<(String, Bytes)>>;
    /// The service behind the cache that readiness should check (`None`: in process).
    fn service(&self) -> Option<&'static str>;
    /// A round trip to that service.
    async fn ping(&self) -> anyhow::Result<()>;
}

/// The deployment's cache. Cheap to clone.
#[derive(Clone)]
pub struct Cache(Arc<dyn Backend>);

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cache({})", self.0.service().unwrap_or("in process"))
    }
}

/// How long a key's stamp outlives the values read through it. A stamp that is gone
/// only costs a miss (see [`Cache::read_through`]).
const STAMP_TTL: Duration = Duration::from_secs(24 * 3600);

/// A value kept by [`Cache::read_through`], with the stamp it was read under.
#[derive(Serialize, Deserialize)]
struct Stamped<T> {
    stamp: u64,
    value: T,
}

impl Cache {
    pub fn new(backend: impl Backend) -> Self {
        Cache(Arc::new(backend))
    }

    /// An in-process cache, for a standalone instance and for tests.
    pub fn in_process(limits: InProcessLimits) -> Self {
        Cache::new(InProcess::new(limits))
    }

    pub async fn incr_window(&self, key: &str, window: Duration) -> anyhow::Result<WindowCount> {
        self.0.incr_window(key, window).await
    }

    pub async fn peek(&self, key: &str) -> anyhow::Result<Option<WindowCount>> {
        self.0.peek(key).await
    }

    /// Forgets `key` (a counter, a value or a map).
    pub async fn reset(&self, key: &str) -> anyhow::Result<()> {
        self.0.remove(key).await
    }

    /// The value under `key`, if there is one that still decodes as `T`.
    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> anyhow::Result<Option<T>> {
        let found = self.0.get_many(&[key]).await?.pop().flatten();
        Ok(found.and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }

    /// Keeps `value` under `key` for `ttl`.
    pub async fn put_json<T: Serialize>(
        &self,
        key: &str,
        value: &T,
        ttl: Duration,
    ) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec(value)?;
        self.0.put(key, bytes.into(), ttl).await
    }

    /// Reads what `key` names through the cache: the kept value when it was read since
    /// the last [`Cache::changed`] of `key`, else `load`'s answer (kept for `ttl`).
    ///
    /// Each key has a stamp, a random number that `changed` replaces. A kept value
    /// carries the stamp that was current *before* it was loaded, so a load that raced
    /// a write is kept under the old stamp and never used: no reader can bring a value
    /// back after the write that replaced it, on any instance.
    pub async fn read_through<T, F>(
        &self,
        key: &str,
        ttl: Duration,
        load: F,
    ) -> anyhow::Result<Option<T>>
    where
        T: Serialize + DeserializeOwned,
        F: Future<Output = anyhow::Result<Option<T>>>,
    {
        let stamp_key = format!("stamp:{key}");
        let value_key = format!("value:{key}");
        let mut found = self.0.get_many(&[&stamp_key, &value_key]).await?;
        let kept = found.pop().flatten();
        let stamp = found.pop().flatten().and_then(|s| stamp_of(&s));
        if let (Some(stamp), Some(kept)) = (stamp, &kept) {
            if let Ok(kept) = serde_json::from_slice::<Stamped<T>>(kept) {
                if kept.stamp == stamp {
                    return Ok(Some(kept.value));
                }
            }
        }
        // Without a stamp, one is made now; whoever makes it first wins, and a reader
        // that lost keeps nothing this time (its stamp might already be stale).
        let stamp = match stamp {
            Some(stamp) => Some(stamp),
            None => {
                let fresh = rand::random::<u64>();
                self.0
                    .put_if_absent(&stamp_key, stamp_bytes(fresh), STAMP_TTL)
                    .await?
                    .then_some(fresh)
            }
        };
        let loaded = load.await?;
        if let (Some(stamp), Some(value)) = (stamp, &loaded) {
            let bytes = serde_json::to_vec(&Stamped { stamp, value })?;
            self.0.put(&value_key, bytes.into(), ttl).await?;
        }
        Ok(loaded)
    }

    /// Call after a write to what `key` names has committed: every kept copy of it, on
    /// every instance, stops being used.
    pub async fn changed(&self, key: &str) -> anyhow::Result<()> {
        let stamp = stamp_bytes(rand::random::<u64>());
        self.0.put(&format!("stamp:{key}"), stamp, STAMP_TTL).await
    }

    pub async fn field_put(
        &self,
        key: &str,
        field: &str,
        value: Bytes,
        ttl: Duration,
    ) -> anyhow::Result<()> {
        self.0.field_put(key, field, value, ttl).await
    }

    pub async fn field_remove(&self, key: &str, fields: &[String]) -> anyhow::Result<()> {
        if fields.is_empty() {
            return Ok(());
        }
        self.0.field_remove(key, fields).await
    }

    pub async fn fields(&self, key: &str) -> anyhow::Result<Vec<(String, Bytes)>> {
        self.0.fields(key).await
    }

    /// The service behind the cache that readiness should check (`None`: in process).
    pub fn service(&self) -> Option<&'static str> {
        self.0.service()
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        self.0.ping().await
    }
}

fn stamp_bytes(stamp: u64) -> Bytes {
    Bytes::from(stamp.to_string())
}

fn stamp_of(bytes: &[u8]) -> Option<u64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> Cache {
        Cache::in_process(InProcessLimits::default())
    }

    #[tokio::test]
    async fn a_read_through_value_is_kept_until_it_changes() {
        let cache = cache();
        let read =
            |v: u32| cache.read_through("k", Duration::from_secs(60), async move { Ok(Some(v)) });
        assert_eq!(read(1).await.unwrap(), Some(1));
        assert_eq!(read(2).await.unwrap(), Some(1), "the kept value is used");
        cache.changed("k").await.unwrap();
        assert_eq!(read(3).await.unwrap(), Some(3), "a change drops it");
        assert_eq!(read(4).await.unwrap(), Some(3));
    }

    #[tokio::test]
    async fn a_load_that_raced_a_change_is_never_used() {
        let cache = cache();
        cache.changed("k").await.unwrap();
        // The load starts, a write commits and marks the change, then the load ends
        // with what it read before the write.
        let stale = cache
            .read_through("k", Duration::from_secs(60), async {
                cache.changed("k").await.unwrap();
                Ok(Some("before the write".to_string()))
            })
            .await
            .unwrap();
        assert_eq!(stale.as_deref(), Some("before the write"));
        let next = cache
            .read_through("k", Duration::from_secs(60), async {
                Ok(Some("after".to_string()))
            })
            .await
            .unwrap();
        assert_eq!(
            next.as_deref(),
            Some("after"),
            "the raced value was not used"
        );
    }

    #[tokio::test]
    async fn nothing_is_kept_for_what_does_not_exist() {
        let cache = cache();
        let none: Option<u32> = cache
            .read_through("gone", Duration::from_secs(60), async { Ok(None) })
            .await
            .unwrap();
        assert_eq!(none, None);
        let found = cache
            .read_through("gone", Duration::from_secs(60), async { Ok(Some(7)) })
            .await
            .unwrap();
        assert_eq!(found, Some(7));
    }
}
