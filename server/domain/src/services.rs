//! The long-lived services, built once at start and shared by every request.
use std::sync::Arc;

use crate::accounts::Accounts;
use crate::ai::{AiDraftJob, AiSettings, Drafts, Orchestrator, SummariseJob};
use crate::battlecards::{Battlecards, ViewRecorder};
use crate::cache::Cache;
use crate::competitors::Competitors;
use crate::events::Events;
use crate::jobs::{JobHandler, JobSettings, Jobs, WorkerPool};
use crate::presence::Presence;
use crate::revision::ContentRevision;
use crate::sessions::AppSessionStore;
use crate::sources::{FetchPolicy, FetchSource, Fetcher, Sources};
use crate::store::Db;

/// The connections every service builds on.
pub struct Foundations {
    pub db: Db,
    pub cache: Cache,
    pub sessions: AppSessionStore,
    pub events: Events,
}

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
    drafts: Drafts,
    events: Events,
    presence: Presence,
    jobs: Jobs,
    sources: Sources,
    fetcher: Fetcher,
    revision: ContentRevision,
}

impl Services {
    pub fn new(
        base: Foundations,
        accounts: Accounts,
        jobs: JobSettings,
        fetch: FetchPolicy,
        ai: AiSettings,
    ) -> anyhow::Result<Self> {
        let Foundations {
            db,
            cache,
            sessions,
            events,
        } = base;
        // Must run inside the Tokio runtime: the view recorder spawns its writer task.
        let revision = ContentRevision::default();
        let competitors = Competitors::new(db.clone(), revision.clone());
        let battlecards = Battlecards::new(
            db.clone(),
            ViewRecorder::start(db.clone()),
            revision.clone(),
        );
        let jobs = Jobs::new(db.clone(), events.clone(), jobs);
        let sources = Sources::new(db.clone(), jobs.clone());
        let orchestrator =
            Arc::new(Orchestrator::new(db.clone(), cache.clone(), ai)?.with_events(events.clone()));
        let drafts = Drafts::new(
            db.clone(),
            jobs.clone(),
            battlecards.clone(),
            orchestrator,
            cache.clone(),
        );
        let fetcher = Fetcher::new(fetch)?;
        let presence = Presence::for_cache(&cache);
        Ok(Self {
            inner: Arc::new(Inner {
                competitors,
                battlecards,
                drafts,
                events,
                presence,
                jobs,
                sources,
                fetcher,
                db,
                cache,
                sessions,
                accounts,
                revision,
            }),
        })
    }

    /// Starts `count` job workers running every kind of job.
    pub fn start_workers(&self, count: usize) -> WorkerPool {
        let handlers: Vec<Arc<dyn JobHandler>> = vec![
            Arc::new(FetchSource::new(
                self.inner.db.clone(),
                self.inner.fetcher.clone(),
            )),
            Arc::new(AiDraftJob::new(
                self.inner.db.clone(),
                self.inner.drafts.orchestrator_handle(),
            )),
            Arc::new(SummariseJob::new(
                self.inner.db.clone(),
                self.inner.drafts.orchestrator_handle(),
            )),
        ];
        WorkerPool::start(self.inner.jobs.clone(), handlers, count)
    }

    pub fn drafts(&self) -> &Drafts {
        &self.inner.drafts
    }

    pub fn events(&self) -> &Events {
        &self.inner.events
    }

    pub fn presence(&self) -> &Presence {
        &self.inner.presence
    }

    pub fn jobs(&self) -> &Jobs {
        &self.inner.jobs
    }

    pub fn sources(&self) -> &Sources {
        &self.inner.sources
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

    /// The content revision, where this process is the only writer (no Redis, so one
    /// instance); `None` with several instances, where pages must not be kept.
    pub fn content_revision(&self) -> Option<u64> {
        self.inner
            .cache
            .single_instance()
            .then(|| self.inner.revision.current())
    }
}
