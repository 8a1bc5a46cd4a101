//! The AI part of the configuration: which provider writes drafts, how to reach an
//! OpenAI-compatible one, budgets, the rate limit, the breaker and the cache.
use std::time::Duration;

use clap::Args;
use domain::ai::openai::OpenAiSettings;
use domain::ai::{AiSettings, Budgets, ProviderChoice};
use secrecy::SecretString;
use url::Url;

use crate::config::{duration, secret, whole, ConfigError};

/// The AI settings, one field per environment variable (flattened into `Settings`).
#[derive(Args, Clone)]
#[command(next_help_heading = "AI")]
pub struct AiArgs {
    /// Who writes AI drafts: builtin (offline) or openai (any OpenAI-compatible API)
    #[arg(long, env = "AI_PROVIDER", default_value = "builtin", value_parser = provider)]
    ai_provider: ProviderChoice,

    /// OpenAI-compatible API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1
    #[arg(long, env = "AI_BASE_URL", value_parser = base_url)]
    ai_base_url: Option<Url>,

    /// Bearer key for that API
    #[arg(long, env = "AI_API_KEY", value_parser = secret)]
    ai_api_key: Option<SecretString>,

    /// Model name, e.g. gpt-4o-mini or llama3.1
    #[arg(long, env = "AI_MODEL")]
    ai_model: Option<String>,

    /// Longest wait for one provider answer
    #[arg(long, env = "AI_TIMEOUT", default_value = "60s", value_parser = duration)]
    ai_timeout: Duration,

    /// Retries after a 429, 5xx or network error (with backoff)
    #[arg(long, env = "AI_MAX_RETRIES", default_value = "2", value_parser = whole::<u32>(0, 10))]
    ai_max_retries: u32,

    /// Wait before the first retry (doubles each time)
    #[arg(long, env = "AI_RETRY_BASE", default_value = "1s", value_parser = duration)]
    ai_retry_base: Duration,

    /// US dollars per million prompt tokens, for cost accounting
    #[arg(long, env = "AI_PRICE_INPUT", default_value = "0", value_parser = price)]
    ai_price_input: f64,

    /// US dollars per million completion tokens
    #[arg(long, env = "AI_PRICE_OUTPUT", default_value = "0", value_parser = price)]
    ai_price_output: f64,

    /// Tokens one person may use per UTC day (0: AI off)
    #[arg(long, env = "AI_USER_DAILY_TOKENS", default_value = "200000", value_parser = whole::<u64>(0, u64::MAX / 4))]
    ai_user_daily_tokens: u64,

    /// US dollars one person may spend per UTC day (0: AI off)
    #[arg(long, env = "AI_USER_DAILY_COST", default_value = "5", value_parser = dollars)]
    ai_user_daily_cost: u64,

    /// Tokens everyone together may use per month (0: AI off)
    #[arg(long, env = "AI_MONTHLY_TOKENS", default_value = "20000000", value_parser = whole::<u64>(0, u64::MAX / 4))]
    ai_monthly_tokens: u64,

    /// US dollars everyone together may spend per month (0: AI off)
    #[arg(long, env = "AI_MONTHLY_COST", default_value = "200", value_parser = dollars)]
    ai_monthly_cost: u64,

    /// AI requests one person may make per hour
    #[arg(long, env = "AI_RATE_PER_HOUR", default_value = "30", value_parser = whole::<u64>(1, 100_000))]
    ai_rate_per_hour: u64,

    /// Provider failures in a row before the built-in engine takes over
    #[arg(long, env = "AI_BREAKER_FAILURES", default_value = "3", value_parser = whole::<u32>(1, 100))]
    ai_breaker_failures: u32,

    /// How long the built-in engine stands in before the provider is tried again
    #[arg(long, env = "AI_BREAKER_COOLDOWN", default_value = "60s", value_parser = duration)]
    ai_breaker_cooldown: Duration,

    /// How long an AI result is reused for the same inputs
    #[arg(long, env = "AI_CACHE_TTL", default_value = "7d", value_parser = duration)]
    ai_cache_ttl: Duration,
}

impl AiArgs {
    /// Checks the combination (openai needs a URL and a model).
    pub fn validate(self) -> Result<AiSettings, ConfigError> {
        let openai = match self.ai_base_url {
            None => None,
            Some(url) => Some(OpenAiSettings {
                base_url: url.as_str().trim_end_matches('/').to_string(),
                api_key: self.ai_api_key,
                model: self.ai_model.ok_or_else(|| {
                    ConfigError::new("AI_MODEL", "set the model name to use with AI_BASE_URL")
                })?,
                timeout: self.ai_timeout,
                max_retries: self.ai_max_retries,
                retry_base: self.ai_retry_base,
                price_input: self.ai_price_input,
                price_output: self.ai_price_output,
            }),
        };
        if self.ai_provider == ProviderChoice::OpenAi && openai.is_none() {
            return Err(ConfigError::new(
                "AI_PROVIDER",
                "openai needs AI_BASE_URL and AI_MODEL",
            ));
        }
        Ok(AiSettings {
            provider: self.ai_provider,
            openai,
            budgets: Budgets {
                user_daily_tokens: self.ai_user_daily_tokens,
                user_daily_cost_micros: self.ai_user_daily_cost,
                monthly_tokens: self.ai_monthly_tokens,
                monthly_cost_micros: self.ai_monthly_cost,
                per_user_per_hour: self.ai_rate_per_hour,
            },
            breaker_failures: self.ai_breaker_failures,
            breaker_cooldown: self.ai_breaker_cooldown,
            cache_ttl: self.ai_cache_ttl.max(Duration::from_secs(1)),
        })
    }
}

fn provider(v: &str) -> Result<ProviderChoice, String> {
    ProviderChoice::parse(v).ok_or_else(|| format!("\"{v}\" is not builtin or openai"))
}

fn base_url(v: &str) -> Result<Url, String> {
    Url::parse(v)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| format!("\"{v}\" is not an http(s) URL"))
}

/// Dollars, kept as millionths.
fn dollars(v: &str) -> Result<u64, String> {
    let d: f64 = v
        .trim_start_matches('$')
        .parse()
        .map_err(|_| format!("\"{v}\" is not an amount of dollars like 5 or 0.50"))?;
    if !(0.0..=1_000_000.0).contains(&d) {
        return Err(format!("{v} is outside 0 to 1000000"));
    }
    Ok((d * 1_000_000.0).round() as u64)
}

fn price(v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|p| (0.0..=10_000.0).contains(p))
        .ok_or_else(|| format!("\"{v}\" is not a price per million tokens like 0.15"))
}
