//! The cache of shared instances, in Redis: every instance sees the same values,
//! counters and maps. Keys are prefixed so that deployments can share a server.
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use bytes::Bytes;
use fred::prelude::*;
use fred::types::{Expiration, SetOptions};

use super::{Backend, WindowCount};

#[derive(Clone)]
pub struct RedisBackend {
    pool: fred::clients::Pool,
    prefix: String,
}

impl RedisBackend {
    pub fn new(pool: fred::clients::Pool, prefix: &str) -> Self {
        RedisBackend {
            pool,
            prefix: prefix.to_string(),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn millis(d: Duration) -> i64 {
    (d.as_millis() as i64).max(1)
}

const INCR_WINDOW: &str = "local c = redis.call('INCR', KEYS[1]) \
    if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end \
    local t = redis.call('PTTL', KEYS[1]) \
    if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) t = tonumber(ARGV[1]) end \
    return {c, t}";

#[async_trait]
impl Backend for RedisBackend {
    async fn get_many(&self, keys: &[&str]) -> anyhow::Result<Vec<Option<Bytes>>> {
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        if keys.len() == 1 {
            let one: Option<Bytes> = self.pool.get(&keys[0]).await.context("Redis GET")?;
            return Ok(vec![one]);
        }
        Ok(self.pool.mget(keys).await.context("Redis MGET")?)
    }

    async fn put(&self, key: &str, value: Bytes, ttl: Duration) -> anyhow::Result<()> {
        let _: Option<String> = self
            .pool
            .set(
                self.key(key),
                value,
                Some(Expiration::PX(millis(ttl))),
                None,
                false,
            )
            .await
            .context("Redis SET")?;
        Ok(())
    }

    async fn put_if_absent(&self, key: &str, value: Bytes, ttl: Duration) -> anyhow::Result<bool> {
        let set: Option<String> = self
            .pool
            .set(
                self.key(key),
                value,
                Some(Expiration::PX(millis(ttl))),
                Some(SetOptions::NX),
                false,
            )
            .await
            .context("Redis SET NX")?;
        Ok(set.is_some())
    }

    async fn remove(&self, key: &str) -> anyhow::Result<()> {
        let _: i64 = self.pool.del(self.key(key)).await.context("Redis DEL")?;
        Ok(())
    }

    async fn incr_window(&self, key: &str, window: Duration) -> anyhow::Result<WindowCount> {
        let (count, ttl): (i64, i64) = self
            .pool
            .eval(INCR_WINDOW, self.key(key), millis(window))
            .await
            .context("Failed to update a counter in Redis")?;
        Ok(WindowCount {
            count: count.max(0) as u64,
            resets_in: Duration::from_millis(ttl.max(0) as u64),
        })
    }

    async fn peek(&self, key: &str) -> anyhow::Result<Option<WindowCount>> {
        let key = self.key(key);
        let count: Option<i64> = self
            .pool
            .get(&key)
            .await
            .context("Failed to read a counter")?;
        let Some(count) = count else { return Ok(None) };
        let ttl: i64 = self
            .pool
            .pttl(&key)
            .await
            .context("Failed to read a counter's TTL")?;
        Ok(Some(WindowCount {
            count: count.max(0) as u64,
            resets_in: Duration::from_millis(ttl.max(0) as u64),
        }))
    }

    async fn field_put(
        &self,
        key: &str,
        field: &str,
        value: Bytes,
        ttl: Duration,
    ) -> anyhow::Result<()> {
        let key = self.key(key);
        let _: i64 = self
            .pool
            .hset(&key, (field, value))
            .await
            .context("Redis HSET")?;
        let _: bool = self
            .pool
            .pexpire(&key, millis(ttl), None)
            .await
            .context("Redis PEXPIRE")?;
        Ok(())
    }

    async fn field_remove(&self, key: &str, fields: &[String]) -> anyhow::Result<()> {
        let _: i64 = self
            .pool
            .hdel(self.key(key), fields.to_vec())
            .await
            .context("Redis HDEL")?;
        Ok(())
    }

    async fn fields(&self, key: &str) -> anyhow::Result<Vec<(String, Bytes)>> {
        let all: std::collections::HashMap<String, Bytes> = self
            .pool
            .hgetall(self.key(key))
            .await
            .context("Redis HGETALL")?;
        Ok(all.into_iter().collect())
    }

    fn service(&self) -> Option<&'static str> {
        Some("redis")
    }

    async fn ping(&self) -> anyhow::Result<()> {
        let _: String = self.pool.ping(None).await.context("Redis did not answer")?;
        Ok(())
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
