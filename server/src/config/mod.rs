//! One typed configuration, declared once. Every setting is a clap argument with its
//! environment variable, default and meaning, so `outrival --help`, the README table
//! (checked by a test) and the parser cannot drift apart. Values are validated at
//! start; a bad one stops start-up with one line naming the variable.
use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use domain::jobs::JobSettings;
use domain::sources::fetch::IpNet;
use domain::sources::FetchPolicy;
use domain::store::{Backend, Deployment};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::ai_config::AiArgs;
pub use values::parse_duration;
use values::*;
pub(crate) use values::{duration, secret, whole};

/// A configuration problem: which variable, and what it expects.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub var: String,
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(var: &str, message: impl Into<String>) -> Self {
        Self {
            var: var.to_string(),
            message: message.into(),
        }
    }

    /// The variable and our own message for a value that failed its parser; `None`
    /// for other command-line errors (unknown flags, `--help`), which clap reports.
    pub fn from_clap(err: &clap::Error) -> Option<Self> {
        if err.kind() != ErrorKind::ValueValidation {
            return None;
        }
        let Some(ContextValue::String(arg)) = err.get(ContextKind::InvalidArg) else {
            return None;
        };
        let long = arg
            .strip_prefix("--")?
            .split([' ', '='])
            .next()
            .unwrap_or_default();
        let command = Cli::command();
        let var = command
            .get_arguments()
            .find(|a| a.get_long() == Some(long))
            .and_then(|a| a.get_env())
            .map(|env| env.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("--{long}"));
        let message = std::error::Error::source(err)
            .map(|e| e.to_string())
            .unwrap_or_else(|| err.to_string());
        Some(Self { var, message })
    }
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

/// `outrival`: the command line. Settings come from environment variables (or the
/// matching flags, which win).
#[derive(Parser)]
#[command(
    name = "outrival",
    about = "Outrival: battlecards, competitor monitoring and AI drafts for sales teams",
    after_help = "Every setting is read from its environment variable (a .env file in the \
                  working directory is read too); a flag given here wins over it.",
    args_override_self = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

/// What the process runs.
#[derive(Subcommand, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Start the web server, with JOB_WORKERS job workers (the default)
    Serve,
    /// Run job workers only (at least one), no web server
    Worker,
}

/// Variables read under another name when theirs is unset: cargo-leptos sets these.
const ALIASES: &[(&str, &str)] = &[
    ("BIND_ADDR", "LEPTOS_SITE_ADDR"),
    ("SITE_ROOT", "LEPTOS_SITE_ROOT"),
];

impl Cli {
    /// The declaration as clap sees it, with the values of variables hidden in help
    /// (they may be secrets).
    pub fn declaration() -> clap::Command {
        Cli::command().mut_args(|a| a.hide_env_values(true))
    }

    /// Parses `args` (the program name first) with settings from `vars`, never from
    /// the process environment itself: tests hand in their own variables, in parallel.
    /// Blank variables count as unset. A flag in `args` wins over its variable.
    pub fn parse_with(
        args: impl IntoIterator<Item = OsString>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Cli, clap::Error> {
        let mut vars: HashMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k, v.trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        for (name, alias) in ALIASES {
            if let (false, Some(value)) = (vars.contains_key(*name), vars.get(*alias).cloned()) {
                vars.insert(name.to_string(), value);
            }
        }
        let mut args = args.into_iter();
        let program = args.next().unwrap_or_else(|| "outrival".into());
        let given: Vec<OsString> = args.collect();

        let command = Self::declaration();
        // Each variable becomes its flag, ahead of those typed (the last one given wins).
        let mut argv = vec![program.clone()];
        for arg in command.get_arguments() {
            let (Some(env), Some(long)) = (arg.get_env().and_then(|e| e.to_str()), arg.get_long())
            else {
                continue;
            };
            if let Some(value) = vars.get(env) {
                argv.push(format!("--{long}={value}").into());
            }
        }
        argv.extend(given.iter().cloned());
        // Clap would read the process environment for what is missing: forget the names.
        let matches = match command.mut_args(|a| a.env(None)).try_get_matches_from(argv) {
            Ok(matches) => matches,
            Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
                // Render help from the declaration that still names the variables.
                let shown = std::iter::once(program).chain(given);
                return Err(Self::declaration()
                    .try_get_matches_from(shown)
                    .err()
                    .unwrap_or(e));
            }
            Err(e) => return Err(e),
        };
        Cli::from_arg_matches(&matches)
    }

