//! Workers: claim, run under a renewed lease, settle. A handler ends a job only
//! through [`Finish`], whose transaction first proves the attempt is still this
//! worker's and not cancelled, then carries the handler's own writes and the success.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::store::{self, Claimed, Lease};
use super::{Jobs, Outcome};
use crate::events::Audience;
use crate::time::now_ms;
use crate::types::{Event, JobId, JobState, UserId};

/// Why an attempt did not succeed.
#[derive(Debug)]
pub enum JobError {
    /// Worth another attempt (network trouble, a busy provider): retried with backoff.
    Retry(String),
    /// Will not get better by retrying (bad input, a page that does not exist).
    Fail(String),
    /// Its owner cancelled it.
    Cancelled,
    /// Another worker took it over; this attempt's results are void.
    Lost,
}

impl From<crate::Error> for JobError {
    fn from(error: crate::Error) -> Self {
        match error {
            crate::Error::NotFound => {
                JobError::Fail("What this job was about no longer exists.".into())
            }
            crate::Error::Validation(errors) => JobError::Fail(
                errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            crate::Error::Conflict(conflict) => JobError::Fail(conflict.message()),
            crate::Error::Forbidden => {
                JobError::Fail("Its owner is no longer allowed to do this.".into())
            }
            other => {
                tracing::error!(error = ?other, "a job hit an unexpected error");
                JobError::Retry("An unexpected error occurred on the server.".into())
            }
        }
    }
}

impl From<sqlx::Error> for JobError {
    fn from(error: sqlx::Error) -> Self {
        crate::Error::from(error).into()
    }
}

/// Proof that a job's success was committed; only [`Finish::succeed`] makes one.
pub struct Committed(Outcome);

/// The job, for its handler.
pub struct JobContext {
    jobs: Jobs,
    job: Claimed,
}

impl JobContext {
    pub fn id(&self) -> &JobId {
        &self.job.id
    }

    pub fn owner_id(&self) -> Option<&UserId> {
        self.job.owner_id.as_ref()
    }

    pub fn attempt(&self) -> i64 {
        self.job.attempt
    }

    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, JobError> {
        serde_json::from_str(&self.job.payload)
            .map_err(|e| JobError::Fail(format!("The job's request could not be read ({e}).")))
    }

    /// Records progress and tells the owner's open pages.
    pub async fn progress(&self, percent: u8, step: &str) -> Result<(), JobError> {
        let db = self.jobs.db();
        if !store::progress(db, &self.job, percent, step, now_ms()).await? {
            return Err(JobError::Lost);
        }
        if let Some(owner) = &self.job.owner_id {
            self.jobs
                .events()
                .publish(
                    Audience::User(owner.clone()),
                    Event::JobProgress {
                        job_id: self.job.id.clone(),
                        percent: percent.min(100),
                        step: step.to_string(),
                    },
                )
                .await;
        }
        Ok(())
    }

    /// Opens the transaction that ends the job (see [`Finish`]).
    pub async fn finish(&self) -> Result<Finish, JobError> {
        let mut tx = self.jobs.db().pool().begin().await?;
        let held = sqlx::query(
            "UPDATE jobs SET updated_at = $1 \
             WHERE id = $2 AND attempts = $3 AND state = 'running' AND cancel_requested = 0",
        )
        .bind(now_ms())
        .bind(&self.job.id)
        .bind(self.job.attempt)
        .execute(&mut *tx)
        .await?;
        if held.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(JobError::Lost);
        }
        Ok(Finish {
            tx,
            id: self.job.id.clone(),
            attempt: self.job.attempt,
        })
    }

    /// Ends a job that writes nothing of its own.
    pub async fn succeed(&self, outcome: Outcome) -> Result<Committed, JobError> {
        self.finish().await?.succeed(outcome).await
    }
}

/// A transaction in which this attempt still holds its job (on PostgreSQL its row is
/// locked). Write the job's effects through [`Finish::conn`], then [`Finish::succeed`];
/// dropping it rolls everything back.
pub struct Finish {
    tx: Transaction<'static, Any>,
    id: JobId,
    attempt: i64,
}

