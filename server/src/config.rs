//! One typed configuration, read from the environment (and `.env`), validated at
//! start. A bad value stops start-up with one line naming the variable.
use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use domain::jobs::JobSettings;
use domain::sources::fetch::IpNet;
use domain::sources::FetchPolicy;
use domain::store::Backend;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// A configuration problem: which variable, and what it expects.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.var, self.message)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Everything Outrival reads from its environment. See README "Configuration".
#[derive(Clone)]
pub struct Config {
    pub bind_addr: SocketAddr,
    pub public_url: Url,
    pub database_url: SecretString,
    pub database_max_connections: u32,
    pub database_min_connections: u32,
    pub redis_url: Option<SecretString>,
    pub redis_pool_size: usize,
    pub redis_prefix: String,
    pub session_idle_timeout: Duration,
    pub session_max_lifetime: Duration,
    pub login_max_failures: u64,
    pub login_max_failures_per_ip: u64,
    pub login_lockout: Duration,
    pub password_hash_concurrency: usize,
    pub invitation_ttl: Duration,
    pub request_body_limit: usize,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub site_root: String,
    pub trust_proxy: bool,
    pub metrics_token: Option<SecretString>,
    pub job_workers: usize,
    pub jobs: JobSettings,
    pub fetch: FetchPolicy,
    pub ai: domain::ai::AiSettings,
}

