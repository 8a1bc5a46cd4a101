//! Server-side sessions for tower-sessions: in the SQL database for a standalone
//! instance, in Redis for shared ones (the shared-state layer picks). One enum rather
//! than `dyn`, because the session layer wants one concrete store type. Who a session
//! is may be kept in process ([`KeptIdentities`]) under the versions of sessions and
//! users.
mod redis;
mod sql;

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::accounts::CurrentUser;
use crate::types::UserId;
use crate::versions::{VersionReader, Versions};

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

/// The configured session store: in SQL or in Redis. Creating or deleting a session
/// bumps the sessions version after it is done (see [`crate::versions`]), so no
/// instance goes on using a copy of who a signed-out session was.
#[derive(Clone, Debug)]
pub struct AppSessionStore {
    backend: Backend,
    versions: VersionReader,
}

#[derive(Clone, Debug)]
enum Backend {
    Sql(SqlSessionStore),
    Redis(RedisSessionStore),
}

impl AppSessionStore {
    pub fn sql(store: SqlSessionStore, versions: VersionReader) -> Self {
        AppSessionStore {
            backend: Backend::Sql(store),
            versions,
        }
    }

    pub fn redis(store: RedisSessionStore, versions: VersionReader) -> Self {
        AppSessionStore {
            backend: Backend::Redis(store),
            versions,
        }
    }

    /// Deletes expired sessions every `period`, for as long as the process runs, where
    /// the store does not expire them itself.
    pub async fn delete_expired_every(self, period: std::time::Duration) {
        match self.backend {
            Backend::Sql(s) => s.delete_expired_every(period).await,
            Backend::Redis(_) => {}
        }
    }

    /// Bumps the sessions version after a write, whatever the write's outcome (a failed
    /// write may still have happened).
    async fn changed<T>(&self, written: session_store::Result<T>) -> session_store::Result<T> {
        let bumped = self
            .versions
            .sessions_changed()
            .await
            .map_err(backend_error);
        let written = written?;
        bumped?;
        Ok(written)
    }
}

#[async_trait]
impl SessionStore for AppSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let written = match &self.backend {
            Backend::Sql(s) => s.create(record).await,
            Backend::Redis(s) => s.create(record).await,
        };
        self.changed(written).await
    }

    /// A save of an existing session changes no one's identity: it pushes back the
    /// expiry (`seen`, which each instance's copy tracks itself), or replaces the
    /// identity after a password change, which bumps the user's row. Bumping here would
    /// drop every instance's copies each time any active session is marked seen.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match &self.backend {
            Backend::Sql(s) => s.save(record).await,
            Backend::Redis(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match &self.backend {
            Backend::Sql(s) => s.load(id).await,
            Backend::Redis(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let written = match &self.backend {
            Backend::Sql(s) => s.delete(id).await,
            Backend::Redis(s) => s.delete(id).await,
        };
        self.changed(written).await
    }
}

/// Who a session is, as a request found it: the session's identity, when it was last
/// marked seen, and its user (found enabled and of the session's epoch).
#[derive(Clone, Debug)]
pub struct Identity {
    pub auth: SessionAuth,
    pub seen: Option<i64>,
    pub user: CurrentUser,
}

/// Who recently seen sessions are, kept in this process under the versions they were
/// read at: a session's next request at the same versions needs neither its session nor
/// its user read again. A write to any session or user bumps a version, so a session
/// signed out or a user disabled through any instance is read again, and refused, on
/// the next request everywhere. Copies also go after a minute, whatever happens.
#[derive(Clone)]
pub struct KeptIdentities(moka::sync::Cache<Id, Arc<(DependsOn, Identity)>>);

/// The versions a kept identity depends on: of users (in the pages version) and of
/// sessions, not of card views, which reps add to all day.
type DependsOn = (i64, i64);

fn depends_on(versions: Versions) -> DependsOn {
    (versions.pages, versions.sessions)
}

impl std::fmt::Debug for KeptIdentities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeptIdentities({})", self.0.entry_count())
    }
}

impl KeptIdentities {
    pub fn new(max_sessions: u64) -> Self {
        KeptIdentities(
            moka::sync::Cache::builder()
                .max_capacity(max_sessions)
                .time_to_live(std::time::Duration::from_secs(60))
                .build(),
        )
    }

    /// Who session `id` was found to be at `versions` (or at any that differ only in
    /// card views).
    pub fn get(&self, id: &Id, versions: Versions) -> Option<Identity> {
        self.0
            .get(id)
            .filter(|kept| kept.0 == depends_on(versions))
            .map(|kept| kept.1.clone())
    }

    /// Keeps who session `id` is, as read after `versions` were.
    pub fn keep(&self, id: Id, versions: Versions, identity: Identity) {
        self.0
            .insert(id, Arc::new((depends_on(versions), identity)));
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
