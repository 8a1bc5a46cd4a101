//! A competitor's sources — pasted notes and fetched web pages — and their immutable
//! snapshots. Editors add, refresh and remove sources; everyone signed in reads them
//! (citations on published cards link to snapshots).
pub mod extract;
pub mod fetch;
mod fetch_job;

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::accounts::CurrentUser;
use crate::competitors::validate::parse_website;
use crate::error::{Error, FieldErrors, Result};
use crate::jobs::{Jobs, NewJob};
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{
    source_limits as limits, CompetitorId, Conflict, Role, SnapshotId, SnapshotView, SourceId,
    SourceKind, SourceStatus, SourceView, UserId,
};

pub use fetch::{FetchPolicy, Fetcher};
pub use fetch_job::{FetchSource, FETCH_KIND};

#[derive(Clone)]
pub struct Sources {
    db: Db,
    jobs: Jobs,
}

const COLUMNS: &str = "s.id, s.competitor_id, s.kind, s.title, s.url, s.status, s.last_error, \
     s.latest_snapshot_id, s.fetched_at, CAST(COALESCE(LENGTH(sn.text), 0) AS BIGINT) AS chars";

/// A snapshot's identity: the SHA-256 of its text.
pub fn content_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl Sources {
    pub fn new(db: Db, jobs: Jobs) -> Self {
        Self { db, jobs }
    }

    /// A competitor's sources, newest first, with any fetch in progress.
    pub async fn list(
        &self,
        user: &CurrentUser,
        competitor_id: &CompetitorId,
    ) -> Result<Vec<SourceView>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM sources s LEFT JOIN source_snapshots sn ON sn.id = s.latest_snapshot_id \
             WHERE s.competitor_id = $1 AND s.removed_at IS NULL ORDER BY s.created_at DESC, s.id"
        ))
        .bind(competitor_id)
        .fetch_all(self.db.pool())
        .await?;
        let mut running = if user.role.at_least(Role::Editor) {
            self.jobs
                .unfinished_for_sources(user, competitor_id, FETCH_KIND)
                .await?
        } else {
            Default::default()
        };
        rows.iter()
            .map(|row| {
                let mut source = source_view(row)?;
                source.job = running.remove(&subject(&source.id));
                Ok(source)
            })
            .collect()
    }

    pub async fn get(&self, id: &SourceId) -> Result<SourceView> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM sources s LEFT JOIN source_snapshots sn ON sn.id = s.latest_snapshot_id \
             WHERE s.id = $1 AND s.removed_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound)?;
        source_view(&row)
    }

    /// Adds pasted text; it is usable at once.
    pub async fn add_note(
        &self,
        user: &CurrentUser,
        competitor_id: &CompetitorId,
        title: &str,
        text: &str,
    ) -> Result<SourceView> {
        user.require(Role::Editor)?;
        let (title, text) = check_note(title, text)?;
        self.check_room(competitor_id).await?;
        let id = SourceId::new();
        let now = now_ms();
        let mut tx = self.db.pool().begin().await?;
        sqlx::query(
            "INSERT INTO sources (id, competitor_id, kind, title, status, created_by, created_at, updated_at) \
             VALUES ($1, $2, 'note', $3, 'ready', $4, $5, $5)",
        )
        .bind(&id)
        .bind(competitor_id)
        .bind(&title)
        .bind(&user.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let snapshot = SnapshotInput {
            title: &title,
            text: &text,
            http_status: None,
            content_type: "text/plain",
            final_url: "",
        };
        store_snapshot(&mut tx, &id, &snapshot, Some(&user.id)).await?;
        tx.commit().await?;
        self.get(&id).await
    }

    /// Replaces a note's text: a new snapshot; older ones stay for their citations.
    pub async fn update_note(
        &self,
        user: &CurrentUser,
        id: &SourceId,
        title: &str,
        text: &str,
    ) -> Result<SourceView> {
        user.require(Role::Editor)?;
        let source = self.get(id).await?;
        if source.kind != SourceKind::Note {
            return Err(Error::Conflict(Conflict::NotANote));
        }
        let (title, text) = check_note(title, text)?;
        let mut tx = self.db.pool().begin().await?;
        let snapshot = SnapshotInput {
            title: &title,
            text: &text,
            http_status: None,
            content_type: "text/plain",
            final_url: "",
        };
        store_snapshot(&mut tx, id, &snapshot, Some(&user.id)).await?;
        sqlx::query("UPDATE sources SET title = $1 WHERE id = $2")
            .bind(&title)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Adds a web page and queues its first fetch.
    pub async fn add_url(
        &self,
        user: &CurrentUser,
        competitor_id: &CompetitorId,
        url: &str,
    ) -> Result<SourceView> {
        user.require(Role::Editor)?;
        let url = parse_website(url).map_err(|m| Error::field("url", m))?;
        if url.is_empty() {
            return Err(Error::field(
                "url",
                "Enter the address of a page, like https://example.com/pricing.",
            ));
        }
        if url.chars().count() > limits::URL_MAX {
            return Err(Error::field("url", "That address is too long."));
        }
        self.check_room(competitor_id).await?;
        let duplicate = sqlx::query(
            "SELECT id FROM sources WHERE competitor_id = $1 AND url = $2 AND removed_at IS NULL",
        )
        .bind(competitor_id)
        .bind(&url)
        .fetch_optional(self.db.pool())
        .await?;
        if duplicate.is_some() {
            return Err(Error::field(
                "url",
                "This page is already a source; refresh it instead.",
            ));
        }
        let id = SourceId::new();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sources (id, competitor_id, kind, title, url, status, created_by, created_at, updated_at) \
             VALUES ($1, $2, 'web', $3, $3, 'pending', $4, $5, $5)",
        )
        .bind(&id)
        .bind(competitor_id)
        .bind(&url)
        .bind(&user.id)
        .bind(now)
        .execute(self.db.pool())
        .await?;
        self.refresh(user, &id).await
    }

    /// Queues a fetch of a web page (one at a time per source).
    pub async fn refresh(&self, user: &CurrentUser, id: &SourceId) -> Result<SourceView> {
        user.require(Role::Editor)?;
        let mut source = self.get(id).await?;
        if source.kind != SourceKind::Web {
            return Err(Error::Conflict(Conflict::NothingToFetch));
        }
        let running = self
            .jobs
            .latest_for(user, &subject(id), FETCH_KIND)
            .await?
            .filter(|j| !j.state.is_finished());
        let job_id = match running {
            Some(job) => job.id,
            None => {
                self.jobs
                    .enqueue(NewJob {
                        kind: FETCH_KIND,
                        payload: serde_json::json!({ "source_id": id }),
                        owner_id: Some(user.id.clone()),
                        subject: subject(id),
                        label: format!("Fetch {}", source.url),
                        max_attempts: None,
                    })
                    .await?
            }
        };
        source.job = Some(self.jobs.get(user, &job_id).await?);
        Ok(source)
    }

    /// Removes a source from the competitor; its snapshots stay, so citations still open.
    pub async fn remove(&self, user: &CurrentUser, id: &SourceId) -> Result<()> {
        user.require(Role::Editor)?;
        let now = now_ms();
        let done = sqlx::query("UPDATE sources SET removed_at = $1, updated_at = $1 WHERE id = $2 AND removed_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(self.db.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// One snapshot's full text.
    pub async fn snapshot(&self, user: &CurrentUser, id: &SnapshotId) -> Result<SnapshotView> {
        let row = sqlx::query(
            "SELECT sn.id, sn.source_id, s.competitor_id, c.name AS competitor_name, s.kind, sn.title, s.url, \
               sn.final_url, sn.http_status, sn.content_hash, sn.fetched_at, sn.text, s.latest_snapshot_id, \
               sn.summary, sn.summary_claims \
             FROM source_snapshots sn JOIN sources s ON s.id = sn.source_id \
             JOIN competitors c ON c.id = s.competitor_id WHERE sn.id = $1",
        )
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound)?;
        let kind: String = row.try_get("kind")?;
        let latest: Option<SnapshotId> = row.try_get("latest_snapshot_id")?;
        let status: Option<i64> = row.try_get("http_status")?;
        Ok(SnapshotView {
            latest: latest.as_ref() == Some(id),
            id: row.try_get("id")?,
            source_id: row.try_get("source_id")?,
            competitor_id: row.try_get("competitor_id")?,
            competitor_name: row.try_get("competitor_name")?,
            kind: parse_kind(&kind),
            title: row.try_get("title")?,
            url: row.try_get("url")?,
            final_url: row.try_get("final_url")?,
            http_status: status.map(|s| s as u16),
            content_hash: row.try_get("content_hash")?,
            fetched_at: row.try_get("fetched_at")?,
            text: row.try_get("text")?,
            summary: row.try_get("summary")?,
            summary_claims: serde_json::from_str(&row.try_get::<String, _>("summary_claims")?)
                .unwrap_or_default(),
            can_edit: user.role.at_least(Role::Editor),
        })
    }

    async fn check_room(&self, competitor_id: &CompetitorId) -> Result<()> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM competitors WHERE id = $1 AND archived_at IS NULL) AS live, \
               (SELECT COUNT(*) FROM sources WHERE competitor_id = $1 AND removed_at IS NULL) AS sources",
        )
        .bind(competitor_id)
        .fetch_one(self.db.pool())
        .await?;
        if row.try_get::<i64, _>("live")? == 0 {
            return Err(Error::NotFound);
        }
        if row.try_get::<i64, _>("sources")? as usize >= limits::PER_COMPETITOR {
            return Err(Error::Conflict(Conflict::TooManySources {
                limit: limits::PER_COMPETITOR,
            }));
        }
        Ok(())
    }
}

