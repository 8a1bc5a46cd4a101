//! Runs an agent: picks the provider (the deployment's, or an admin's choice), checks
//! the budgets, answers from the cache when the same inputs were drafted before, and
//! keeps a circuit breaker on the external provider — after repeated failures it
//! opens and the built-in engine writes the draft, saying so.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::openai::{OpenAiProvider, OpenAiSettings, PROMPT_VERSION};
use super::{AiProvider, Brief, BuiltinEngine, DraftOutput, ProviderError, Usage};
use crate::cache::Cache;
use crate::error::{Error, Result};
use crate::events::{Audience, Events};
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{Agent, AiStatus, BudgetLine, Conflict, Event, UsageId, UserId};

/// Which provider writes drafts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderChoice {
    Builtin,
    OpenAi,
}

impl ProviderChoice {
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "builtin" | "built-in" => Some(ProviderChoice::Builtin),
            "openai" | "openai-compatible" => Some(ProviderChoice::OpenAi),
            _ => None,
        }
    }
}

/// Limits on AI use. A limit of 0 switches AI actions off.
#[derive(Clone, Copy, Debug)]
pub struct Budgets {
    pub user_daily_tokens: u64,
    pub user_daily_cost_micros: u64,
    pub monthly_tokens: u64,
    pub monthly_cost_micros: u64,
    pub per_user_per_hour: u64,
}

#[derive(Clone, Debug)]
pub struct AiSettings {
    pub provider: ProviderChoice,
    pub openai: Option<OpenAiSettings>,
    pub budgets: Budgets,
    pub breaker_failures: u32,
    pub breaker_cooldown: Duration,
    pub cache_ttl: Duration,
}

impl Default for AiSettings {
    fn default() -> Self {
        Self {
            provider: ProviderChoice::Builtin,
            openai: None,
            budgets: Budgets {
                user_daily_tokens: 200_000,
                user_daily_cost_micros: 5_000_000,
                monthly_tokens: 20_000_000,
                monthly_cost_micros: 200_000_000,
                per_user_per_hour: 30,
            },
            breaker_failures: 3,
            breaker_cooldown: Duration::from_secs(60),
            cache_ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

#[derive(Default)]
struct BreakerState {
    failures: u32,
    open_until: Option<Instant>,
    last_error: String,
}

/// What a run produced and how.
pub struct RunOutcome {
    pub output: DraftOutput,
    pub provider: &'static str,
    pub model: String,
    pub notes: Vec<String>,
    pub usage: Usage,
    pub cache_hit: bool,
    /// How long the run took, from the budget check to the answer.
    pub latency_ms: i64,
}

/// Why a run did not produce a draft.
pub enum RunError {
    /// Try the job again later.
    Retry(String),
    /// Will not work as asked; the message says what to change.
    Refused(String),
}

impl From<RunError> for crate::jobs::JobError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Retry(m) => crate::jobs::JobError::Retry(m),
            RunError::Refused(m) => crate::jobs::JobError::Fail(m),
        }
    }
}

pub struct Orchestrator {
    db: Db,
    cache: Cache,
    events: Option<Events>,
    builtin: BuiltinEngine,
    external: Option<OpenAiProvider>,
    settings: AiSettings,
    breaker: Mutex<BreakerState>,
}

impl Orchestrator {
    pub fn new(db: Db, cache: Cache, settings: AiSettings) -> anyhow::Result<Self> {
        let external = settings
            .openai
            .clone()
            .map(OpenAiProvider::new)
            .transpose()?;
        Ok(Self {
            db,
            cache,
            events: None,
            builtin: BuiltinEngine,
            external,
            settings,
            breaker: Mutex::default(),
        })
    }

    /// Tells admins (live) when the breaker opens.
    pub fn with_events(mut self, events: Events) -> Self {
        self.events = Some(events);
        self
    }

    pub fn settings(&self) -> &AiSettings {
        &self.settings
    }

    /// `Limited` when `user` is over a budget (or a budget is 0).
    pub async fn check_budgets(&self, user_id: &UserId) -> Result<()> {
        let b = self.settings.budgets;
        let (day, month) = periods();
        let (user_tokens, user_cost) = self.used(Some(user_id), day).await?;
        let (all_tokens, all_cost) = self.used(None, month).await?;
        let checks = [
            (
                user_tokens,
                b.user_daily_tokens,
                "your daily AI budget",
                "tokens",
                "AI_USER_DAILY_TOKENS",
                "It resets at midnight UTC.",
            ),
            (
                user_cost,
                b.user_daily_cost_micros,
                "your daily AI spending limit",
                "micro-dollars",
                "AI_USER_DAILY_COST",
                "It resets at midnight UTC.",
            ),
            (
                all_tokens,
                b.monthly_tokens,
                "this month's AI budget for everyone",
                "tokens",
                "AI_MONTHLY_TOKENS",
                "It resets on the 1st.",
            ),
            (
                all_cost,
                b.monthly_cost_micros,
                "this month's AI spending limit for everyone",
                "micro-dollars",
                "AI_MONTHLY_COST",
                "It resets on the 1st.",
            ),
        ];
        for (used, limit, what, unit, var, when) in checks {
            if limit == 0 {
                return Err(Error::Limited(format!(
                    "AI actions are switched off: {what} is 0 {unit}. An admin can raise {var}."
                )));
            }
            if used >= limit {
                return Err(Error::Limited(format!(
                    "You have reached {what} ({used} of {limit} {unit}). {when} An admin can raise {var}."
                )));
            }
        }
        Ok(())
    }

