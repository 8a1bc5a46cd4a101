//! Which deployment mode holds a database. A standalone instance keeps sessions'
//! and users' copies, counters and live events in its own process, which is exact only
//! while nothing else uses its database; so it claims the database for itself, and a
//! second standalone instance, a shared instance or an `outrival worker` on the same
//! database is refused at start (and the other way round). Shared instances and
//! workers claim it together.
//!
//! The claim is an advisory lock held by one connection of its own on PostgreSQL, a
//! lock on a file beside the database on SQLite. Both end with the process, however it
//! ends.
use std::fs::{File, OpenOptions, TryLockError};

use anyhow::{bail, Context};
use sqlx::{AnyConnection, Connection};

use super::dialect::{self, Backend};

/// How an instance runs, decided once by configuration (`DEPLOYMENT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deployment {
    /// The only process on its database; nothing else installed.
    Standalone,
    /// One of several instances and workers sharing PostgreSQL and Redis.
    Shared,
}

/// The advisory lock's key on PostgreSQL ("outrival" in ASCII).
const LOCK_KEY: i64 = 0x6f75_7472_6976_616c;

/// This process's claim on its database; released when dropped or [`released`].
///
/// [`released`]: InstanceClaim::release
#[derive(Debug)]
pub struct InstanceClaim(Held);

#[derive(Debug)]
enum Held {
    File(#[allow(dead_code)] File),
    Postgres(AnyConnection),
}

const TAKEN_STANDALONE: &str = "DEPLOYMENT: another Outrival process uses this database; a \
    standalone instance must be the only one (run several with DEPLOYMENT=shared on \
    PostgreSQL and Redis)";
const TAKEN_SHARED: &str = "DEPLOYMENT: a standalone Outrival instance uses this database; \
    stop it, or run it with DEPLOYMENT=shared too";

impl InstanceClaim {
    /// Claims the database at `url` for `deployment`, or fails saying who holds it.
    pub async fn take(url: &str, deployment: Deployment) -> anyhow::Result<Self> {
        let taken = match deployment {
            Deployment::Standalone => TAKEN_STANDALONE,
            Deployment::Shared => TAKEN_SHARED,
        };
        match Backend::from_url(url)? {
            // (Configuration refuses DEPLOYMENT=shared on SQLite before this.)
            Backend::Sqlite => {
                dialect::prepare_sqlite_url(url)?; // creates the database's folder
                let path = format!("{}.instance-lock", dialect::sqlite_path(url)?);
                let file = OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .with_context(|| format!("Failed to open the lock file {path}"))?;
                match file.try_lock() {
                    Ok(()) => Ok(Self(Held::File(file))),
                    Err(TryLockError::WouldBlock) => bail!(taken),
                    Err(TryLockError::Error(e)) => {
                        Err(e).with_context(|| format!("Failed to lock {path}"))
                    }
                }
            }
            Backend::Postgres => {
                sqlx::any::install_default_drivers();
                let mut conn = AnyConnection::connect(url)
                    .await
                    .context("Failed to connect to the PostgreSQL database")?;
                let function = match deployment {
                    Deployment::Standalone => "pg_try_advisory_lock",
                    Deployment::Shared => "pg_try_advisory_lock_shared",
                };
                let got: bool = sqlx::query_scalar(&format!("SELECT {function}($1)"))
                    .bind(LOCK_KEY)
                    .fetch_one(&mut conn)
                    .await
                    .context("Failed to claim the database")?;
                if !got {
                    bail!(taken);
                }
                Ok(Self(Held::Postgres(conn)))
            }
        }
    }

    /// Lets go of the claim now (a restart on the same database can claim it at once).
    pub async fn release(self) {
        if let Held::Postgres(conn) = self.0 {
            // Closing ends the session, and with it the lock.
            if let Err(e) = conn.close().await {
                tracing::warn!(error = %e, "failed to close the instance claim's connection");
            }
        }
    }
}
