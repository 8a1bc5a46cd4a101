//! Value parsers: each turns one variable's text into its type, or says what it expects.
use super::*;

/// The database URL and the engine its scheme names.
#[derive(Clone)]
pub(super) struct DatabaseUrl {
    pub(super) url: SecretString,
    pub(super) backend: Backend,
}

/// Address ranges (FETCH_ALLOW); a newtype so clap takes the list as one value.
#[derive(Clone)]
pub(super) struct AddressRanges(pub(super) Vec<IpNet>);

pub(super) fn socket_addr(v: &str) -> Result<SocketAddr, String> {
    v.parse()
        .map_err(|_| format!("\"{v}\" is not an address; use HOST:PORT such as 127.0.0.1:3000"))
}

pub(super) fn public_url(v: &str) -> Result<Url, String> {
    let url =
        Url::parse(v).map_err(|_| format!("\"{v}\" is not a URL; use http(s)://HOST[:PORT]"))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        _ => Err(format!(
            "\"{v}\" must be an http:// or https:// URL with a host"
        )),
    }
}

pub(super) fn database_url(v: &str) -> Result<DatabaseUrl, String> {
    let backend = Backend::from_url(v).map_err(|e| e.to_string())?;
    Ok(DatabaseUrl {
        url: SecretString::from(v.to_string()),
        backend,
    })
}

pub(super) fn redis_url(v: &str) -> Result<SecretString, String> {
    if v.starts_with("redis://") || v.starts_with("rediss://") {
        Ok(SecretString::from(v.to_string()))
    } else {
        Err(format!(
            "\"{}\" must start with redis:// or rediss://",
            redact_url(v)
        ))
    }
}

pub(crate) fn secret(v: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(v.to_string()))
}

/// A whole number from `min` to `max`.
pub(crate) fn whole<T: TryFrom<u64>>(
    min: u64,
    max: u64,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    move |v| {
        v.parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| format!("\"{v}\" is not a whole number from {min} to {max}"))
    }
}

pub(super) fn boolean(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(format!("\"{v}\" is not true or false")),
    }
}

/// Refuses the combinations that cannot be correct, naming the variable to change.
pub(super) fn check_deployment(
    deployment: Deployment,
    database: Backend,
    redis: bool,
) -> Result<(), ConfigError> {
    match (deployment, database, redis) {
        (Deployment::Shared, Backend::Sqlite, _) => Err(ConfigError::new(
            "DATABASE_URL",
            "DEPLOYMENT=shared needs PostgreSQL (postgres://…): instances cannot share a SQLite file",
        )),
        (Deployment::Shared, Backend::Postgres, false) => Err(ConfigError::new(
            "REDIS_URL",
            "DEPLOYMENT=shared needs Redis, where the instances share sessions, counters and \
             live events: set REDIS_URL",
        )),
        (Deployment::Standalone, _, true) => Err(ConfigError::new(
            "REDIS_URL",
            "is only used by shared instances: set DEPLOYMENT=shared to run several \
             instances on PostgreSQL and Redis, or unset REDIS_URL",
        )),
        _ => Ok(()),
    }
}

pub(super) fn deployment(v: &str) -> Result<Deployment, String> {
    match v {
        "standalone" => Ok(Deployment::Standalone),
        "shared" => Ok(Deployment::Shared),
        other => Err(format!(
            "\"{other}\" is not a deployment; use standalone or shared"
        )),
    }
}

pub(super) fn log_format(v: &str) -> Result<LogFormat, String> {
    match v {
        "pretty" => Ok(LogFormat::Pretty),
        "json" => Ok(LogFormat::Json),
        other => Err(format!(
            "\"{other}\" is not a log format; use pretty or json"
        )),
    }
}

pub(super) fn address_ranges(v: &str) -> Result<AddressRanges, String> {
    v.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            IpNet::parse(p)
                .ok_or_else(|| format!("\"{p}\" is not an address or range like 127.0.0.1/32"))
        })
        .collect::<Result<_, _>>()
        .map(AddressRanges)
}

/// A duration above zero: "90s", "15m", "8h", "7d", "1h 30m", "500ms" (humantime), or
/// plain seconds.
pub fn parse_duration(v: &str) -> Option<Duration> {
    let v = v.trim();
    let parsed = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse().ok().map(Duration::from_secs)
    } else {
        humantime::parse_duration(v).ok()
    };
    parsed.filter(|d| !d.is_zero())
}

pub(crate) fn duration(v: &str) -> Result<Duration, String> {
    parse_duration(v).ok_or_else(|| {
        format!("\"{v}\" is not a duration; use a number with ms, s, m, h or d, such as 15m")
    })
}

/// A size above zero: "2MiB", "512KiB", "1000000" (bytes); KB and MB are decimal.
pub(super) fn size(v: &str) -> Result<usize, String> {
    v.parse::<bytesize::ByteSize>()
        .ok()
        .and_then(|b| usize::try_from(b.as_u64()).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("\"{v}\" is not a size; use bytes or KiB/MiB, such as 2MiB"))
}
