//! Asking for drafts, reviewing them, and accepting or discarding them. Only editors
//! and admins see drafts; for anyone else a draft does not exist.
use std::sync::Arc;
use std::time::Duration;

use sqlx::FromRow;

use super::job::DraftRequest;
use super::orchestrator::{Orchestrator, ProviderChoice};
use super::summarise::{SummariseRequest, AI_SUMMARISE_KIND};
use super::AI_DRAFT_KIND;
use crate::accounts::CurrentUser;
use crate::battlecards::{diff, store, Battlecards};
use crate::cache::Cache;
use crate::error::{Error, Result};
use crate::jobs::{Jobs, NewJob};
use crate::store::columns::JsonText;
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{
    Agent, CardId, Claim, Conflict, DraftId, DraftStatus, DraftView, JobView, Role, SaveOutcome,
    SectionKey, SnapshotId, UserId,
};

#[derive(Clone)]
pub struct Drafts {
    db: Db,
    jobs: Jobs,
    battlecards: Battlecards,
    orchestrator: Arc<Orchestrator>,
    cache: Cache,
}

#[derive(FromRow)]
struct DraftRow {
    id: DraftId,
    card_id: CardId,
    agent: Agent,
    provider: String,
    model: String,
    base_version: i64,
    content: String,
    claims: JsonText<Vec<Claim>>,
    unverified: i64,
    notes: JsonText<Vec<String>>,
    keywords: JsonText<Vec<String>>,
    status: DraftStatus,
    created_by: UserId,
    created_at: i64,
    accepted_version: Option<i64>,
}

/// The subject AI jobs about a card carry, so a page finds them.
pub fn card_subject(card_id: &CardId) -> String {
    format!("card:{card_id}")
}

impl Drafts {
    pub fn new(
        db: Db,
        jobs: Jobs,
        battlecards: Battlecards,
        orchestrator: Arc<Orchestrator>,
        cache: Cache,
    ) -> Self {
        Self {
            db,
            jobs,
            battlecards,
            orchestrator,
            cache,
        }
    }

    pub fn orchestrator(&self) -> &Orchestrator {
        &self.orchestrator
    }

    pub fn orchestrator_handle(&self) -> Arc<Orchestrator> {
        self.orchestrator.clone()
    }

    /// Counts an AI action against the hourly limit; refuses past it.
    async fn take_rate(&self, user: &CurrentUser) -> Result<()> {
        let limit = self.orchestrator.settings().budgets.per_user_per_hour;
        let window = self
            .cache
            .incr_window(&format!("ai-rate:{}", user.id), Duration::from_secs(3600))
            .await?;
        if window.count > limit {
            return Err(Error::Limited(format!(
                "You have asked for {limit} AI drafts in the last hour, the most allowed. Try again in {} minutes.",
                window.resets_in.as_secs().div_ceil(60).max(1)
            )));
        }
        Ok(())
    }

    /// Queues an AI job for a card; while one is still queued or running for the same
    /// card, that one is returned instead of starting a second.
    pub async fn request(
        &self,
        user: &CurrentUser,
        card_id: &CardId,
        agent: Agent,
        section: Option<SectionKey>,
        provider: Option<ProviderChoice>,
        regenerate: bool,
    ) -> Result<JobView> {
        self.battlecards.check_editable(user, card_id).await?;
        if provider.is_some() && user.role != Role::Admin {
            return Err(Error::field(
                "provider",
                "Only admins choose the AI provider for a request.",
            ));
        }
        if agent == Agent::SectionRefresher && section.is_none() {
            return Err(Error::field("section", "Choose the section to refresh."));
        }
        if agent == Agent::SourceSummariser {
            return Err(Error::field(
                "agent",
                "Summaries are made from a source's own page, not from a card.",
            ));
        }
        let subject = card_subject(card_id);
        if let Some(job) = self
            .jobs
            .latest_for(user, &subject, AI_DRAFT_KIND)
            .await?
            .filter(|j| !j.state.is_finished())
        {
            return Ok(job);
        }
        self.orchestrator.check_budgets(&user.id).await?;
        self.take_rate(user).await?;
        let card = store::load_from(&self.db, card_id).await?;
        let label = match section {
            Some(key) if agent == Agent::SectionRefresher => {
                format!("Refresh “{}” on {}", key.label(), card.title)
            }
            _ => format!("{}: {}", agent.label(), card.title),
        };
        let id = self
            .jobs
            .enqueue(NewJob {
                kind: AI_DRAFT_KIND,
                payload: serde_json::to_value(DraftRequest {
                    card_id: card_id.clone(),
                    agent,
                    section,
                    provider: provider.map(|p| match p {
                        ProviderChoice::Builtin => "builtin".to_string(),
                        ProviderChoice::OpenAi => "openai".to_string(),
                    }),
                    regenerate,
                })
                .map_err(anyhow::Error::from)?,
                owner_id: Some(user.id.clone()),
                subject,
                label,
                max_attempts: None,
            })
            .await?;
        self.jobs.get(user, &id).await
    }

