//! The versions of what the database holds, which let this process keep copies (rendered
//! pages, who a session is) that are right on every instance without asking anyone.
//!
//! One row, `page_version`, counts writes: database triggers bump `n` on every write to
//! a table a page reads and `views` on card view counts, whichever instance or worker
//! writes; the session store bumps `sessions` after a session is created or deleted
//! (sessions live in Redis or SQL, see [`crate::sessions`]). A request reads the row first, so a
//! copy kept under older versions is never used once the write that made it stale has
//! been answered, on any instance.
use std::future::Future;
use std::sync::{Arc, Mutex};

use futures_util::future::{BoxFuture, FutureExt, Shared};

use crate::store::Db;

/// The versions a request reads before it uses anything kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Versions {
    /// Of everything pages show apart from view counts (users included).
    pub pages: i64,
    /// Of card view counts.
    pub views: i64,
    /// Of sessions: every sign-in and sign-out.
    pub sessions: i64,
}

type VersionRead = Shared<BoxFuture<'static, Result<Versions, Arc<anyhow::Error>>>>;

/// Reads the versions, sharing one read among the requests that arrive together.
#[derive(Clone)]
pub struct VersionReader {
    db: Db,
    /// The read that has not started yet, which new requests join.
    queued: Arc<Mutex<Option<VersionRead>>>,
    /// Held by the read in flight: one at a time.
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for VersionReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VersionReader")
    }
}

impl VersionReader {
    pub fn new(db: Db) -> Self {
        VersionReader {
            db,
            queued: Arc::default(),
            turn: Arc::default(),
        }
    }

    /// The versions as committed before this call: the read it returns starts after the
    /// call. Concurrent callers share reads — at most one runs, and everyone who arrives
    /// meanwhile waits for the single next one — so a busy instance sends the database
    /// one short query per round trip, not one per request.
    pub async fn read(&self) -> anyhow::Result<Versions> {
        let read = {
            let mut queued = self.queued.lock().unwrap_or_else(|e| e.into_inner());
            queued
                .get_or_insert_with(|| self.read_now().boxed().shared())
                .clone()
        };
        read.await.map_err(|e| anyhow::anyhow!("{e:#}"))
    }

    fn read_now(&self) -> impl Future<Output = Result<Versions, Arc<anyhow::Error>>> + 'static {
        let db = self.db.clone();
        let queued = self.queued.clone();
        let turn = self.turn.clone();
        async move {
            let _turn = turn.lock().await;
            // From here on, arrivals wait for the next read: this one may no longer
            // see what they have seen committed.
            queued.lock().unwrap_or_else(|e| e.into_inner()).take();
            let (pages, views, sessions): (i64, i64, i64) =
                sqlx::query_as("SELECT n, views, sessions FROM page_version WHERE id = 1")
                    .fetch_one(db.pool())
                    .await
                    .map_err(|e| Arc::new(anyhow::Error::new(e).context("reading page_version")))?;
            Ok(Versions {
                pages,
                views,
                sessions,
            })
        }
    }

    /// Call after a session was created or deleted (or failed to be, in an unknown
    /// state): every copy of who a session is, on every instance, stops being used.
    pub async fn sessions_changed(&self) -> anyhow::Result<()> {
        sqlx::query("UPDATE page_version SET sessions = sessions + 1 WHERE id = 1")
            .execute(self.db.pool())
            .await?;
        Ok(())
    }
}
