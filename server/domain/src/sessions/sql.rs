//! Sessions in the `sessions` table of whichever SQL database is configured.
//!
//! This store serves only deployments without Redis, and those are one instance (live
//! events cross instances only through Redis), so every write to a session passes
//! through here. That makes an in-process copy of the sessions in use exact: a load is
//! answered from it without a query, and a write drops it before returning.
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use super::{backend_error, decode, encode};
use crate::copies::Copies;
use crate::store::Db;
use crate::time::now_ms;

#[derive(Clone, Debug)]
pub struct SqlSessionStore {
    db: Db,
    copies: Arc<Copies<Record>>,
}

/// How many sessions are kept in process at most.
const COPIES_MAX: usize = 20_000;

impl SqlSessionStore {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            copies: Arc::new(Copies::new(COPIES_MAX)),
        }
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
                self.copies.written(&record.id.to_string());
                return Ok(());
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
        self.copies.written(&record.id.to_string());
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let key = id.to_string();
        let writes_before = match self.copies.get(&key, |r| expiry_ms(r) > now_ms()) {
            Ok(record) => return Ok(Some(record)),
            Err(writes) => writes,
        };
        let data: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(id.to_string())
                .bind(now_ms())
                .fetch_optional(self.db.pool())
                .await
                .map_err(backend_error)?;
        let record = data.map(|d| decode(&d)).transpose()?;
        if let Some(record) = &record {
            self.copies
                .put_if_unwritten(key, record.clone(), writes_before);
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let deleted = sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.pool())
            .await;
        // Dropped even when the delete failed: the row's state is then unknown.
        self.copies.written(&id.to_string());
        deleted.map_err(backend_error)?;
        Ok(())
    }
}