/// The names of every variable, with default and meaning, for `--help` and the README.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "BIND_ADDR",
        "127.0.0.1:3000",
        "Address and port to listen on",
    ),
    (
        "PUBLIC_URL",
        "http://<BIND_ADDR>",
        "URL people use to reach Outrival; https turns on Secure cookies and HSTS",
    ),
    (
        "DATABASE_URL",
        "sqlite://data/outrival.db",
        "sqlite://FILE or postgres://USER@HOST/DB",
    ),
    (
        "DATABASE_MAX_CONNECTIONS",
        "4 (SQLite), 10 (PostgreSQL)",
        "Most connections in the database pool",
    ),
    (
        "DATABASE_MIN_CONNECTIONS",
        "1",
        "Connections kept open when idle",
    ),
    (
        "REDIS_URL",
        "(unset)",
        "redis://HOST:PORT; moves sessions and counters to Redis",
    ),
    ("REDIS_POOL_SIZE", "8", "Redis connections"),
    ("REDIS_PREFIX", "outrival:", "Prefix of every Redis key"),
    (
        "SESSION_IDLE_TIMEOUT",
        "8h",
        "Sign out after this long without a request",
    ),
    (
        "SESSION_MAX_LIFETIME",
        "7d",
        "Sign out this long after signing in, however active",
    ),
    (
        "LOGIN_MAX_FAILURES",
        "5",
        "Failed sign-ins per account before a lockout",
    ),
    (
        "LOGIN_MAX_FAILURES_PER_IP",
        "50",
        "Failed sign-ins per client address before a lockout",
    ),
    (
        "LOGIN_LOCKOUT",
        "15m",
        "Window for counting failures, and how long a lockout lasts",
    ),
    (
        "PASSWORD_HASH_CONCURRENCY",
        "<CPU count>",
        "Password hashes computed at once",
    ),
    ("INVITATION_TTL", "7d", "How long an invitation link works"),
    (
        "REQUEST_BODY_LIMIT",
        "2MiB",
        "Largest request body; larger ones get 413",
    ),
    ("LOG_FORMAT", "pretty", "pretty or json"),
    ("RUST_LOG", "info", "Log filter (tracing EnvFilter syntax)"),
    (
        "SITE_ROOT",
        "target/site",
        "Folder with the built CSS, JS and WASM (pkg/)",
    ),
    (
        "TRUST_PROXY",
        "false",
        "Take the client address from X-Forwarded-For",
    ),
    (
        "METRICS_TOKEN",
        "(unset)",
        "If set, /metrics requires Authorization: Bearer <token>",
    ),
    (
        "JOB_WORKERS",
        "2",
        "Background job workers in this process (0: none)",
    ),
    (
        "JOB_LEASE",
        "30s",
        "A job whose worker is silent this long is taken over",
    ),
    (
        "JOB_POLL",
        "1s",
        "How often idle workers look for queued jobs",
    ),
    (
        "JOB_RETRY_BASE",
        "5s",
        "Wait before a failed job's first retry (doubles each time)",
    ),
    (
        "JOB_MAX_ATTEMPTS",
        "4",
        "Attempts before a job is given up (dead)",
    ),
    (
        "FETCH_ALLOW",
        "(unset)",
        "Internal address ranges sources may be fetched from, e.g. 127.0.0.1/32,10.1.0.0/16",
    ),
    ("FETCH_TIMEOUT", "15s", "Longest wait for a fetched page"),
    ("FETCH_MAX_BYTES", "5MiB", "Largest page fetched"),
];

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars())
    }

    /// Reads from any set of variables (tests pass their own).
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let vars: HashMap<String, String> = vars
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        let get = |name: &str| vars.get(name).map(|v| v.trim().to_string());

        let bind_addr: SocketAddr = parse(
            "BIND_ADDR",
            get("BIND_ADDR").or_else(|| get("LEPTOS_SITE_ADDR")),
            "127.0.0.1:3000",
            |v| {
                v.parse().map_err(|_| {
                    format!("\"{v}\" is not an address; use HOST:PORT such as 127.0.0.1:3000")
                })
            },
        )?;
        let default_public = format!(
            "http://{}:{}",
            if bind_addr.ip().is_unspecified() {
                "localhost".to_string()
            } else {
                bind_addr.ip().to_string()
            },
            bind_addr.port()
        );
        let public_url: Url = parse("PUBLIC_URL", get("PUBLIC_URL"), &default_public, |v| {
            let url = Url::parse(v)
                .map_err(|_| format!("\"{v}\" is not a URL; use http(s)://HOST[:PORT]"))?;
            match url.scheme() {
                "http" | "https" if url.host().is_some() => Ok(url),
                _ => Err(format!(
                    "\"{v}\" must be an http:// or https:// URL with a host"
                )),
            }
        })?;
        let (database_url, backend) = parse(
            "DATABASE_URL",
            get("DATABASE_URL"),
            "sqlite://data/outrival.db",
            |v| {
                let backend = Backend::from_url(v).map_err(|e| e.to_string())?;
                Ok((SecretString::from(v.to_string()), backend))
            },
        )?;
        let redis_url = get("REDIS_URL")
            .map(|v| {
                if v.starts_with("redis://") || v.starts_with("rediss://") {
                    Ok(SecretString::from(v))
                } else {
                    Err(ConfigError {
                        var: "REDIS_URL",
                        message: format!(
                            "\"{}\" must start with redis:// or rediss://",
                            redact_url(&v)
                        ),
                    })
                }
            })
            .transpose()?;
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);

        // SQLite has one writer and sqlx gives each connection its own thread: a few
        // connections serve best (measured: 4 beat 16 by a quarter under load).
        let default_pool = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 10,
        };
        let database_max_connections = number(
            "DATABASE_MAX_CONNECTIONS",
            get("DATABASE_MAX_CONNECTIONS"),
            default_pool,
            1,
            1000,
        )? as u32;
        let database_min_connections = number(
            "DATABASE_MIN_CONNECTIONS",
            get("DATABASE_MIN_CONNECTIONS"),
            1,
            0,
            1000,
        )? as u32;
        if database_min_connections > database_max_connections {
            return Err(ConfigError {
                var: "DATABASE_MIN_CONNECTIONS",
                message: format!("{database_min_connections} is more than DATABASE_MAX_CONNECTIONS ({database_max_connections})"),
            });
        }
        Ok(Config {
            bind_addr,
            public_url,
            database_url,
            database_max_connections,
            database_min_connections,
            redis_url,
            redis_pool_size: number("REDIS_POOL_SIZE", get("REDIS_POOL_SIZE"), 8, 1, 256)? as usize,
            redis_prefix: get("REDIS_PREFIX").unwrap_or_else(|| "outrival:".into()),
            session_idle_timeout: duration(
                "SESSION_IDLE_TIMEOUT",
                get("SESSION_IDLE_TIMEOUT"),
                "8h",
            )?,
            session_max_lifetime: duration(
                "SESSION_MAX_LIFETIME",
                get("SESSION_MAX_LIFETIME"),
                "7d",
            )?,
            login_max_failures: number(
                "LOGIN_MAX_FAILURES",
                get("LOGIN_MAX_FAILURES"),
                5,
                1,
                1000,
            )?,
            login_max_failures_per_ip: number(
                "LOGIN_MAX_FAILURES_PER_IP",
                get("LOGIN_MAX_FAILURES_PER_IP"),
                50,
                1,
                100_000,
            )?,
            login_lockout: duration("LOGIN_LOCKOUT", get("LOGIN_LOCKOUT"), "15m")?,
            password_hash_concurrency: number(
                "PASSWORD_HASH_CONCURRENCY",
                get("PASSWORD_HASH_CONCURRENCY"),
                cpus as u64,
                1,
                256,
            )? as usize,
            invitation_ttl: duration("INVITATION_TTL", get("INVITATION_TTL"), "7d")?,
            request_body_limit: bytes("REQUEST_BODY_LIMIT", get("REQUEST_BODY_LIMIT"), "2MiB")?,
            log_format: parse("LOG_FORMAT", get("LOG_FORMAT"), "pretty", |v| match v {
                "pretty" => Ok(LogFormat::Pretty),
                "json" => Ok(LogFormat::Json),
                other => Err(format!(
                    "\"{other}\" is not a log format; use pretty or json"
                )),
            })?,
            log_filter: get("RUST_LOG").unwrap_or_else(|| "info".into()),
            site_root: get("SITE_ROOT")
                .or_else(|| get("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".into()),
            trust_proxy: parse("TRUST_PROXY", get("TRUST_PROXY"), "false", |v| match v {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                other => Err(format!("\"{other}\" is not true or false")),
            })?,
            metrics_token: get("METRICS_TOKEN").map(SecretString::from),
            job_workers: number("JOB_WORKERS", get("JOB_WORKERS"), 2, 0, 64)? as usize,
            jobs: JobSettings {
                lease: duration("JOB_LEASE", get("JOB_LEASE"), "30s")?,
                poll: duration("JOB_POLL", get("JOB_POLL"), "1s")?,
                backoff_base: duration("JOB_RETRY_BASE", get("JOB_RETRY_BASE"), "5s")?,
                backoff_max: Duration::from_secs(600),
                max_attempts: number("JOB_MAX_ATTEMPTS", get("JOB_MAX_ATTEMPTS"), 4, 1, 100)?
                    as u32,
            },
            fetch: FetchPolicy {
                allow: parse("FETCH_ALLOW", get("FETCH_ALLOW"), "", |v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| {
                            IpNet::parse(p).ok_or_else(|| {
                                format!("\"{p}\" is not an address or range like 127.0.0.1/32")
                            })
                        })
                        .collect()
                })?,
                timeout: duration("FETCH_TIMEOUT", get("FETCH_TIMEOUT"), "15s")?,
                max_bytes: bytes("FETCH_MAX_BYTES", get("FETCH_MAX_BYTES"), "5MiB")?,
                ..FetchPolicy::default()
            },
            ai: crate::ai_config::ai_settings(&get)?,
        })
    }

    /// Whether cookies must be Secure and HSTS sent.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind_addr", &self.bind_addr)
            .field("public_url", &self.public_url.as_str())
            .field(
                "database_url",
                &redact_url(self.database_url.expose_secret()),
            )
            .field("database_max_connections", &self.database_max_connections)
            .field(
                "redis_url",
                &self
                    .redis_url
                    .as_ref()
                    .map(|u| redact_url(u.expose_secret())),
            )
            .field("redis_prefix", &self.redis_prefix)
            .field("session_idle_timeout", &self.session_idle_timeout)
            .field("session_max_lifetime", &self.session_max_lifetime)
            .field("login_max_failures", &self.login_max_failures)
            .field("login_lockout", &self.login_lockout)
            .field("request_body_limit", &self.request_body_limit)
            .field("log_format", &self.log_format)
            .field("site_root", &self.site_root)
            .field("trust_proxy", &self.trust_proxy)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

