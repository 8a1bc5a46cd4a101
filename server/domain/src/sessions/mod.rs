//! Server-side sessions for tower-sessions: in the SQL database for a standalone
//! instance, in Redis for shared ones (the shared-state layer picks). One enum rather
//! than `dyn`, because the session layer wants one concrete store type.
mod redis;
mod sql;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::types::UserId;

pub use redis::RedisSessionStore;
pub use sql::SqlSessionStore;

/// The session key under which the signed-in identity is kept.
pub const AUTH_KEY: &str = "auth";

/// When the session's expiry was last pushed back (Unix ms).
pub const SEEN_KEY: &str = "seen";

/// Who a session belongs to, written at sign-in.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionAuth {
    pub user_id: UserId,
    /// The user's `session_epoch` at sign-in; a later password change bumps it,
    /// which ends every older session.
    pub epoch: i64,
    /// When the person signed in (Unix ms), for the absolute session lifetime.
    pub authenticated_at: i64,
}

/// The configured session store.
#[derive(Clone, Debug)]
pub enum AppSessionStore {
    Sql(SqlSessionStore),
    Redis(RedisSessionStore),
}

impl AppSessionStore {
    /// Deletes expired sessions every `period`, for as long as the process runs, where
    /// the store does not expire them itself.
    pub async fn delete_expired_every(self, period: std::time::Duration) {
        match self {
            AppSessionStore::Sql(s) => s.delete_expired_every(period).await,
            AppSessionStore::Redis(_) => {}
        }
    }
}

#[async_trait]
impl SessionStore for AppSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            AppSessionStore::Sql(s) => s.create(record).await,
            AppSessionStore::Redis(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            AppSessionStore::Sql(s) => s.save(record).await,
            AppSessionStore::Redis(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            AppSessionStore::Sql(s) => s.load(id).await,
            AppSessionStore::Redis(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            AppSessionStore::Sql(s) => s.delete(id).await,
            AppSessionStore::Redis(s) => s.delete(id).await,
        }
    }
}

fn encode(record: &Record) -> session_store::Result<Vec<u8>> {
    serde_json::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))
}

fn decode(bytes: &[u8]) -> session_store::Result<Record> {
    serde_json::from_slice(bytes).map_err(|e| session_store::Error::Decode(e.to_string()))
}

fn backend_error(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}
