//! Everything that differs between SQLite and PostgreSQL, in one place.
use anyhow::{bail, Context};

/// Which database engine the pool talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Rules that span rows, each with its own advisory lock key (see `lock_rule`).
#[derive(Clone, Copy, Debug)]
#[repr(i64)]
pub enum RuleLock {
    /// An installation keeps at least one active admin.
    ActiveAdmin = 0x6f75_7472_0001,
}

/// Run on every new SQLite connection: WAL for concurrent readers, enforced foreign
/// keys, and a busy timeout so writers queue instead of failing.
pub(crate) const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

impl Backend {
    /// The engine named by a URL's scheme.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            other => bail!("unsupported scheme \"{other}\"; use sqlite:// or postgres://"),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// The `n`th (from 1) bind parameter of a statement whose parameters are all
    /// written in order. SQLite gets anonymous `?`: its `$n` names are looked up by a
    /// linear scan for every parameter bound, which makes a many-row INSERT quadratic.
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Backend::Sqlite => "?".to_string(),
            Backend::Postgres => format!("${n}"),
        }
    }

    /// Serialises the transactions that check a rule spanning several rows before they
    /// change one of them (such as "an active admin remains"): on PostgreSQL, under
    /// READ COMMITTED, two of them would each see the other's row unchanged. A
    /// transaction-scoped advisory lock keyed by `rule` makes them take turns. SQLite
    /// has a single writer: a guarded single-statement UPDATE is atomic there already.
    pub async fn lock_rule(
        self,
        conn: &mut sqlx::AnyConnection,
        rule: RuleLock,
    ) -> Result<(), sqlx::Error> {
        if self == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(rule as i64)
                .execute(conn)
                .await?;
        }
        Ok(())
    }

    /// Whether an error is a unique-constraint violation.
    pub fn is_unique_violation(self, error: &sqlx::Error) -> bool {
        match error {
            sqlx::Error::Database(db) => match self {
                // SQLITE_CONSTRAINT_UNIQUE (2067) and PRIMARYKEY (1555)
                Backend::Sqlite => matches!(db.code().as_deref(), Some("2067") | Some("1555")),
                Backend::Postgres => db.code().as_deref() == Some("23505"),
            },
            _ => false,
        }
    }
}

/// Whether the database refused to store a text because of a character in it: the
/// NUL character, which PostgreSQL's text type cannot hold (SQLite stores it).
pub fn is_unstorable_text(error: &sqlx::Error) -> bool {
    match error {
        // character_not_in_repertoire, untranslatable_character
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("22021") | Some("22P05")),
        _ => false,
    }
}

/// Makes sure the SQLite file's folder exists and that the file is created on first start.
/// The file a `sqlite://` URL names (never an in-memory database).
pub(crate) fn sqlite_path(url: &str) -> anyhow::Result<&str> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split_once('?').map_or(rest, |(path, _)| path);
    if path.is_empty() || path == ":memory:" {
        bail!("an in-memory SQLite database would lose everything at restart; name a file");
    }
    Ok(path)
}

pub(crate) fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let path = sqlite_path(url)?;
    let query = url.split_once('?').map_or("", |(_, query)| query);
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("Failed to create the folder {}", parent.display()))?;
        }
    }
    let query = if query.contains("mode=") {
        query.to_string()
    } else if query.is_empty() {
        "mode=rwc".to_string()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_map_to_backends() {
        assert_eq!(
            Backend::from_url("sqlite://data/x.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        let err = Backend::from_url("mysql://h/db").unwrap_err().to_string();
        assert_eq!(
            err,
            "unsupported scheme \"mysql\"; use sqlite:// or postgres://"
        );
    }

    #[test]
    fn sqlite_url_gets_create_mode() {
        let dir = std::env::temp_dir().join(format!("outrival-dialect-{}", std::process::id()));
        let url = format!("sqlite://{}/a.db", dir.display());
        let prepared = prepare_sqlite_url(&url).unwrap();
        assert!(prepared.ends_with("a.db?mode=rwc"), "{prepared}");
        assert!(dir.exists());
        assert!(prepare_sqlite_url("sqlite::memory:").is_err());
    }
}
