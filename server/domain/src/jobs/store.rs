//! The jobs table's SQL. Claiming differs by engine: PostgreSQL skips rows another
//! worker holds (`FOR UPDATE SKIP LOCKED`), so workers on every instance share the
//! queue; SQLite has one writer at a time, so the same single statement is atomic.
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::store::{Backend, Db};
use crate::types::{JobId, JobState, UserId};
use crate::Result;

/// A job a worker has claimed: its attempt number is the fencing token for everything
/// the worker writes about it.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub owner_id: Option<UserId>,
    pub attempt: i64,
    pub max_attempts: i64,
    pub cancel_requested: bool,
}

/// A full row, for pages.
#[derive(Clone, Debug)]
pub struct JobRow {
    pub id: JobId,
    pub kind: String,
    pub label: String,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub state: JobState,
    pub attempts: i64,
    pub max_attempts: i64,
    pub progress: i64,
    pub step: String,
    pub last_error: Option<String>,
    pub result: Option<String>,
    pub cancel_requested: bool,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub run_at: i64,
}

pub const ROW_COLUMNS: &str =
    "j.id, j.kind, j.label, j.owner_id, u.display_name AS owner_name, j.state, \
     j.attempts, j.max_attempts, j.progress, j.step, j.last_error, j.result, j.cancel_requested, \
     j.created_at, j.started_at, j.finished_at, j.run_at";

pub fn job_row(row: &AnyRow) -> Result<JobRow> {
    let state: String = row.try_get("state")?;
    Ok(JobRow {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        label: row.try_get("label")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        state: JobState::parse(&state)
            .ok_or_else(|| anyhow::anyhow!("unknown job state {state:?}"))?,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        progress: row.try_get("progress")?,
        step: row.try_get("step")?,
        last_error: row.try_get("last_error")?,
        result: row.try_get("result")?,
        cancel_requested: row.try_get::<i64, _>("cancel_requested")? != 0,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        run_at: row.try_get("run_at")?,
    })
}

pub async fn by_id(db: &Db, id: &JobId) -> Result<Option<JobRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM jobs j LEFT JOIN users u ON u.id = j.owner_id WHERE j.id = $1"
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(job_row).transpose()
}

/// Takes the next ready job of one of `kinds` — queued and due, or running with a
/// lease that ran out because its worker died — for `lease_ms`.
pub async fn claim(
    db: &Db,
    worker: &str,
    kinds: &[&str],
    now: i64,
    lease_ms: i64,
) -> Result<Option<Claimed>> {
    let kinds_list = (0..kinds.len())
        .map(|i| format!("${}", i + 4))
        .collect::<Vec<_>>()
        .join(", ");
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1, worker = $2, \
           started_at = COALESCE(started_at, $3), updated_at = $3 \
         WHERE id = (SELECT id FROM jobs \
           WHERE ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3)) \
             AND kind IN ({kinds_list}) \
           ORDER BY run_at, created_at LIMIT 1{lock}) \
         RETURNING id, kind, payload, owner_id, attempts, max_attempts, cancel_requested"
    );
    let mut query = sqlx::query(&sql)
        .bind(now + lease_ms)
        .bind(worker)
        .bind(now);
    for kind in kinds {
        query = query.bind(*kind);
    }
    let row = query.fetch_optional(db.pool()).await?;
    row.map(|row| -> Result<Claimed> {
        Ok(Claimed {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            payload: row.try_get("payload")?,
            owner_id: row.try_get("owner_id")?,
            attempt: row.try_get("attempts")?,
            max_attempts: row.try_get("max_attempts")?,
            cancel_requested: row.try_get::<i64, _>("cancel_requested")? != 0,
        })
    })
    .transpose()
}

/// What the lease renewal learned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lease {
    Held,
    CancelRequested,
    /// Another worker took the job over (this one was presumed dead), or it finished.
    Lost,
}

pub async fn renew(db: &Db, job: &Claimed, now: i64, lease_ms: i64) -> Result<Lease> {
    let row = sqlx::query(
        "UPDATE jobs SET lease_until = $1, updated_at = $2 \
         WHERE id = $3 AND attempts = $4 AND state = 'running' RETURNING cancel_requested",
    )
    .bind(now + lease_ms)
    .bind(now)
    .bind(&job.id)
    .bind(job.attempt)
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        None => Lease::Lost,
        Some(row) if row.try_get::<i64, _>("cancel_requested")? != 0 => Lease::CancelRequested,
        Some(_) => Lease::Held,
    })
}

/// Records progress; false when the attempt is no longer this worker's.
pub async fn progress(db: &Db, job: &Claimed, percent: u8, step: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET progress = $1, step = $2, updated_at = $3 \
         WHERE id = $4 AND attempts = $5 AND state = 'running'",
    )
    .bind(i64::from(percent.min(100)))
    .bind(step)
    .bind(now)
    .bind(&job.id)
    .bind(job.attempt)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends (or re-queues) the attempt. `run_at` is only used for `Queued` (a retry).
pub async fn settle(
    db: &Db,
    job: &Claimed,
    state: JobState,
    error: Option<&str>,
    run_at: i64,
    now: i64,
) -> Result<bool> {
    let finished = state.is_finished().then_some(now);
    let done = sqlx::query(
        "UPDATE jobs SET state = $1, last_error = COALESCE($2, last_error), run_at = $3, \
           lease_until = NULL, worker = NULL, finished_at = $4, updated_at = $5 \
         WHERE id = $6 AND attempts = $7 AND state = 'running'",
    )
    .bind(state.as_str())
    .bind(error)
    .bind(run_at)
    .bind(finished)
    .bind(now)
    .bind(&job.id)
    .bind(job.attempt)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts for the admin view.
pub async fn depth(db: &Db, now: i64) -> Result<crate::types::QueueDepth> {
    let row = sqlx::query(
        "SELECT \
           COALESCE(SUM(CASE WHEN state = 'queued' AND run_at <= $1 THEN 1 ELSE 0 END), 0) AS ready, \
           COALESCE(SUM(CASE WHEN state = 'queued' AND run_at > $1 THEN 1 ELSE 0 END), 0) AS waiting, \
           COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0) AS running, \
           MIN(CASE WHEN state = 'queued' AND run_at <= $1 THEN run_at END) AS oldest \
         FROM jobs WHERE state IN ('queued', 'running')",
    )
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    let oldest: Option<i64> = row.try_get("oldest")?;
    Ok(crate::types::QueueDepth {
        ready: row.try_get::<i64, _>("ready")?.max(0) as u64,
        waiting_retry: row.try_get::<i64, _>("waiting")?.max(0) as u64,
        running: row.try_get::<i64, _>("running")?.max(0) as u64,
        oldest_ready_ms: oldest.map(|t| (now - t).max(0)),
    })
}
