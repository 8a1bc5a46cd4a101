//! The deployment's shared-state layer, built once at start from the deployment mode:
//! sessions, the cache (counters and rate limits, values with expiry, presence maps),
//! the live-event bus, the rendered pages and who sessions are. A standalone instance
//! keeps sessions in its SQL database and the rest in process; shared instances keep
//! all of it in Redis, so any number of them behave as one. Rendered pages and who
//! sessions are stay in process in both modes, kept under the database's versions
//! (see [`crate::versions`]), which makes them right on any number of instances.
//! Everything else receives this layer and never asks which it is.
use std::time::Duration;

use anyhow::Context;

use crate::cache::{connect_redis, Cache, InProcessLimits, RedisBackend};
use crate::events::Events;
use crate::pages::PageCache;
use crate::presence::Presence;
use crate::sessions::{AppSessionStore, KeptIdentities, RedisSessionStore, SqlSessionStore};
use crate::store::Db;
use crate::versions::VersionReader;

/// How many sessions' identities an instance keeps at most.
const KEPT_IDENTITIES: u64 = 100_000;

/// Where shared instances meet.
#[derive(Clone, Debug)]
pub struct RedisSettings {
    pub url: String,
    pub pool_size: usize,
    /// Put before every key and channel, so that deployments can share a server.
    pub prefix: String,
}

#[derive(Clone, Debug)]
pub struct Shared {
    cache: Cache,
    sessions: AppSessionStore,
    events: Events,
    presence: Presence,
    pages: PageCache,
    versions: VersionReader,
    identities: KeptIdentities,
}

impl Shared {
    /// The layer of an instance that runs on its own (it holds the database's
    /// instance claim, so nothing else writes what it keeps in process).
    pub fn standalone(db: &Db, limits: InProcessLimits, page_bytes: u64) -> Self {
        let cache = Cache::in_process(limits);
        let versions = VersionReader::new(db.clone());
        Shared {
            pages: PageCache::new(page_bytes),
            sessions: AppSessionStore::sql(
                SqlSessionStore::new(db.clone(), cache.clone()),
                versions.clone(),
            ),
            events: Events::in_process(),
            presence: Presence::new(cache.clone()),
            cache,
            versions,
            identities: KeptIdentities::new(KEPT_IDENTITIES),
        }
    }

    /// The layer of instances that share Redis. Rendered pages are kept in process
    /// here too: their keys carry the database's page version (see [`PageCache`]).
    pub async fn redis(settings: &RedisSettings, db: &Db, page_bytes: u64) -> anyhow::Result<Self> {
        let pool = connect_redis(&settings.url, settings.pool_size).await?;
        let cache = Cache::new(RedisBackend::new(pool.clone(), &settings.prefix));
        let events = Events::redis(&settings.url, pool.clone(), &settings.prefix)
            .await
            .context("live events")?;
        let versions = VersionReader::new(db.clone());
        Ok(Shared {
            pages: PageCache::new(page_bytes),
            sessions: AppSessionStore::redis(
                RedisSessionStore::new(pool, &settings.prefix),
                versions.clone(),
            ),
            events,
            presence: Presence::new(cache.clone()),
            cache,
            versions,
            identities: KeptIdentities::new(KEPT_IDENTITIES),
        })
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    pub fn sessions(&self) -> &AppSessionStore {
        &self.sessions
    }

    pub fn events(&self) -> &Events {
        &self.events
    }

    pub fn presence(&self) -> &Presence {
        &self.presence
    }

    pub fn pages(&self) -> &PageCache {
        &self.pages
    }

    /// The versions of what the database holds, read once per request before anything
    /// kept in process is used.
    pub fn versions(&self) -> &VersionReader {
        &self.versions
    }

    /// Who recently seen sessions are, kept under the versions they were read at.
    pub fn identities(&self) -> &KeptIdentities {
        &self.identities
    }

    /// Housekeeping that runs for as long as the process does (expired sessions are
    /// deleted from the SQL database; Redis expires its keys itself).
    pub async fn upkeep(self) {
        self.sessions
            .delete_expired_every(Duration::from_secs(600))
            .await
    }
}