impl Finish {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub async fn succeed(mut self, outcome: Outcome) -> Result<Committed, JobError> {
        let now = now_ms();
        let result = serde_json::to_string(&outcome).unwrap_or_default();
        sqlx::query(
            "UPDATE jobs SET state = 'succeeded', progress = 100, result = $1, last_error = NULL, \
               lease_until = NULL, worker = NULL, finished_at = $2, updated_at = $2 \
             WHERE id = $3 AND attempts = $4 AND state = 'running'",
        )
        .bind(result)
        .bind(now)
        .bind(&self.id)
        .bind(self.attempt)
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(Committed(outcome))
    }
}

/// Runs one kind of job.
#[async_trait::async_trait]
pub trait JobHandler: Send + Sync + 'static {
    fn kind(&self) -> &'static str;
    async fn run(&self, ctx: &JobContext) -> Result<Committed, JobError>;
}

/// Workers of one process.
pub struct WorkerPool {
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
}

impl WorkerPool {
    /// Starts `count` workers for the given handlers.
    pub fn start(jobs: Jobs, handlers: Vec<Arc<dyn JobHandler>>, count: usize) -> Self {
        let (stop, stopped) = watch::channel(false);
        let handlers: Arc<HashMap<&'static str, Arc<dyn JobHandler>>> =
            Arc::new(handlers.into_iter().map(|h| (h.kind(), h)).collect());
        // Tells workers apart in the jobs table; not an entity, so not an id type.
        let process = uuid::Uuid::new_v4().simple().to_string();
        let workers = (0..count)
            .map(|n| {
                let worker = Worker {
                    jobs: jobs.clone(),
                    handlers: handlers.clone(),
                    name: format!("{}-{n}", &process[..8]),
                    stopped: stopped.clone(),
                };
                tokio::spawn(worker.run())
            })
            .collect();
        Self { stop, workers }
    }

    /// Stops claiming, and waits up to `grace` for running jobs to finish. Jobs still
    /// running after that are left to their lease: another worker takes them over.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let all = futures_util::future::join_all(self.workers);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("jobs still running at shutdown are left for another worker");
        }
    }
}

struct Worker {
    jobs: Jobs,
    handlers: Arc<HashMap<&'static str, Arc<dyn JobHandler>>>,
    name: String,
    stopped: watch::Receiver<bool>,
}

impl Worker {
    async fn run(mut self) {
        let kinds: Vec<&str> = self.handlers.keys().copied().collect();
        let settings = self.jobs.settings().clone();
        let lease_ms = settings.lease.as_millis() as i64;
        loop {
            if *self.stopped.borrow() {
                break;
            }
            match store::claim(self.jobs.db(), &self.name, &kinds, now_ms(), lease_ms).await {
                Ok(Some(job)) => {
                    let span = tracing::info_span!("job", job.id = %job.id, job.kind = %job.kind, attempt = job.attempt);
                    self.execute(job).instrument(span).await
                }
                Ok(None) => {
                    tokio::select! {
                        _ = self.jobs.woken() => {}
                        _ = tokio::time::sleep(settings.poll) => {}
                        _ = self.stopped.changed() => {}
                    }
                }
                Err(e) => {
                    tracing::error!(error = ?e, "failed to claim a job");
                    tokio::time::sleep(settings.poll).await;
                }
            }
        }
    }

