//! The `ai.draft` job: gather the competitor's snapshots, let the provider write, check
//! every citation, and store the draft in the transaction that ends the job — so a
//! job retried after its worker died still leaves exactly one draft.
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::orchestrator::{Orchestrator, ProviderChoice, RunOutcome};
use super::{cited_snapshots, competitor_sources, verify, Brief};
use crate::battlecards::store;
use crate::jobs::{Committed, JobContext, JobError, JobHandler, Outcome};
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{Agent, CardId, DraftId, SectionKey, UsageId, UserId};

pub const AI_DRAFT_KIND: &str = "ai.draft";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DraftRequest {
    pub card_id: CardId,
    pub agent: Agent,
    #[serde(default)]
    pub section: Option<SectionKey>,
    /// An admin's choice of provider for this request (`builtin` / `openai`).
    #[serde(default)]
    pub provider: Option<String>,
    /// Skip the cache and ask again.
    #[serde(default)]
    pub regenerate: bool,
}

pub struct AiDraftJob {
    db: Db,
    orchestrator: Arc<Orchestrator>,
}

impl AiDraftJob {
    pub fn new(db: Db, orchestrator: Arc<Orchestrator>) -> Self {
        Self { db, orchestrator }
    }
}

/// Writes the ledger row of a successful run (inside the job's finishing transaction).
pub(super) async fn record_usage(
    conn: &mut sqlx::AnyConnection,
    user_id: &UserId,
    agent: Agent,
    run: &RunOutcome,
    now: i64,
) -> Result<(), JobError> {
    sqlx::query(
        "INSERT INTO ai_usage (id, user_id, agent, provider, model, prompt_tokens, completion_tokens, \
           cost_micros, latency_ms, cache_hit, outcome, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'ok', $11)",
    )
    .bind(UsageId::new())
    .bind(user_id)
    .bind(agent.as_str())
    .bind(run.provider)
    .bind(&run.model)
    .bind(run.usage.prompt_tokens as i64)
    .bind(run.usage.completion_tokens as i64)
    .bind(run.usage.cost_micros as i64)
    .bind(run.latency_ms)
    .bind(run.cache_hit as i64)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
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
        // Every AI job is queued by someone, whose budget it spends.
        let owner = ctx
            .owner_id()
            .cloned()
            .ok_or_else(|| JobError::Fail("This AI job has no owner to charge it to.".into()))?;
        let choice = request.provider.as_deref().and_then(ProviderChoice::parse);
        ctx.progress(
            20,
            &format!(
                "Drafting from {} sources ({words} words)",
                brief.sources.len()
            ),
        )
        .await?;
        let run = self
            .orchestrator
            .run(
                &owner,
                request.agent,
                brief.clone(),
                choice,
                request.regenerate,
            )
            .await?;
        let mut output = run.output.clone();
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
        let draft_id = DraftId::new();
        let now = now_ms();
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
        .bind(run.provider)
        .bind(&run.model)
        .bind(card.version)
        .bind(store::content_json(&output.content))
        .bind(to_json(&output.claims))
        .bind(unverified as i64)
        .bind(to_json(&run.notes))
        .bind(to_json(&output.keywords))
        .bind(&owner)
        .bind(now)
        .execute(finish.conn())
        .await?;
        record_usage(finish.conn(), &owner, request.agent, &run, now).await?;
        let claims = output.claims.len();
        let fallback = if run.notes.is_empty() {
            ""
        } else {
            " The built-in engine stood in for the AI provider."
        };
        let message = if unverified == 0 {
            format!(
                "Draft ready: {claims} claims, every citation checked against its page.{fallback}"
            )
        } else {
            let marked = if unverified == 1 { "is" } else { "are" };
            format!(
                "Draft ready: {claims} claims, {unverified} could not be verified and {marked} marked.{fallback}"
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
