//! Sessions in Redis under `<prefix>session:<id>`, expiring with the session.
use async_trait::async_trait;
use fred::prelude::*;
use fred::types::{Expiration, SetOptions};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use super::{backend_error, decode, encode};

#[derive(Clone)]
pub struct RedisSessionStore {
    pool: fred::clients::Pool,
    prefix: String,
}

impl std::fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisSessionStore {{ prefix: {:?} }}", self.prefix)
    }
}

/// Milliseconds until the record expires (at least 1).
fn ttl_ms(record: &Record) -> i64 {
    ((record.expiry_date - time::OffsetDateTime::now_utc()).whole_milliseconds() as i64).max(1)
}

impl RedisSessionStore {
    pub fn new(pool: fred::clients::Pool, prefix: &str) -> Self {
        Self {
            pool,
            prefix: format!("{prefix}session:"),
        }
    }

    /// The Redis key that holds a session (tests look it up).
    pub fn key(&self, id: &str) -> String {
        format!("{}{id}", self.prefix)
    }

    /// SET with a millisecond TTL; false when `NX` found the key taken.
    async fn write(
        &self,
        record: &Record,
        options: Option<SetOptions>,
    ) -> session_store::Result<bool> {
        let done: Option<String> = self
            .pool
            .set(
                self.key(&record.id.to_string()),
                encode(record)?,
                Some(Expiration::PX(ttl_ms(record))),
                options,
                false,
            )
            .await
            .map_err(backend_error)?;
        Ok(done.is_some())
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while !self.write(record, Some(SetOptions::NX)).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // Only a session that still exists is updated (`XX`): new and cycled ids go
        // through `create`, and a request that was in flight while its session was
        // signed out (or expired) must not bring it back by saving afterwards.
        self.write(record, Some(SetOptions::XX)).await?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let data: Option<Vec<u8>> = self
            .pool
            .get(self.key(&id.to_string()))
            .await
            .map_err(backend_error)?;
        data.map(|d| decode(&d)).transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let _: i64 = self
            .pool
            .del(self.key(&id.to_string()))
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}