    async fn execute(&self, job: Claimed) {
        if job.cancel_requested {
            self.settle(&job, JobState::Cancelled, None).await;
            return;
        }
        if job.attempt > job.max_attempts {
            let message = format!(
                "Gave up: the worker running it stopped {} times.",
                job.max_attempts
            );
            self.settle(&job, JobState::Dead, Some(message)).await;
            return;
        }
        let Some(handler) = self.handlers.get(job.kind.as_str()).cloned() else {
            return; // claim() only returns known kinds
        };
        let settings = self.jobs.settings();
        let lease_ms = settings.lease.as_millis() as i64;
        let ctx = JobContext {
            jobs: self.jobs.clone(),
            job: job.clone(),
        };
        let mut task = tokio::spawn(async move { handler.run(&ctx).await });
        let mut renew = tokio::time::interval((settings.lease / 3).min(Duration::from_secs(2)));
        renew.tick().await;
        let result = loop {
            tokio::select! {
                joined = &mut task => break match joined {
                    Ok(result) => result,
                    Err(e) if e.is_panic() => {
                        tracing::error!("a job handler panicked");
                        Err(JobError::Retry("The job crashed on the server.".into()))
                    }
                    Err(_) => Err(JobError::Lost),
                },
                _ = renew.tick() => match store::renew(self.jobs.db(), &job, now_ms(), lease_ms).await {
                    Ok(Lease::Held) => {}
                    Ok(Lease::CancelRequested) => { task.abort(); break Err(JobError::Cancelled) }
                    Ok(Lease::Lost) => { task.abort(); break Err(JobError::Lost) }
                    Err(e) => tracing::warn!(error = ?e, "failed to renew a job's lease"),
                },
            }
        };
        match result {
            Ok(Committed(outcome)) => {
                tracing::info!("job succeeded");
                if let Some(owner) = &job.owner_id {
                    self.jobs
                        .publish_finished(
                            owner,
                            &job.id,
                            JobState::Succeeded,
                            &outcome.message,
                            outcome.link,
                        )
                        .await;
                }
            }
            Err(JobError::Cancelled) => self.settle(&job, JobState::Cancelled, None).await,
            Err(JobError::Lost) => {
                // Lost to cancellation while committing, or taken over: settle only if
                // it is still ours (the fence decides).
                let cancelled = matches!(
                    store::renew(self.jobs.db(), &job, now_ms(), lease_ms).await,
                    Ok(Lease::CancelRequested)
                );
                if cancelled {
                    self.settle(&job, JobState::Cancelled, None).await;
                } else {
                    tracing::warn!("a job's lease was lost; another worker has it");
                }
            }
            Err(JobError::Fail(message)) => {
                self.settle(&job, JobState::Failed, Some(message)).await
            }
            Err(JobError::Retry(message)) if job.attempt < job.max_attempts => {
                let wait = settings.backoff(job.attempt);
                tracing::warn!(error = %message, retry_in_ms = wait.as_millis() as u64, "job attempt failed; will retry");
                let run_at = now_ms() + wait.as_millis() as i64;
                let _ = store::settle(
                    self.jobs.db(),
                    &job,
                    JobState::Queued,
                    Some(&message),
                    run_at,
                    now_ms(),
                )
                .await;
                if let Some(owner) = &job.owner_id {
                    let step = format!(
                        "Attempt {} of {} failed: {message} Retrying in {} s.",
                        job.attempt,
                        job.max_attempts,
                        wait.as_secs().max(1)
                    );
                    self.jobs
                        .events()
                        .publish(
                            Audience::User(owner.clone()),
                            Event::JobProgress {
                                job_id: job.id.clone(),
                                percent: 0,
                                step,
                            },
                        )
                        .await;
                }
            }
            Err(JobError::Retry(message)) => {
                let message = format!(
                    "Gave up after {} attempts. Last error: {message}",
                    job.attempt
                );
                self.settle(&job, JobState::Dead, Some(message)).await
            }
        }
    }

    /// Ends the attempt in a final state and tells the owner.
    async fn settle(&self, job: &Claimed, state: JobState, message: Option<String>) {
        let now = now_ms();
        match store::settle(self.jobs.db(), job, state, message.as_deref(), now, now).await {
            Ok(true) => {
                tracing::info!(state = state.as_str(), "job settled");
                if let Some(owner) = &job.owner_id {
                    let text = message.unwrap_or_else(|| format!("{}.", state.label()));
                    self.jobs
                        .publish_finished(owner, &job.id, state, &text, None)
                        .await;
                }
            }
            Ok(false) => tracing::warn!("a job changed hands before it could be settled"),
            Err(e) => tracing::error!(error = ?e, "failed to settle a job"),
        }
    }
}
