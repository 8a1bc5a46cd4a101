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
use crate::sessions::AppSessionStore;
use crate::shared::Shared;
use crate::sources::{FetchPolicy, FetchSource, Fetcher, Sources};
use crate::store::Db;

/// The connections every service builds on.
pub struct Foundations {
    pub db: Db,
    pub shared: Shared,
}

/// Everything a request handler or server function may call. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    shared: Shared,
    accounts: Accounts,
    competitors: Competitors,
    battlecards: Battlecards,
    drafts: Drafts,
    jobs: Jobs,
    sources: Sources,
    fetcher: Fetcher,
}

impl Services {
    pub fn new(
        base: Foundations,
        accounts: Accounts,
        jobs: JobSettings,
        fetch: FetchPolicy,
        ai: AiSettings,
    ) -> anyhow::Result<Self> {
        let Foundations { db, shared } = base;
        let cache = shared.cache().clone();
        let events = shared.events().clone();
        // Must run inside the Tokio runtime: the view recorder spawns its writer task.
        let competitors = Competitors::new(db.clone());
        let battlecards = Battlecards::new(db.clone(), ViewRecorder::start(db.clone()));
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
        Ok(Self {
            inner: Arc::new(Inner {
                competitors,
                battlecards,
                drafts,
                jobs,
                sources,
                fetcher,
                db,
                shared,
                accounts,
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

    /// The deployment's shared-state layer.
    pub fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    pub fn events(&self) -> &Events {
        self.inner.shared.events()
    }

    pub fn presence(&self) -> &Presence {
        self.inner.shared.presence()
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
        self.inner.shared.cache()
    }

    pub fn sessions(&self) -> &AppSessionStore {
        self.inner.shared.sessions()
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
}
