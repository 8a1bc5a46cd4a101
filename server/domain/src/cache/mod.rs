//! Short-lived shared state: windowed counters (login throttling today; rate limits
//! later). In process by default; in Redis when `REDIS_URL` is set, so every instance
//! sees the same counts.
mod memory;

use std::time::Duration;

use anyhow::Context;
use fred::prelude::*;

pub use memory::MemoryCounters;

/// A counter's value and how long until its window closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowCount {
    pub count: u64,
    pub resets_in: Duration,
}

/// Where counters live.
#[derive(Clone)]
pub enum Cache {
    Memory(MemoryCounters),
    Redis {
        pool: fred::clients::Pool,
        prefix: String,
    },
}

impl Cache {
    /// Whether this process is the deployment's only instance: without Redis nothing
    /// (events, sessions, counters) crosses instances, so there is exactly one, and
    /// in-process copies of shared rows are exact when every write drops them.
    pub fn single_instance(&self) -> bool {
        matches!(self, Cache::Memory(_))
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cache::Memory(_) => f.write_str("Cache::Memory"),
            Cache::Redis { prefix, .. } => write!(f, "Cache::Redis {{ prefix: {prefix:?} }}"),
        }
    }
}

const INCR_WINDOW: &str = "local c = redis.call('INCR', KEYS[1]) \
    if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end \
    local t = redis.call('PTTL', KEYS[1]) \
    if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) t = tonumber(ARGV[1]) end \
    return {c, t}";

impl Cache {
    /// Adds one to `key`, opening a window of `window` on the first hit.
    pub async fn incr_window(&self, key: &str, window: Duration) -> anyhow::Result<WindowCount> {
        match self {
            Cache::Memory(m) => Ok(m.incr(key, window)),
            Cache::Redis { pool, prefix } => {
                let (count, ttl): (i64, i64) = pool
                    .eval(
                        INCR_WINDOW,
                        format!("{prefix}{key}"),
                        window.as_millis() as i64,
                    )
                    .await
                    .context("Failed to update a counter in Redis")?;
                Ok(WindowCount {
                    count: count.max(0) as u64,
                    resets_in: Duration::from_millis(ttl.max(0) as u64),
                })
            }
        }
    }

    /// The current count for `key`, if its window is open.
    pub async fn peek(&self, key: &str) -> anyhow::Result<Option<WindowCount>> {
        match self {
            Cache::Memory(m) => Ok(m.peek(key)),
            Cache::Redis { pool, prefix } => {
                let key = format!("{prefix}{key}");
                let count: Option<i64> =
                    pool.get(&key).await.context("Failed to read a counter")?;
                let Some(count) = count else { return Ok(None) };
                let ttl: i64 = pool
                    .pttl(&key)
                    .await
                    .context("Failed to read a counter's TTL")?;
                Ok(Some(WindowCount {
                    count: count.max(0) as u64,
                    resets_in: Duration::from_millis(ttl.max(0) as u64),
                }))
            }
        }
    }

    /// Forgets `key`.
    pub async fn reset(&self, key: &str) -> anyhow::Result<()> {
        match self {
            Cache::Memory(m) => m.reset(key),
            Cache::Redis { pool, prefix } => {
                let _: i64 = pool
                    .del(format!("{prefix}{key}"))
                    .await
                    .context("Failed to reset a counter")?;
            }
        }
        Ok(())
    }

    /// A round trip to the backing store, for readiness checks.
    pub async fn ping(&self) -> anyhow::Result<()> {
        if let Cache::Redis { pool, .. } = self {
            let _: String = pool.ping(None).await.context("Redis did not answer")?;
        }
        Ok(())
    }

    pub fn is_redis(&self) -> bool {
        matches!(self, Cache::Redis { .. })
    }
}

/// Connects a Redis pool of `size` connections.
pub async fn connect_redis(url: &str, size: usize) -> anyhow::Result<fred::clients::Pool> {
    let config = Config::from_url(url).context("REDIS_URL is not a valid Redis URL")?;
    let pool = Builder::from_config(config)
        .with_connection_config(|c| {
            c.connection_timeout = Duration::from_secs(5);
            c.internal_command_timeout = Duration::from_secs(5);
        })
        .with_performance_config(|p| p.default_command_timeout = Duration::from_secs(5))
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2))
        .build_pool(size.max(1))
        .context("Failed to build the Redis pool")?;
    tokio::time::timeout(Duration::from_secs(10), pool.init())
        .await
        .context("Timed out connecting to Redis")?
        .context("Failed to connect to Redis")?;
    Ok(pool)
}