/// Hides the password (and user) part of a connection URL.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if !url.password().unwrap_or_default().is_empty() => {
            let _ = url.set_password(Some("[redacted]"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) => raw
            .split('@')
            .next_back()
            .map(|host| format!("[redacted]@{host}"))
            .unwrap_or_default(),
    }
}

pub(crate) fn parse<T>(
    var: &'static str,
    value: Option<String>,
    default: &str,
    f: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, ConfigError> {
    let value = value.unwrap_or_else(|| default.to_string());
    f(&value).map_err(|message| ConfigError { var, message })
}

pub(crate) fn number(
    var: &'static str,
    value: Option<String>,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ConfigError {
                var,
                message: format!("\"{v}\" is not a whole number from {min} to {max}"),
            }),
        },
    }
}

/// "90s", "15m", "8h", "7d" (or plain seconds).
pub fn parse_duration(v: &str) -> Option<Duration> {
    let v = v.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (n, unit) = v.split_at(split);
    let n: u64 = n.parse().ok()?;
    if unit.trim() == "ms" {
        return (n > 0).then(|| Duration::from_millis(n));
    }
    let secs = match unit.trim() {
        "" | "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

pub(crate) fn duration(
    var: &'static str,
    value: Option<String>,
    default: &str,
) -> Result<Duration, ConfigError> {
    parse(var, value, default, |v| {
        parse_duration(v).ok_or_else(|| {
            format!("\"{v}\" is not a duration; use a number with ms, s, m, h or d, such as 15m")
        })
    })
}

/// "2MiB", "512KiB", "1000000" (bytes).
fn bytes(var: &'static str, value: Option<String>, default: &str) -> Result<usize, ConfigError> {
    parse(var, value, default, |v| {
        let lower = v.to_ascii_lowercase();
        let split = lower
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(lower.len());
        let (n, unit) = lower.split_at(split);
        let factor = match unit.trim() {
            "" | "b" => 1,
            "k" | "kb" | "kib" => 1024,
            "m" | "mb" | "mib" => 1024 * 1024,
            _ => 0,
        };
        match n.parse::<usize>() {
            Ok(n) if factor > 0 && n > 0 => Ok(n * factor),
            _ => Err(format!(
                "\"{v}\" is not a size; use bytes or KiB/MiB, such as 2MiB"
            )),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn defaults_need_nothing() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(c.database_url.expose_secret(), "sqlite://data/outrival.db");
        assert!(c.redis_url.is_none());
        assert_eq!(c.database_max_connections, 4, "a small pool suits SQLite");
        let pg = config(&[("DATABASE_URL", "postgres://u@h/db")]).unwrap();
        assert_eq!(pg.database_max_connections, 10);
        assert_eq!(c.login_lockout, Duration::from_secs(900));
        assert_eq!(c.request_body_limit, 2 * 1024 * 1024);
        assert!(!c.is_https());
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = config(&[("DATABASE_URL", "mysql://localhost/db")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "DATABASE_URL: unsupported scheme \"mysql\"; use sqlite:// or postgres://"
        );
        assert_eq!(
            config(&[("BIND_ADDR", "nowhere")]).unwrap_err().var,
            "BIND_ADDR"
        );
        assert_eq!(
            config(&[("LOGIN_LOCKOUT", "soon")]).unwrap_err().var,
            "LOGIN_LOCKOUT"
        );
        assert_eq!(
            config(&[("LOG_FORMAT", "xml")]).unwrap_err().var,
            "LOG_FORMAT"
        );
        assert_eq!(
            config(&[("REDIS_URL", "http://x")]).unwrap_err().var,
            "REDIS_URL"
        );
        assert_eq!(
            config(&[("PUBLIC_URL", "ftp://x")]).unwrap_err().var,
            "PUBLIC_URL"
        );
        assert_eq!(
            config(&[("DATABASE_MAX_CONNECTIONS", "0")])
                .unwrap_err()
                .var,
            "DATABASE_MAX_CONNECTIONS"
        );
        assert_eq!(
            config(&[("REQUEST_BODY_LIMIT", "lots")]).unwrap_err().var,
            "REQUEST_BODY_LIMIT"
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let c = config(&[
            (
                "DATABASE_URL",
                "postgres://app:hunter2secret@db.internal/outrival",
            ),
            ("REDIS_URL", "redis://:redispass@cache:6379"),
            ("METRICS_TOKEN", "tok3n"),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2secret"), "{shown}");
        assert!(!shown.contains("redispass"), "{shown}");
        assert!(!shown.contains("tok3n"), "{shown}");
        assert!(shown.contains("db.internal"));
    }

    #[test]
    fn durations_and_https() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("0m"), None);
        assert!(config(&[("PUBLIC_URL", "https://ci.example.com")])
            .unwrap()
            .is_https());
    }
}
