//! Durable background jobs. A job is a row: queued → running → succeeded, failed,
//! cancelled or dead. Workers ([`WorkerPool`]) claim ready jobs under a lease they keep
//! renewing; when a worker dies its lease runs out and another worker claims the job
//! again. A handler's effects and the job's success commit in one transaction fenced
//! by the attempt number ([`Finish`]), so a job whose first worker was presumed dead
//! still takes effect exactly once.
mod store;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::accounts::CurrentUser;
use crate::events::{Audience, Events};
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{
    CompetitorId, Conflict, Event, JobId, JobList, JobState, JobView, Role, UserId,
};
use crate::{Error, Result};

pub use worker::{Committed, Finish, JobContext, JobError, JobHandler, WorkerPool};

/// How jobs are run, as configured.
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// How long a claim lasts without renewal; a dead worker's job waits this long.
    pub lease: Duration,
    /// How often an idle worker looks for work another instance queued.
    pub poll: Duration,
    /// The first retry waits this long; each further one twice as long.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub max_attempts: u32,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            backoff_base: Duration::from_secs(5),
            backoff_max: Duration::from_secs(600),
            max_attempts: 4,
        }
    }
}

impl JobSettings {
    /// The wait before attempt `attempt + 1`, after attempt `attempt` (from 1) failed.
    pub fn backoff(&self, attempt: i64) -> Duration {
        let exp = attempt.clamp(1, 20) as u32 - 1;
        self.backoff_base
            .saturating_mul(2u32.saturating_pow(exp))
            .min(self.backoff_max)
    }
}

/// A job to queue.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: serde_json::Value,
    pub owner_id: Option<UserId>,
    /// What it concerns, e.g. `card:<id>`: lets a page find its jobs.
    pub subject: String,
    /// What it does, in words, for the jobs page.
    pub label: String,
    pub max_attempts: Option<u32>,
}

/// What a finished job leaves for its owner: a sentence and where to look.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub message: String,
    pub link: Option<String>,
}

#[derive(Clone)]
pub struct Jobs {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    events: Events,
    settings: JobSettings,
    wake: Notify,
}

const LIST_LIMIT: i64 = 100;