    /// Tokens and cost (micro-dollars) used since `since`, by one user or everyone.
    async fn used(&self, user_id: Option<&UserId>, since: i64) -> Result<(u64, u64)> {
        let (tokens, cost): (i64, i64) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(cost_micros), 0) AS BIGINT) FROM ai_usage \
             WHERE created_at >= $1 AND ($2 = '' OR user_id = $2)",
        )
        .bind(since)
        .bind(user_id.map_or("", UserId::as_str))
        .fetch_one(self.db.pool())
        .await?;
        Ok((tokens.max(0) as u64, cost.max(0) as u64))
    }

    fn provider(&self, choice: ProviderChoice) -> Result<&dyn AiProvider, RunError> {
        match choice {
            ProviderChoice::Builtin => Ok(&self.builtin),
            ProviderChoice::OpenAi => match &self.external {
                Some(p) => Ok(p),
                None => Err(RunError::Refused(
                    "No OpenAI-compatible provider is configured (set AI_BASE_URL and AI_MODEL). Use the built-in engine instead.".into(),
                )),
            },
        }
    }

    /// Writes a draft with `agent`. `choice` overrides the deployment's provider;
    /// `regenerate` skips the cache.
    pub async fn run(
        &self,
        user_id: &UserId,
        agent: Agent,
        brief: Arc<Brief>,
        choice: Option<ProviderChoice>,
        regenerate: bool,
    ) -> Result<RunOutcome, RunError> {
        let started = Instant::now();
        self.check_budgets(user_id).await.map_err(|e| match e {
            Error::Limited(m) => RunError::Refused(m),
            other => RunError::Retry(other.to_string()),
        })?;
        let provider = self.provider(choice.unwrap_or(self.settings.provider))?;
        let mut notes = Vec::new();
        let provider = if provider.name() != self.builtin.name() {
            match self.breaker_open() {
                Some(why) => {
                    notes.push(format!(
                        "The AI provider is paused after repeated failures (last: {why}); the built-in engine wrote this draft."
                    ));
                    &self.builtin as &dyn AiProvider
                }
                None => provider,
            }
        } else {
            provider
        };
        let key = cache_key(agent, provider, &brief);
        if !regenerate {
            if let Some(output) = self.cached(&key).await {
                return Ok(RunOutcome {
                    output,
                    provider: provider.name(),
                    model: provider.model(),
                    notes,
                    usage: Usage::default(),
                    cache_hit: true,
                    latency_ms: started.elapsed().as_millis() as i64,
                });
            }
        }
        match provider.draft(agent, brief.clone()).await {
            Ok(answer) => {
                if provider.name() != self.builtin.name() {
                    self.breaker_success();
                }
                self.store(&key, &answer.output).await;
                Ok(RunOutcome {
                    output: answer.output,
                    provider: provider.name(),
                    model: provider.model(),
                    notes,
                    usage: answer.usage,
                    cache_hit: false,
                    latency_ms: started.elapsed().as_millis() as i64,
                })
            }
            Err(e) => {
                let message = e.to_string();
                self.record_failure(user_id, agent, provider, started, &message)
                    .await;
                if provider.name() == self.builtin.name() {
                    return Err(RunError::Refused(message));
                }
                let failures = self.breaker_failure(&message);
                if let (Some(n), Some(events)) = (failures, &self.events) {
                    let minutes = self.settings.breaker_cooldown.as_secs().div_ceil(60);
                    events
                        .publish(
                            Audience::Admins,
                            Event::Notification {
                                title: "The AI provider is failing".into(),
                                body: format!(
                                    "It failed {n} times in a row (last: {message}). The built-in engine writes drafts for the next {minutes} min."
                                ),
                                link: Some("/admin/ai".into()),
                            },
                        )
                        .await;
                }
                if failures.is_some() {
                    let output = self
                        .builtin
                        .draft(agent, brief)
                        .await
                        .map_err(|e| RunError::Refused(e.to_string()))?;
                    notes.push(format!(
                        "The AI provider failed {} times in a row (last: {message}); the built-in engine wrote this draft instead.",
                        failures.unwrap_or_default()
                    ));
                    return Ok(RunOutcome {
                        output: output.output,
                        provider: self.builtin.name(),
                        model: self.builtin.model(),
                        notes,
                        usage: Usage::default(),
                        cache_hit: false,
                        latency_ms: started.elapsed().as_millis() as i64,
                    });
                }
                Err(match e {
                    ProviderError::Transient(m) => RunError::Retry(m),
                    ProviderError::Permanent(m) => RunError::Refused(m),
                })
            }
        }
    }

    /// `Some(last error)` while the breaker is open.
    fn breaker_open(&self) -> Option<String> {
        let mut b = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
        match b.open_until {
            Some(until) if Instant::now() < until => Some(b.last_error.clone()),
            Some(_) => {
                // Half open: let the next call try the provider again.
                b.open_until = None;
                b.failures = self.settings.breaker_failures.saturating_sub(1);
                None
            }
            None => None,
        }
    }

    fn breaker_success(&self) {
        *self.breaker.lock().unwrap_or_else(|p| p.into_inner()) = BreakerState::default();
    }

    /// Counts a failure; `Some(count)` when the breaker opened because of it.
    fn breaker_failure(&self, message: &str) -> Option<u32> {
        let mut b = self.breaker.lock().unwrap_or_else(|p| p.into_inner());
        b.failures += 1;
        b.last_error = message.chars().take(300).collect();
        if b.failures >= self.settings.breaker_failures.max(1) {
            b.open_until = Some(Instant::now() + self.settings.breaker_cooldown);
            tracing::warn!(failures = b.failures, error = %message, "the AI provider's circuit breaker opened");
            Some(b.failures)
        } else {
            None
        }
    }

    async fn record_failure(
        &self,
        user_id: &UserId,
        agent: Agent,
        provider: &dyn AiProvider,
        started: Instant,
        message: &str,
    ) {
        let result = sqlx::query(
            "INSERT INTO ai_usage (id, user_id, agent, provider, model, latency_ms, cache_hit, outcome, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)",
        )
        .bind(UsageId::new())
        .bind(user_id)
        .bind(agent.as_str())
        .bind(provider.name())
        .bind(provider.model())
        .bind(started.elapsed().as_millis() as i64)
        .bind(format!("error: {}", message.chars().take(200).collect::<String>()))
        .bind(now_ms())
        .execute(self.db.pool())
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "failed to record a failed AI call");
        }
    }

    async fn cached(&self, key: &str) -> Option<DraftOutput> {
        match self.cache.get_json(key).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = ?e, "failed to read a cached AI result");
                None
            }
        }
    }

    async fn store(&self, key: &str, output: &DraftOutput) {
        if let Err(e) = self
            .cache
            .put_json(key, output, self.settings.cache_ttl)
            .await
        {
            tracing::warn!(error = ?e, "failed to cache an AI result");
        }
    }

    /// Budgets, usage and the provider's state, for a user (and more for admins).
    /// `ping` asks the external provider whether it answers (admins' AI page only: it
    /// is a network call with a 5 s timeout).
    pub async fn status(&self, user_id: &UserId, admin: bool, ping: bool) -> Result<AiStatus> {
        let b = self.settings.budgets;
        let (day, month) = periods();
        let (user_tokens, user_cost) = self.used(Some(user_id), day).await?;
        let (all_tokens, all_cost) = self.used(None, month).await?;
        let provider = self
            .provider(self.settings.provider)
            .map_err(|_| Error::Conflict(Conflict::ProviderMissing))?;
        let answers = match (admin && ping, &self.external, self.settings.provider) {
            (true, Some(p), ProviderChoice::OpenAi) => Some(p.ping().await),
            _ => None,
        };
        Ok(AiStatus {
            provider: provider.name().to_string(),
            model: provider.model(),
            external_configured: self.external.is_some(),
            answers: answers.as_ref().map(|r| r.is_ok()),
            answer_detail: answers.and_then(|r| r.err()),
            breaker_open: self.breaker_open().is_some(),
            today: vec![
                BudgetLine::new("Your tokens today", user_tokens, b.user_daily_tokens, false),
                BudgetLine::new(
                    "Your spending today",
                    user_cost,
                    b.user_daily_cost_micros,
                    true,
                ),
            ],
            month: admin.then(|| {
                vec![
                    BudgetLine::new(
                        "Everyone's tokens this month",
                        all_tokens,
                        b.monthly_tokens,
                        false,
                    ),
                    BudgetLine::new(
                        "Everyone's spending this month",
                        all_cost,
                        b.monthly_cost_micros,
                        true,
                    ),
                ]
            }),
            per_user_per_hour: b.per_user_per_hour,
        })
    }
}

/// Start of today and of this month (UTC, Unix ms).
fn periods() -> (i64, i64) {
    let now = now_ms();
    let day = now - now.rem_euclid(86_400_000);
    let days = day / 86_400_000;
    // Civil date of `days` (Howard Hinnant's algorithm), then back to the 1st.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    (day, day - (d - 1) * 86_400_000)
}

/// The cache key: everything that decides the answer.
fn cache_key(agent: Agent, provider: &dyn AiProvider, brief: &Brief) -> String {
    let mut hash = Sha256::new();
    for part in [
        agent.as_str(),
        provider.name(),
        &provider.model(),
        PROMPT_VERSION,
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.update(serde_json::to_vec(brief).unwrap_or_default());
    format!("ai-cache:{}", hex::encode(hash.finalize()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn month_starts_on_the_first() {
        let (day, month) = super::periods();
        assert!(month <= day && day - month < 31 * 86_400_000);
        assert_eq!(month % 86_400_000, 0);
    }
}