    /// The configuration table in README.md, rendered from the declaration.
    pub fn readme_table() -> String {
        let mut table = String::from("| variable | default | meaning |\n|---|---|---|\n");
        for arg in Self::declaration().get_arguments() {
            let Some(env) = arg.get_env() else { continue };
            let default = arg
                .get_default_values()
                .iter()
                .map(|v| format!("`{}`", v.to_string_lossy()))
                .collect::<Vec<_>>()
                .join(", ");
            let meaning = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            table.push_str(&format!(
                "| `{}` | {default} | {meaning} |\n",
                env.to_string_lossy()
            ));
        }
        table
    }
}

/// Every setting, one field per environment variable; `Config` is what it validates to.
#[derive(Args, Clone)]
pub struct Settings {
    /// Address and port to listen on; LEPTOS_SITE_ADDR (set by cargo-leptos) is read too
    #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:3000", value_parser = socket_addr)]
    bind_addr: SocketAddr,

    /// URL people use to reach Outrival; https turns on Secure cookies and HSTS.
    /// Default: http://BIND_ADDR
    #[arg(long, env = "PUBLIC_URL", value_parser = public_url)]
    public_url: Option<Url>,

    /// How this instance runs: standalone (the only one: sessions in the database,
    /// counters and live events in this process) or shared (one of several instances
    /// and `outrival worker` processes on one PostgreSQL and one Redis)
    #[arg(long, env = "DEPLOYMENT", default_value = "standalone", value_parser = deployment)]
    deployment: Deployment,

    /// sqlite://FILE or postgres://USER@HOST/DB
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/outrival.db", value_parser = database_url)]
    database_url: DatabaseUrl,

    /// Most connections in the database pool. Default: 4 with SQLite (one writer: a few
    /// connections serve it best), 10 with PostgreSQL
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", value_parser = whole::<u32>(1, 1000))]
    database_max_connections: Option<u32>,

    /// Connections kept open when idle
    #[arg(long, env = "DATABASE_MIN_CONNECTIONS", default_value = "1", value_parser = whole::<u32>(0, 1000))]
    database_min_connections: u32,

    /// redis://HOST:PORT, where shared instances keep sessions, counters and live events
    /// (DEPLOYMENT=shared only)
    #[arg(long, env = "REDIS_URL", value_parser = redis_url)]
    redis_url: Option<SecretString>,

    /// Redis connections
    #[arg(long, env = "REDIS_POOL_SIZE", default_value = "8", value_parser = whole::<usize>(1, 256))]
    redis_pool_size: usize,

    /// Prefix of every Redis key
    #[arg(long, env = "REDIS_PREFIX", default_value = "outrival:")]
    redis_prefix: String,

    /// Most memory (MiB) the in-process cache of a standalone instance uses (cached AI results, session read-through, presence); least-used entries go first
    #[arg(long, env = "CACHE_MAX_MB", default_value = "64", value_parser = whole::<u64>(1, 65_536))]
    cache_max_mb: u64,

    /// Most memory (MiB) for rendered pages kept in this process, in either mode (0 renders every page every time); least-used pages go first. A request with `Cache-Control: no-cache` is rendered for itself alone
    #[arg(long, env = "PAGE_CACHE_MAX_MB", default_value = "64", value_parser = whole::<u64>(0, 65_536))]
    page_cache_max_mb: u64,

    /// Sign out after this long without a request
    #[arg(long, env = "SESSION_IDLE_TIMEOUT", default_value = "8h", value_parser = duration)]
    session_idle_timeout: Duration,

    /// Sign out this long after signing in, however active
    #[arg(long, env = "SESSION_MAX_LIFETIME", default_value = "7d", value_parser = duration)]
    session_max_lifetime: Duration,

    /// Failed sign-ins per account before a lockout
    #[arg(long, env = "LOGIN_MAX_FAILURES", default_value = "5", value_parser = whole::<u64>(1, 1000))]
    login_max_failures: u64,

    /// Failed sign-ins per client address before a lockout
    #[arg(long, env = "LOGIN_MAX_FAILURES_PER_IP", default_value = "50", value_parser = whole::<u64>(1, 100_000))]
    login_max_failures_per_ip: u64,

    /// Window for counting failures, and how long a lockout lasts
    #[arg(long, env = "LOGIN_LOCKOUT", default_value = "15m", value_parser = duration)]
    login_lockout: Duration,

