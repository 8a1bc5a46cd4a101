//! Sessions in the `sessions` table of whichever SQL database is configured.
//!
//! This store serves only deployments without Redis, and those are one instance (live
//! events cross instances only through Redis), so every write to a session passes
//! through here. That makes an in-process copy of the sessions in use exact: a load is
//! answered from it without a query, and a write drops it before returning.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use super::{backend_error, decode, encode};
use crate::store::Db;
use crate::time::now_ms;

#[derive(Clone, Debug)]
pub struct SqlSessionStore {
    db: Db,
    copies: Arc<Copies>,
}

/// The sessions loaded lately, by id. A write (create, save, delete) drops the copy
/// and moves `writes` on; a load stores what it read only if no write happened while it
/// was reading, so an older read can never overwrite what a write left. Bounded: when
/// full it starts over, which costs one query per active session.
#[derive(Debug, Default)]
struct Copies(Mutex<Kept>);

#[derive(Debug, Default)]
struct Kept {
    records: HashMap<String, Record>,
    writes: u64,
}

const COPIES_MAX: usize = 20_000;

impl Copies {
    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The copy if there is one, else how many writes there have been so far.
    fn get(&self, id: &Id) -> Result<Record, u64> {
        let kept = self.lock();
        kept.records
            .get(&id.to_string())
            .filter(|r| expiry_ms(r) > now_ms())
            .cloned()
            .ok_or(kept.writes)
    }

    fn put_if_unwritten(&self, record: &Record, writes_before: u64) {
        let mut kept = self.lock();
        if kept.writes != writes_before {
            return;
        }
        if kept.records.len() >= COPIES_MAX {
            kept.records.clear();
        }
        kept.records.insert(record.id.to_string(), record.clone());
    }

    /// Call after every write to a session's row.
    fn written(&self, id: &Id) {
        let mut kept = self.lock();
        kept.writes += 1;
        kept.records.remove(&id.to_string());
    }
}

impl SqlSessionStore {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            copies: Arc::default(),
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
                self.copies.written(&record.id);
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(record.id.to_string())
        .bind(encode(record)?)
        .bind(expiry_ms(record))
        .execute(self.db.pool())
        .await
        .map_err(backend_error)?;
        self.copies.written(&record.id);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let writes_before = match self.copies.get(id) {
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
            self.copies.put_if_unwritten(record, writes_before);
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let deleted = sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.pool())
            .await;
        // Dropped even when the delete failed: the row's state is then unknown.
        self.copies.written(id);
        deleted.map_err(backend_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &Id) -> Record {
        Record {
            id: *id,
            data: Default::default(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        }
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let copies = Copies::default();
        let id = Id::default();
        let before = copies.get(&id).unwrap_err();
        copies.written(&id);
        copies.put_if_unwritten(&record(&id), before);
        assert!(copies.get(&id).is_err(), "the older read was dropped");

        let before = copies.get(&id).unwrap_err();
        copies.put_if_unwritten(&record(&id), before);
        assert!(
            copies.get(&id).is_ok(),
            "a read with no write meanwhile is kept"
        );
        copies.written(&id);
        assert!(copies.get(&id).is_err(), "a write drops the copy");
    }
}
