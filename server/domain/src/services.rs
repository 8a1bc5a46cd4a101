//! The long-lived services, built once at start and shared by every request.
use std::sync::Arc;

use crate::accounts::Accounts;
use crate::battlecards::{Battlecards, ViewRecorder};
use crate::cache::Cache;
use crate::competitors::Competitors;
use crate::sessions::AppSessionStore;
use crate::store::Db;

/// Everything a request handler or server function may call. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    cache: Cache,
    sessions: AppSessionStore,
    accounts: Accounts,
    competitors: Competitors,
    battlecards: Battlecards,
    /// Whether the request's client address may be taken from `X-Forwarded-For`.
    trust_proxy: bool,
}

impl Services {
    pub fn new(
        db: Db,
        cache: Cache,
        sessions: AppSessionStore,
        accounts: Accounts,
        trust_proxy: bool,
    ) -> Self {
        // Must run inside the Tokio runtime: the view recorder spawns its writer task.
        let competitors = Competitors::new(db.clone());
        let battlecards = Battlecards::new(db.clone(), ViewRecorder::start(db.clone()));
        Self {
            inner: Arc::new(Inner {
                competitors,
                battlecards,
                db,
                cache,
                sessions,
                accounts,
                trust_proxy,
            }),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn cache(&self) -> &Cache {
        &self.inner.cache
    }

    pub fn sessions(&self) -> &AppSessionStore {
        &self.inner.sessions
    }

    pub fn accounts(&self) -> &Accounts {
        &self.inner.accounts
    }

    pub fn competitors(&self) -> &Competitors {
        &self.inner.competitors
    }

    pub fn battlecards(&self) -> &Battlecards {
        &self.inner.battlecards
    }

    pub fn trust_proxy(&self) -> bool {
        self.inner.trust_proxy
    }
}