/// The jobs subject of a source's fetches.
pub fn subject(source_id: &SourceId) -> String {
    format!("source:{source_id}")
}

fn check_note(title: &str, text: &str) -> Result<(String, String)> {
    let title = extract::squash(title);
    let text = extract::plain_to_text(text);
    let mut errors = FieldErrors::default();
    if title.is_empty() {
        errors.add(
            "title",
            "Give the note a title, e.g. “Call notes with a former customer”.",
        );
    } else if title.chars().count() > limits::TITLE_MAX {
        errors.add(
            "title",
            format!("Keep the title under {} characters.", limits::TITLE_MAX + 1),
        );
    }
    if text.is_empty() {
        errors.add("text", "Paste the text to use as a source.");
    } else if text.chars().count() > limits::NOTE_MAX {
        errors.add(
            "text",
            format!(
                "Keep a note under {} characters; split longer text.",
                limits::NOTE_MAX + 1
            ),
        );
    }
    errors.finish()?;
    Ok((title, text))
}

pub(crate) struct SnapshotInput<'a> {
    pub title: &'a str,
    pub text: &'a str,
    pub http_status: Option<u16>,
    pub content_type: &'a str,
    pub final_url: &'a str,
}

/// Stores a snapshot and makes it the source's latest; returns its id.
pub(crate) async fn store_snapshot(
    conn: &mut AnyConnection,
    source_id: &SourceId,
    input: &SnapshotInput<'_>,
    by: Option<&UserId>,
) -> Result<SnapshotId> {
    let id = SnapshotId::new();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO source_snapshots (id, source_id, title, text, content_hash, http_status, content_type, final_url, fetched_at, fetched_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(source_id)
    .bind(input.title)
    .bind(input.text)
    .bind(content_hash(input.text))
    .bind(input.http_status.map(i64::from))
    .bind(input.content_type)
    .bind(input.final_url)
    .bind(now)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE sources SET latest_snapshot_id = $1, status = 'ready', last_error = NULL, fetched_at = $2, updated_at = $2 WHERE id = $3",
    )
    .bind(&id)
    .bind(now)
    .bind(source_id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

fn parse_kind(kind: &str) -> SourceKind {
    if kind == "note" {
        SourceKind::Note
    } else {
        SourceKind::Web
    }
}

fn source_view(row: &sqlx::any::AnyRow) -> Result<SourceView> {
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let chars: i64 = row.try_get("chars")?;
    Ok(SourceView {
        id: row.try_get("id")?,
        competitor_id: row.try_get("competitor_id")?,
        kind: parse_kind(&kind),
        title: row.try_get("title")?,
        url: row.try_get("url")?,
        status: match status.as_str() {
            "ready" => SourceStatus::Ready,
            "error" => SourceStatus::Error,
            _ => SourceStatus::Pending,
        },
        last_error: row.try_get("last_error")?,
        snapshot_id: row.try_get("latest_snapshot_id")?,
        fetched_at: row.try_get("fetched_at")?,
        // About six characters a word: enough to tell a stub from a page.
        words: (chars / 6).clamp(0, u32::MAX as i64) as u32,
        job: None,
    })
}
