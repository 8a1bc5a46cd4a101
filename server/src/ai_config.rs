//! The AI settings part of the configuration: which provider writes drafts, how to
//! reach an OpenAI-compatible one, budgets, the rate limit, the breaker and the cache.
use std::time::Duration;

use domain::ai::openai::OpenAiSettings;
use domain::ai::{AiSettings, Budgets, ProviderChoice};
use secrecy::SecretString;

use crate::config::{duration, number, parse, ConfigError};

pub const AI_VARIABLES: &[(&str, &str, &str)] = &[
    (
        "AI_PROVIDER",
        "builtin",
        "Who writes AI drafts: builtin (offline) or openai (any OpenAI-compatible API)",
    ),
    (
        "AI_BASE_URL",
        "(unset)",
        "OpenAI-compatible API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1",
    ),
    ("AI_API_KEY", "(unset)", "Bearer key for that API"),
    (
        "AI_MODEL",
        "(unset)",
        "Model name, e.g. gpt-4o-mini or llama3.1",
    ),
    ("AI_TIMEOUT", "60s", "Longest wait for one provider answer"),
    (
        "AI_MAX_RETRIES",
        "2",
        "Retries after a 429, 5xx or network error (with backoff)",
    ),
    (
        "AI_RETRY_BASE",
        "1s",
        "Wait before the first retry (doubles each time)",
    ),
    (
        "AI_PRICE_INPUT",
        "0",
        "US dollars per million prompt tokens, for cost accounting",
    ),
    (
        "AI_PRICE_OUTPUT",
        "0",
        "US dollars per million completion tokens",
    ),
    (
        "AI_USER_DAILY_TOKENS",
        "200000",
        "Tokens one person may use per UTC day (0: AI off)",
    ),
    (
        "AI_USER_DAILY_COST",
        "5",
        "US dollars one person may spend per UTC day (0: AI off)",
    ),
    (
        "AI_MONTHLY_TOKENS",
        "20000000",
        "Tokens everyone together may use per month (0: AI off)",
    ),
    (
        "AI_MONTHLY_COST",
        "200",
        "US dollars everyone together may spend per month (0: AI off)",
    ),
    (
        "AI_RATE_PER_HOUR",
        "30",
        "AI requests one person may make per hour",
    ),
    (
        "AI_BREAKER_FAILURES",
        "3",
        "Provider failures in a row before the built-in engine takes over",
    ),
    (
        "AI_BREAKER_COOLDOWN",
        "60s",
        "How long the built-in engine stands in before the provider is tried again",
    ),
    (
        "AI_CACHE_TTL",
        "7d",
        "How long an AI result is reused for the same inputs",
    ),
];

fn dollars(var: &'static str, value: Option<String>, default: &str) -> Result<u64, ConfigError> {
    parse(var, value, default, |v| {
        let d: f64 = v
            .trim_start_matches('$')
            .parse()
            .map_err(|_| format!("\"{v}\" is not an amount of dollars like 5 or 0.50"))?;
        if !(0.0..=1_000_000.0).contains(&d) {
            return Err(format!("{v} is outside 0 to 1000000"));
        }
        Ok((d * 1_000_000.0).round() as u64)
    })
}

fn price(var: &'static str, value: Option<String>) -> Result<f64, ConfigError> {
    parse(var, value, "0", |v| {
        v.parse::<f64>()
            .ok()
            .filter(|p| (0.0..=10_000.0).contains(p))
            .ok_or_else(|| format!("\"{v}\" is not a price per million tokens like 0.15"))
    })
}

pub fn ai_settings(get: &dyn Fn(&str) -> Option<String>) -> Result<AiSettings, ConfigError> {
    let provider = parse("AI_PROVIDER", get("AI_PROVIDER"), "builtin", |v| {
        ProviderChoice::parse(v).ok_or_else(|| format!("\"{v}\" is not builtin or openai"))
    })?;
    let openai = match get("AI_BASE_URL") {
        None => None,
        Some(base) => {
            let url = url::Url::parse(&base)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or(ConfigError {
                    var: "AI_BASE_URL",
                    message: format!("\"{base}\" is not an http(s) URL"),
                })?;
            Some(OpenAiSettings {
                base_url: url.as_str().trim_end_matches('/').to_string(),
                api_key: get("AI_API_KEY").map(SecretString::from),
                model: get("AI_MODEL").ok_or(ConfigError {
                    var: "AI_MODEL",
                    message: "set the model name to use with AI_BASE_URL".into(),
                })?,
                timeout: duration("AI_TIMEOUT", get("AI_TIMEOUT"), "60s")?,
                max_retries: number("AI_MAX_RETRIES", get("AI_MAX_RETRIES"), 2, 0, 10)? as u32,
                retry_base: duration("AI_RETRY_BASE", get("AI_RETRY_BASE"), "1s")?,
                price_input: price("AI_PRICE_INPUT", get("AI_PRICE_INPUT"))?,
                price_output: price("AI_PRICE_OUTPUT", get("AI_PRICE_OUTPUT"))?,
            })
        }
    };
    if provider == ProviderChoice::OpenAi && openai.is_none() {
        return Err(ConfigError {
            var: "AI_PROVIDER",
            message: "openai needs AI_BASE_URL and AI_MODEL".into(),
        });
    }
    Ok(AiSettings {
        provider,
        openai,
        budgets: Budgets {
            user_daily_tokens: number(
                "AI_USER_DAILY_TOKENS",
                get("AI_USER_DAILY_TOKENS"),
                200_000,
                0,
                u64::MAX / 4,
            )?,
            user_daily_cost_micros: dollars("AI_USER_DAILY_COST", get("AI_USER_DAILY_COST"), "5")?,
            monthly_tokens: number(
                "AI_MONTHLY_TOKENS",
                get("AI_MONTHLY_TOKENS"),
                20_000_000,
                0,
                u64::MAX / 4,
            )?,
            monthly_cost_micros: dollars("AI_MONTHLY_COST", get("AI_MONTHLY_COST"), "200")?,
            per_user_per_hour: number("AI_RATE_PER_HOUR", get("AI_RATE_PER_HOUR"), 30, 1, 100_000)?,
        },
        breaker_failures: number("AI_BREAKER_FAILURES", get("AI_BREAKER_FAILURES"), 3, 1, 100)?
            as u32,
        breaker_cooldown: duration("AI_BREAKER_COOLDOWN", get("AI_BREAKER_COOLDOWN"), "60s")?,
        cache_ttl: duration("AI_CACHE_TTL", get("AI_CACHE_TTL"), "7d")?.max(Duration::from_secs(1)),
    })
}
