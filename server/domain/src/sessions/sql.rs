//! Sessions in the `sessions` table of whichever SQL database is configured, read
//! through the deployment's cache: a request's session costs no query while nothing
//! has changed it, and every write marks the change before returning (see
//! [`Cache::read_through`]), so no instance uses a session after it was signed out.
use std::time::Duration;

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use super::{backend_error, decode, encode};
use crate::cache::Cache;
use crate::store::Db;
use crate::time::now_ms;

#[derive(Clone, Debug)]
pub struct SqlSessionStore {
    db: Db,
    cache: Cache,
}

/// How long a session read stays in the cache without being read from the database.
const KEPT_FOR: Duration = Duration::from_secs(300);

fn key(id: &Id) -> String {
    format!("session:{id}")
}

impl SqlSessionStore {
    pub fn new(db: Db, cache: Cache) -> Self {
        Self { db, cache }
    }

    /// Marks a write to session `id` (after it committed, or failed in an unknown state).
    async fn changed(&self, id: &Id) -> session_store::Result<()> {
        self.cache.changed(&key(id)).await.map_err(backend_error)
    }

    /// Deletes expired rows now and then, for as long as the process runs.
    pub async fn delete_expired_every(self, period: Duration) {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            if let Err(e) = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(now_ms())
                .execute(self.db.pool())
                .await
            {
                tracing::warn!(error = %e, "failed to delete expired sessions");
            }
        }
    }
}

fn expiry_ms(record: &Record) -> i64 {
    (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(encode(record)?)
            .bind(expiry_ms(record))
            .execute(self.db.pool())
            .await
            .map_err(backend_error)?;
            if inserted.rows_affected() == 1 {
                return self.changed(&record.id).await;
            }
            record.id = Id::default();
        }
    }

    /// Updates a session that still exists, and only then. New sessions (and cycled
    /// ids) go through `create`; a request that was in flight while its session was
    /// signed out must not bring the session back by saving it afterwards.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query("UPDATE sessions SET data = $2, expires_at = $3 WHERE id = $1")
            .bind(record.id.to_string())
            .bind(encode(record)?)
            .bind(expiry_ms(record))
            .execute(self.db.pool())
            .await
            .map_err(backend_error)?;
        self.changed(&record.id).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let record = self
            .cache
            .read_through(&key(id), KEPT_FOR, async {
                let data: Option<Vec<u8>> = sqlx::query_scalar(
                    "SELECT data FROM sessions WHERE id = $1 AND expires_at > $2",
                )
                .bind(id.to_string())
                .bind(now_ms())
                .fetch_optional(self.db.pool())
                .await?;
                Ok(data.map(|d| decode(&d)).transpose()?)
            })
            .await
            .map_err(backend_error)?;
        // A kept record may have expired since it was read.
        Ok(record.filter(|r| expiry_ms(r) > now_ms()))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let deleted = sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.pool())
            .await;
        // Marked even when the delete failed: the row's state is then unknown.
        self.changed(id).await?;
        deleted.map_err(backend_error)?;
        Ok(())
    }
}
