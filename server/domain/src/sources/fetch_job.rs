//! The `source.fetch` job: fetch a web source, extract its readable text on the
//! blocking pool, and store a snapshot in the same transaction that ends the job.
use serde::Deserialize;

use super::extract::{html_to_text, plain_to_text};
use super::fetch::{FetchError, Fetcher};
use super::{store_snapshot, SnapshotInput};
use crate::jobs::{Committed, JobContext, JobError, JobHandler, Outcome};
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{CompetitorId, SourceId};

pub const FETCH_KIND: &str = "source.fetch";

pub struct FetchSource {
    db: Db,
    fetcher: Fetcher,
}

impl FetchSource {
    pub fn new(db: Db, fetcher: Fetcher) -> Self {
        Self { db, fetcher }
    }

    /// Marks the source as failing, so its row says why even before the job is read.
    async fn record_error(&self, source_id: &SourceId, message: &str) {
        let result = sqlx::query(
            "UPDATE sources SET status = 'error', last_error = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(message)
        .bind(now_ms())
        .bind(source_id)
        .execute(self.db.pool())
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "failed to record a source's fetch error");
        }
    }
}

#[derive(Deserialize)]
struct Payload {
    source_id: SourceId,
}

#[async_trait::async_trait]
impl JobHandler for FetchSource {
    fn kind(&self) -> &'static str {
        FETCH_KIND
    }

    async fn run(&self, ctx: &JobContext) -> Result<Committed, JobError> {
        let Payload { source_id } = ctx.payload()?;
        let row: Option<(String, CompetitorId)> = sqlx::query_as(
            "SELECT url, competitor_id FROM sources WHERE id = $1 AND removed_at IS NULL AND kind = 'web'",
        )
        .bind(&source_id)
        .fetch_optional(self.db.pool())
        .await?;
        let Some((url, competitor_id)) = row else {
            return Err(JobError::Fail(
                "The source was removed before it could be fetched.".into(),
            ));
        };
        ctx.progress(10, &format!("Fetching {url}")).await?;
        let page = match self.fetcher.get(&url).await {
            Ok(page) => page,
            Err(e) => {
                let message = e.to_string();
                self.record_error(&source_id, &message).await;
                return Err(if e.is_transient() {
                    JobError::Retry(message)
                } else {
                    JobError::Fail(message)
                });
            }
        };
        ctx.progress(60, "Extracting the readable text").await?;
        let is_plain = page.content_type.starts_with("text/plain");
        let body = page.body;
        let extracted = tokio::task::spawn_blocking(move || {
            let text = String::from_utf8_lossy(&body);
            if is_plain {
                (String::new(), plain_to_text(&text))
            } else {
                let e = html_to_text(&text);
                (e.title, e.text)
            }
        })
        .await
        .map_err(|_| JobError::Fail("The page could not be read.".into()))?;
        let (title, text) = extracted;
        if text.trim().is_empty() {
            let message = FetchError::Unsupported(
                "The page has no readable text (it may need JavaScript to show its content); paste the text as a note instead.".into(),
            )
            .to_string();
            self.record_error(&source_id, &message).await;
            return Err(JobError::Fail(message));
        }
        ctx.progress(85, "Saving the snapshot").await?;
        let words = text.split_whitespace().count();
        let title = if title.is_empty() { url.clone() } else { title };
        let mut finish = ctx.finish().await?;
        let input = SnapshotInput {
            title: &title,
            text: &text,
            http_status: Some(page.status),
            content_type: &page.content_type,
            final_url: &page.final_url,
        };
        let snapshot = store_snapshot(finish.conn(), &source_id, &input, ctx.owner_id()).await?;
        sqlx::query("UPDATE sources SET title = $1 WHERE id = $2")
            .bind(&title)
            .bind(&source_id)
            .execute(finish.conn())
            .await?;
        finish
            .succeed(Outcome {
                message: format!("Fetched “{title}”: {words} words."),
                link: Some(format!(
                    "/competitors/{competitor_id}/sources/snapshots/{snapshot}"
                )),
            })
            .await
    }
}