    /// Password hashes computed at once. Default: the number of CPUs
    #[arg(long, env = "PASSWORD_HASH_CONCURRENCY", value_parser = whole::<usize>(1, 256))]
    password_hash_concurrency: Option<usize>,

    /// How long an invitation link works
    #[arg(long, env = "INVITATION_TTL", default_value = "7d", value_parser = duration)]
    invitation_ttl: Duration,

    /// Largest request body; larger ones get 413
    #[arg(long, env = "REQUEST_BODY_LIMIT", default_value = "2MiB", value_parser = size)]
    request_body_limit: usize,

    /// pretty or json
    #[arg(long, env = "LOG_FORMAT", default_value = "pretty", value_parser = log_format)]
    log_format: LogFormat,

    /// Log filter (tracing EnvFilter syntax)
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    rust_log: String,

    /// Folder with the built CSS, JS and WASM (pkg/); LEPTOS_SITE_ROOT is read too
    #[arg(long, env = "SITE_ROOT", default_value = "target/site")]
    site_root: String,

    /// Take the client address from X-Forwarded-For; only behind a proxy that sets it
    #[arg(long, env = "TRUST_PROXY", default_value = "false", value_parser = boolean, action = clap::ArgAction::Set)]
    trust_proxy: bool,

    /// With TRUST_PROXY: how many proxies in front of Outrival append to X-Forwarded-For.
    /// The client address is the entry this many places from the right (what the
    /// outermost of them saw); entries left of it are the client's say and are ignored
    #[arg(long, env = "TRUSTED_PROXY_HOPS", default_value = "1", value_parser = whole::<usize>(1, 16))]
    trusted_proxy_hops: usize,

    /// Longest wait for a request's head (also closes connections idle this long
    /// between requests)
    #[arg(long, env = "HTTP_HEADER_TIMEOUT", default_value = "10s", value_parser = duration)]
    http_header_timeout: Duration,

    /// Longest time from a request's head to its answer, body upload included; slower
    /// ones get 408
    #[arg(long, env = "REQUEST_TIMEOUT", default_value = "30s", value_parser = duration)]
    request_timeout: Duration,

    /// If set, /metrics requires the header Authorization: Bearer followed by this token;
    /// unset, /metrics is open to anyone who can reach the port (see Operations)
    #[arg(long, env = "METRICS_TOKEN", value_parser = secret)]
    metrics_token: Option<SecretString>,

    /// Background job workers in this process (0: none)
    #[arg(long, env = "JOB_WORKERS", default_value = "2", value_parser = whole::<usize>(0, 64))]
    job_workers: usize,

    /// A job whose worker is silent this long is taken over
    #[arg(long, env = "JOB_LEASE", default_value = "30s", value_parser = duration)]
    job_lease: Duration,

    /// How often idle workers look for queued jobs
    #[arg(long, env = "JOB_POLL", default_value = "1s", value_parser = duration)]
    job_poll: Duration,

    /// Wait before a failed job's first retry (doubles each time)
    #[arg(long, env = "JOB_RETRY_BASE", default_value = "5s", value_parser = duration)]
    job_retry_base: Duration,

    /// Attempts before a job is given up (dead)
    #[arg(long, env = "JOB_MAX_ATTEMPTS", default_value = "4", value_parser = whole::<u32>(1, 100))]
    job_max_attempts: u32,

    /// Internal address ranges sources may be fetched from, e.g. 127.0.0.1/32,10.1.0.0/16
    #[arg(long, env = "FETCH_ALLOW", value_parser = address_ranges)]
    fetch_allow: Option<AddressRanges>,

    /// Longest wait for a fetched page
    #[arg(long, env = "FETCH_TIMEOUT", default_value = "15s", value_parser = duration)]
    fetch_timeout: Duration,

    /// Largest page fetched
    #[arg(long, env = "FETCH_MAX_BYTES", default_value = "5MiB", value_parser = size)]
    fetch_max_bytes: usize,

    #[command(flatten)]
    ai: AiArgs,
}

/// Everything Outrival reads from its environment, validated. See README "Configuration".
#[derive(Clone)]
pub struct Config {
    pub deployment: Deployment,
    pub bind_addr: SocketAddr,
    pub public_url: Url,
    pub database_url: SecretString,
    pub database_max_connections: u32,
    pub database_min_connections: u32,
    pub redis_url: Option<SecretString>,
    pub redis_pool_size: usize,
    pub redis_prefix: String,
    /// Bytes the in-process cache (standalone) may hold.
    pub cache_max_bytes: u64,
    /// Bytes of rendered pages kept in process (0: none).
    pub page_cache_max_bytes: u64,
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
    pub trusted_proxy_hops: usize,
    pub http_header_timeout: Duration,
    pub request_timeout: Duration,
    pub metrics_token: Option<SecretString>,
    pub job_workers: usize,
    pub jobs: JobSettings,
    pub fetch: FetchPolicy,
    pub ai: domain::ai::AiSettings,
}

