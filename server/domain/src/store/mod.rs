//! The SQL database: one `sqlx::Any` pool whose queries run unchanged on SQLite and
//! PostgreSQL. Portable column types only (TEXT, BIGINT, BLOB/BYTEA); `$n` placeholders.
//! Whatever differs between the two lives in [`dialect`].
pub mod columns;
pub mod dialect;
mod instance;

use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use dialect::Backend;
pub use instance::{Deployment, InstanceClaim};

/// Pool sizing and the URL, as configured.
#[derive(Clone, Debug)]
pub struct DbSettings {
    /// A sqlx URL: `sqlite://…` or `postgres://…`.
    pub url: String,
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout: Duration,
}

/// The database handle every service shares. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects (creating the SQLite file and its folder when needed) and applies migrations.
    pub async fn connect(settings: &DbSettings) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(&settings.url)?;
        let url = match backend {
            Backend::Sqlite => dialect::prepare_sqlite_url(&settings.url)?,
            Backend::Postgres => settings.url.clone(),
        };
        let options: AnyConnectOptions = url.parse().context("Failed to parse DATABASE_URL")?;
        let pool = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .min_connections(settings.min_connections)
            .acquire_timeout(settings.acquire_timeout)
            // A ping before every acquire doubles the round trips of each query; broken
            // connections surface as query errors and are replaced by the pool anyway.
            .test_before_acquire(false)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(dialect::SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("Failed to connect to the {} database", backend.label()))?;
        let db = Db { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("../../migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("../../migrations/postgres"),
        };
        migrator
            .run(&self.pool)
            .await
            .context("Failed to apply database migrations")?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("database did not answer")?;
        Ok(())
    }

    /// Connections (in use, idle) for metrics.
    pub fn pool_usage(&self) -> (u32, u32) {
        let size = self.pool.size();
        let idle = self.pool.num_idle() as u32;
        (size.saturating_sub(idle), idle)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