impl Jobs {
    pub fn new(db: Db, events: Events, settings: JobSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                events,
                settings,
                wake: Notify::new(),
            }),
        }
    }

    pub fn settings(&self) -> &JobSettings {
        &self.inner.settings
    }

    pub fn events(&self) -> &Events {
        &self.inner.events
    }

    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Queues a job and wakes an idle worker of this instance; returns its id.
    pub async fn enqueue(&self, job: NewJob) -> Result<JobId> {
        let id = JobId::new();
        let now = now_ms();
        let max_attempts = job
            .max_attempts
            .unwrap_or(self.inner.settings.max_attempts)
            .max(1);
        sqlx::query(
            "INSERT INTO jobs (id, kind, payload, owner_id, subject, label, state, max_attempts, run_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $8, $8)",
        )
        .bind(&id)
        .bind(job.kind)
        .bind(job.payload.to_string())
        .bind(job.owner_id)
        .bind(job.subject)
        .bind(job.label)
        .bind(i64::from(max_attempts))
        .bind(now)
        .execute(self.inner.db.pool())
        .await?;
        self.inner.wake.notify_one();
        Ok(id)
    }

    /// One job, to its owner or an admin.
    pub async fn get(&self, user: &CurrentUser, id: &JobId) -> Result<JobView> {
        let row = self.visible(user, id).await?;
        Ok(view(row))
    }

    async fn visible(&self, user: &CurrentUser, id: &JobId) -> Result<store::JobRow> {
        let row = store::by_id(&self.inner.db, id)
            .await?
            .ok_or(Error::NotFound)?;
        if row.owner_id.as_ref() != Some(&user.id) && user.role != Role::Admin {
            return Err(Error::NotFound);
        }
        Ok(row)
    }

    /// The caller's recent jobs; an admin asking for everyone's also gets the queue depth.
    pub async fn list(&self, user: &CurrentUser, everyone: bool) -> Result<JobList> {
        let everyone = everyone && user.role == Role::Admin;
        let sql = format!(
            "SELECT {} FROM jobs j LEFT JOIN users u ON u.id = j.owner_id {} ORDER BY j.created_at DESC, j.id LIMIT {LIST_LIMIT}",
            store::ROW_COLUMNS,
            if everyone { "" } else { "WHERE j.owner_id = $1" }
        );
        let mut query = sqlx::query(&sql);
        if !everyone {
            query = query.bind(&user.id);
        }
        let rows = query.fetch_all(self.inner.db.pool()).await?;
        let jobs = rows
            .iter()
            .map(|r| store::job_row(r).map(view))
            .collect::<Result<Vec<_>>>()?;
        let queue = if everyone {
            Some(store::depth(&self.inner.db, now_ms()).await?)
        } else {
            None
        };
        Ok(JobList {
            jobs,
            all_users: everyone,
            queue,
            can_see_all: user.role == Role::Admin,
        })
    }

    /// The newest job about `subject` that the caller may see, if any.
    pub async fn latest_for(
        &self,
        user: &CurrentUser,
        subject: &str,
        kind: &str,
    ) -> Result<Option<JobView>> {
        let sql = format!(
            "SELECT {} FROM jobs j LEFT JOIN users u ON u.id = j.owner_id \
             WHERE j.subject = $1 AND j.kind = $2 AND (j.owner_id = $3 OR $4 = 1) \
             ORDER BY j.created_at DESC, j.id LIMIT 1",
            store::ROW_COLUMNS
        );
        let row = sqlx::query(&sql)
            .bind(subject)
            .bind(kind)
            .bind(&user.id)
            .bind(i64::from(user.role == Role::Admin))
            .fetch_optional(self.inner.db.pool())
            .await?;
        row.as_ref()
            .map(store::job_row)
            .transpose()
            .map(|r| r.map(view))
    }

    /// Unfinished jobs of `kind` about any source of a competitor, visible to the caller,
    /// keyed by subject: one query for a whole sources list.
    pub async fn unfinished_for_sources(
        &self,
        user: &CurrentUser,
        competitor_id: &CompetitorId,
        kind: &str,
    ) -> Result<std::collections::HashMap<String, JobView>> {
        let sql = format!(
            "SELECT {}, j.subject FROM jobs j LEFT JOIN users u ON u.id = j.owner_id \
             WHERE j.kind = $1 AND j.state IN ('queued', 'running') AND (j.owner_id = $2 OR $3 = 1) \
               AND j.subject IN (SELECT 'source:' || id FROM sources WHERE competitor_id = $4) \
             ORDER BY j.created_at, j.id",
            store::ROW_COLUMNS
        );
        let rows = sqlx::query(&sql)
            .bind(kind)
            .bind(&user.id)
            .bind(i64::from(user.role == Role::Admin))
            .bind(competitor_id)
            .fetch_all(self.inner.db.pool())
            .await?;
        let mut out = std::collections::HashMap::new();
        for row in &rows {
            let subject: String = sqlx::Row::try_get(row, "subject")?;
            out.insert(subject, view(store::job_row(row)?));
        }
        Ok(out)
    }

    /// Cancels a queued job at once; asks the worker of a running one to stop (it does
    /// within a lease renewal). Finished jobs cannot be cancelled.
    pub async fn cancel(&self, user: &CurrentUser, id: &JobId) -> Result<JobView> {
        let row = self.visible(user, id).await?;
        let now = now_ms();
        let message = format!("Cancelled by {}.", user.name);
        match row.state {
            JobState::Queued => {
                let done = sqlx::query(
                    "UPDATE jobs SET state = 'cancelled', last_error = $1, finished_at = $2, updated_at = $2 \
                     WHERE id = $3 AND state = 'queued'",
                )
                .bind(&message)
                .bind(now)
                .bind(id)
                .execute(self.inner.db.pool())
                .await?;
                if done.rows_affected() == 1 {
                    if let Some(owner) = &row.owner_id {
                        self.publish_finished(owner, id, JobState::Cancelled, &message, None)
                            .await;
                    }
                    return self.get(user, id).await;
                }
                // A worker claimed it meanwhile: ask that worker to stop.
                Box::pin(self.cancel(user, id)).await
            }
            JobState::Running => {
                sqlx::query(
                    "UPDATE jobs SET cancel_requested = 1, last_error = $1, updated_at = $2 WHERE id = $3 AND state = 'running'",
                )
                .bind(&message)
                .bind(now)
                .bind(id)
                .execute(self.inner.db.pool())
                .await?;
                self.get(user, id).await
            }
            _ => Err(Error::Conflict(Conflict::JobFinished)),
        }
    }

    pub async fn queue_depth(&self) -> Result<crate::types::QueueDepth> {
        store::depth(&self.inner.db, now_ms()).await
    }

    pub(crate) async fn publish_finished(
        &self,
        owner: &UserId,
        id: &JobId,
        state: JobState,
        message: &str,
        link: Option<String>,
    ) {
        self.inner
            .events
            .publish(
                Audience::User(owner.clone()),
                Event::JobFinished {
                    job_id: id.clone(),
                    state,
                    message: message.to_string(),
                    link,
                },
            )
            .await;
    }

    pub(crate) async fn woken(&self) {
        self.inner.wake.notified().await
    }
}

fn view(row: store::JobRow) -> JobView {
    let outcome: Option<Outcome> = row
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    JobView {
        id: row.id,
        kind: row.kind,
        label: row.label,
        state: row.state,
        attempts: row.attempts.max(0) as u32,
        max_attempts: row.max_attempts.max(0) as u32,
        progress: row.progress.clamp(0, 100) as u8,
        step: outcome
            .as_ref()
            .map(|o| o.message.clone())
            .filter(|m| !m.is_empty())
            .unwrap_or(row.step),
        last_error: row.last_error,
        link: outcome.and_then(|o| o.link),
        owner_name: row.owner_name,
        created_at: row.created_at,
        started_at: row.started_at,
        finished_at: row.finished_at,
        run_at: row.run_at,
        cancel_requested: row.cancel_requested,
    }
}