impl Config {
    /// Reads the process environment (call `dotenvy` first to include `.env`).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(process_vars())
    }

    /// Reads from any set of variables (tests pass their own).
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let cli = Cli::parse_with([OsString::from("outrival")], vars).map_err(|e| {
            ConfigError::from_clap(&e)
                .unwrap_or_else(|| ConfigError::new("configuration", e.to_string()))
        })?;
        cli.settings.validate()
    }

    /// Whether cookies must be Secure and HSTS sent.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

/// The process environment as text (variables that are not UTF-8 are not ours).
pub fn process_vars() -> impl Iterator<Item = (String, String)> {
    std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
}

impl Settings {
    /// Checks what depends on more than one variable and fills computed defaults.
    pub fn validate(self) -> Result<Config, ConfigError> {
        let bind_addr = self.bind_addr;
        let public_url = self.public_url.unwrap_or_else(|| {
            let host = if bind_addr.ip().is_unspecified() {
                "localhost".to_string()
            } else {
                bind_addr.ip().to_string()
            };
            let port = bind_addr.port();
            Url::parse(&format!("http://{host}:{port}")).expect("a host and port form a URL")
        });
        let DatabaseUrl { url, backend } = self.database_url;
        check_deployment(self.deployment, backend, self.redis_url.is_some())?;
        let database_max_connections = self.database_max_connections.unwrap_or(match backend {
            // SQLite has one writer and sqlx gives each connection its own thread: a few
            // connections serve best (measured: 4 beat 16 by a quarter under load).
            Backend::Sqlite => 4,
            Backend::Postgres => 10,
        });
        if self.database_min_connections > database_max_connections {
            return Err(ConfigError::new(
                "DATABASE_MIN_CONNECTIONS",
                format!(
                    "{} is more than DATABASE_MAX_CONNECTIONS ({database_max_connections})",
                    self.database_min_connections
                ),
            ));
        }
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Ok(Config {
            deployment: self.deployment,
            bind_addr,
            public_url,
            database_url: url,
            database_max_connections,
            database_min_connections: self.database_min_connections,
            redis_url: self.redis_url,
            redis_pool_size: self.redis_pool_size,
            redis_prefix: self.redis_prefix,
            cache_max_bytes: self.cache_max_mb * 1024 * 1024,
            page_cache_max_bytes: self.page_cache_max_mb * 1024 * 1024,
            session_idle_timeout: self.session_idle_timeout,
            session_max_lifetime: self.session_max_lifetime,
            login_max_failures: self.login_max_failures,
            login_max_failures_per_ip: self.login_max_failures_per_ip,
            login_lockout: self.login_lockout,
            password_hash_concurrency: self.password_hash_concurrency.unwrap_or(cpus),
            invitation_ttl: self.invitation_ttl,
            request_body_limit: self.request_body_limit,
            log_format: self.log_format,
            log_filter: self.rust_log,
            site_root: self.site_root,
            trust_proxy: self.trust_proxy,
            trusted_proxy_hops: self.trusted_proxy_hops,
            http_header_timeout: self.http_header_timeout,
            request_timeout: self.request_timeout,
            metrics_token: self.metrics_token,
            job_workers: self.job_workers,
            jobs: JobSettings {
                lease: self.job_lease,
                poll: self.job_poll,
                backoff_base: self.job_retry_base,
                backoff_max: Duration::from_secs(600),
                max_attempts: self.job_max_attempts,
            },
            fetch: FetchPolicy {
                allow: self.fetch_allow.map(|r| r.0).unwrap_or_default(),
                timeout: self.fetch_timeout,
                max_bytes: self.fetch_max_bytes,
                ..FetchPolicy::default()
            },
            ai: self.ai.validate()?,
        })
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("deployment", &self.deployment)
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
            .field("trusted_proxy_hops", &self.trusted_proxy_hops)
            .field("http_header_timeout", &self.http_header_timeout)
            .field("request_timeout", &self.request_timeout)
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

#[cfg(test)]
mod tests;
mod values;