    /// Queues a summary of one stored snapshot (editors), or returns the one running.
    pub async fn summarise(
        &self,
        user: &CurrentUser,
        snapshot_id: &SnapshotId,
        regenerate: bool,
    ) -> Result<JobView> {
        user.require(Role::Editor)?;
        let (title,): (String,) = sqlx::query_as(
            "SELECT CASE WHEN s.title <> '' THEN s.title ELSE n.title END              FROM source_snapshots n JOIN sources s ON s.id = n.source_id WHERE n.id = $1",
        )
        .bind(snapshot_id)
        .fetch_one(self.db.pool())
        .await?;
        let subject = format!("snapshot:{snapshot_id}");
        if let Some(job) = self
            .jobs
            .latest_for(user, &subject, AI_SUMMARISE_KIND)
            .await?
            .filter(|j| !j.state.is_finished())
        {
            return Ok(job);
        }
        self.orchestrator.check_budgets(&user.id).await?;
        self.take_rate(user).await?;
        let id = self
            .jobs
            .enqueue(NewJob {
                kind: AI_SUMMARISE_KIND,
                payload: serde_json::to_value(SummariseRequest {
                    snapshot_id: snapshot_id.clone(),
                    regenerate,
                })
                .map_err(anyhow::Error::from)?,
                owner_id: Some(user.id.clone()),
                subject,
                label: format!("Summarise “{title}”"),
                max_attempts: None,
            })
            .await?;
        self.jobs.get(user, &id).await
    }

    async fn row(&self, user: &CurrentUser, id: &DraftId) -> Result<DraftRow> {
        if !user.role.at_least(Role::Editor) {
            return Err(Error::NotFound);
        }
        let row: DraftRow = sqlx::query_as(
            "SELECT id, card_id, agent, provider, model, base_version, content, claims, unverified, \
               notes, keywords, status, created_by, created_at, accepted_version \
             FROM ai_drafts WHERE id = $1",
        )
        .bind(id)
        .fetch_one(self.db.pool())
        .await?;
        self.battlecards.check_editable(user, &row.card_id).await?;
        Ok(row)
    }

    pub async fn get(&self, user: &CurrentUser, id: &DraftId) -> Result<DraftView> {
        let row = self.row(user, id).await?;
        let card = store::load_from(&self.db, &row.card_id).await?;
        let current = card.content()?;
        let content = store::parse_content(&row.content)?;
        let (by,): (String,) = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
            .bind(&row.created_by)
            .fetch_optional(self.db.pool())
            .await?
            .unwrap_or_else(|| ("someone".into(),));
        let mut notes = row.notes.0;
        if row.status == DraftStatus::Pending && card.version != row.base_version {
            notes.push(format!(
                "The card changed after this draft was written (it was version {}, now {}). Accepting is refused; ask for a new draft.",
                row.base_version, card.version
            ));
        }
        Ok(DraftView {
            diff: diff::card_diff(card.version, &current, card.version + 1, &content),
            agent: row.agent,
            status: row.status,
            id: row.id,
            card_title: card.title.clone(),
            card_id: card.id,
            competitor_id: card.competitor_id,
            competitor_name: card.competitor_name,
            provider: row.provider,
            model: row.model,
            created_by: by,
            created_at: row.created_at,
            base_version: row.base_version,
            card_version: card.version,
            content,
            claims: row.claims.0,
            unverified: row.unverified.max(0) as u32,
            notes,
            keywords: row.keywords.0,
            accepted_version: row.accepted_version,
        })
    }

    /// Makes the draft the card's next version. Refused when the card changed since
    /// the draft was written: accepting would silently drop those changes.
    pub async fn accept(&self, user: &CurrentUser, id: &DraftId) -> Result<SaveOutcome> {
        let row = self.row(user, id).await?;
        if row.status != DraftStatus::Pending {
            return Err(Error::Conflict(Conflict::DraftDecided {
                status: row.status,
            }));
        }
        let content = store::parse_content(&row.content)?;
        let claims = row.claims.0;
        let note = format!(
            "AI draft accepted ({}, {} claims, {} unverified)",
            row.provider,
            claims.len(),
            row.unverified
        );
        let outcome = self
            .battlecards
            .commit_draft(
                user,
                &row.card_id,
                row.base_version,
                &content,
                &note,
                claims,
            )
            .await?;
        let SaveOutcome::Saved { version, .. } = &outcome else {
            return Err(Error::Conflict(Conflict::DraftOutdated));
        };
        self.decide(user, id, DraftStatus::Accepted, Some(*version))
            .await?;
        Ok(outcome)
    }

    pub async fn discard(&self, user: &CurrentUser, id: &DraftId) -> Result<()> {
        let row = self.row(user, id).await?;
        if row.status != DraftStatus::Pending {
            return Err(Error::Conflict(Conflict::DraftDecided {
                status: row.status,
            }));
        }
        self.decide(user, id, DraftStatus::Discarded, None).await
    }

    async fn decide(
        &self,
        user: &CurrentUser,
        id: &DraftId,
        status: DraftStatus,
        version: Option<i64>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE ai_drafts SET status = $1, decided_by = $2, decided_at = $3, accepted_version = $4 \
             WHERE id = $5 AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(&user.id)
        .bind(now_ms())
        .bind(version)
        .bind(id)
        .execute(self.db.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict(Conflict::DraftDecidedJustNow));
        }
        Ok(())
    }
}
