//! The `ai.draft` job: gather the competitor's snapshots, let the provider write, check
//! every citation, and store the draft in the transaction that ends the job — so a
//! job retried after its worker died still leaves exactly one draft.
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{cited_snapshots, competitor_sources, verify, AiProvider, Brief, ProviderError};
use crate::battlecards::store;
use crate::jobs::{Committed, JobContext, JobError, JobHandler, Outcome};
use crate::store::{new_id, Db};
use crate::time::now_ms;
use crate::types::{Agent, SectionKey};

pub const AI_DRAFT_KIND: &str = "ai.draft";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DraftRequest {
    pub card_id: String,
    pub agent: Agent,
    #[serde(default)]
    pub section: Option<SectionKey>,
}

pub struct AiDraftJob {
    db: Db,
    provider: Arc<dyn AiProvider>,
}

impl AiDraftJob {
    pub fn new(db: Db, provider: Arc<dyn AiProvider>) -> Self {
        Self { db, provider }
    }
}

/// Lists of plain data always encode; an empty list is the safe fallback.
pub(super) fn to_json<T: Serialize>(value: &[T]) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// "Why we win" bullet lines of the current card, as plain sentences.
fn differentiators(why_we_win: &str) -> Vec<String> {
    why_we_win
        .lines()
        .map(|l| l.trim().trim_start_matches(['-', '*', '•']).trim())
        .filter(|l| l.chars().count() >= 8)
        .map(str::to_string)
        .collect()
}

#[async_trait::async_trait]
impl JobHandler for AiDraftJob {
    fn kind(&self) -> &'static str {
        AI_DRAFT_KIND
    }

    async fn run(&self, ctx: &JobContext) -> Result<Committed, JobError> {
        let request: DraftRequest = ctx.payload()?;
        ctx.progress(5, "Reading the card and its sources").await?;
        let card = store::load_from(&self.db, &request.card_id).await?;
        let current = card.content()?;
        let (competitor,): (String,) = sqlx::query_as("SELECT name FROM competitors WHERE id = $1")
            .bind(&card.competitor_id)
            .fetch_one(self.db.pool())
            .await?;
        let sources = competitor_sources(&self.db, &card.competitor_id).await?;
        if sources.is_empty() {
            return Err(JobError::Fail(format!(
                "{competitor} has no sources with text yet. Add a web page or a note under Sources on the competitor's page, then ask again."
            )));
        }
        let words: usize = sources
            .iter()
            .map(|s| s.text.split_whitespace().count())
            .sum();
        let brief = Arc::new(Brief {
            competitor: competitor.clone(),
            differentiators: differentiators(&current.why_we_win),
            current,
            section: request.section,
            sources,
        });
        ctx.progress(
            20,
            &format!(
                "Drafting from {} sources ({words} words) with the {} engine",
                brief.sources.len(),
                self.provider.name()
            ),
        )
        .await?;
        let started = Instant::now();
        let answer = self
            .provider
            .draft(request.agent, brief.clone())
            .await
            .map_err(|e| match e {
                ProviderError::Transient(m) => JobError::Retry(m),
                ProviderError::Permanent(m) => JobError::Fail(m),
            })?;
        let latency_ms = started.elapsed().as_millis() as i64;
        let mut output = answer.output;
        ctx.progress(
            80,
            &format!(
                "Checking {} claims against the stored pages",
                output.claims.len()
            ),
        )
        .await?;
        let snapshots = cited_snapshots(&self.db, &card.competitor_id, &output.claims).await?;
        let unverified = verify(&mut output.claims, &snapshots);
        ctx.progress(95, "Saving the draft").await?;
        let draft_id = new_id();
        let now = now_ms();
        let owner = ctx.owner_id().unwrap_or_default().to_string();
        let mut finish = ctx.finish().await?;
        sqlx::query(
            "INSERT INTO ai_drafts (id, card_id, job_id, agent, provider, model, base_version, content, \
               claims, unverified, notes, keywords, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13, $14)",
        )
        .bind(&draft_id)
        .bind(&card.id)
        .bind(ctx.id())
        .bind(request.agent.as_str())
        .bind(self.provider.name())
        .bind(self.provider.model())
        .bind(card.version)
        .bind(store::content_json(&output.content))
        .bind(to_json(&output.claims))
        .bind(unverified as i64)
        .bind("[]")
        .bind(to_json(&output.keywords))
        .bind(&owner)
        .bind(now)
        .execute(finish.conn())
        .await?;
        sqlx::query(
            "INSERT INTO ai_usage (id, user_id, agent, provider, model, prompt_tokens, completion_tokens, \
               cost_micros, latency_ms, cache_hit, outcome, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 'ok', $10)",
        )
        .bind(new_id())
        .bind(&owner)
        .bind(request.agent.as_str())
        .bind(self.provider.name())
        .bind(self.provider.model())
        .bind(answer.usage.prompt_tokens as i64)
        .bind(answer.usage.completion_tokens as i64)
        .bind(answer.usage.cost_micros as i64)
        .bind(latency_ms)
        .bind(now)
        .execute(finish.conn())
        .await?;
        let claims = output.claims.len();
        let message = if unverified == 0 {
            format!("Draft ready: {claims} claims, every citation checked against its page.")
        } else {
            format!(
                "Draft ready: {claims} claims, {unverified} could not be verified and are marked."
            )
        };
        finish
            .succeed(Outcome {
                message,
                link: Some(format!("/cards/{}/drafts/{draft_id}", card.id)),
            })
            .await
    }
}
