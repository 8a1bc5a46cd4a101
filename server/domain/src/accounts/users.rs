//! Queries on the `users` table.
use crate::store::dialect::RuleLock;
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{Page, Role, UserId, UserSummary};

/// A user row as the server needs it. Explicitly not Serialize: it holds the hash.
#[derive(sqlx::FromRow, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled_at: Option<i64>,
    pub session_epoch: i64,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("password_hash", &"[redacted]")
            .finish()
    }
}

impl UserRecord {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: self.id.clone(),
            email: self.email.clone(),
            name: self.display_name.clone(),
            role: self.role(),
            disabled: self.disabled_at.is_some(),
            created_at: self.created_at,
            last_login_at: self.last_login_at,
        }
    }
}

const COLUMNS: &str = "id, email, display_name, password_hash, role, disabled_at, session_epoch, created_at, last_login_at";

pub async fn by_email(db: &Db, email: &str) -> crate::Result<Option<UserRecord>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
            .bind(email)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn by_id(db: &Db, id: &UserId) -> crate::Result<Option<UserRecord>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// The user with `id`, or `NotFound`.
pub async fn get(db: &Db, id: &UserId) -> crate::Result<UserRecord> {
    by_id(db, id).await?.ok_or(crate::Error::NotFound)
}

pub async fn count(db: &Db) -> crate::Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await?;
    Ok(n as u64)
}

/// Inserts a user with `id` inside the caller's transaction. Who may be created with
/// which role is decided by the caller (see `claim_first_admin`).
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    id: &UserId,
    email: &str,
    name: &str,
    password_hash: &str,
    role: Role,
) -> Result<UserRecord, sqlx::Error> {
    let now = now_ms();
    sqlx::query_as(&format!(
        "INSERT INTO users (id, email, display_name, password_hash, role, session_epoch, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $6) \
         RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Records `user_id` as the account that set the installation up. There is exactly
/// one such row (its key is the constant 1), so of several sign-ups racing on an
/// empty installation exactly one claims it; the others get `false` and must roll
/// back. On PostgreSQL a racing claim waits for the first to commit, then finds it.
pub async fn claim_first_admin(
    conn: &mut sqlx::AnyConnection,
    user_id: &UserId,
) -> crate::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO first_admin (id, user_id, created_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(user_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn touch_login(db: &Db, id: &UserId) -> crate::Result<()> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Stores a new hash and starts a new session epoch; returns the epoch.
pub async fn set_password(db: &Db, id: &UserId, password_hash: &str) -> crate::Result<i64> {
    let now = now_ms();
    sqlx::query(
        "UPDATE users SET password_hash = $1, session_epoch = $2, updated_at = $2 WHERE id = $3",
    )
    .bind(password_hash)
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(now)
}

/// Whether an UPDATE of user `$3` keeps another active admin: the guard of every
/// change that may take an admin away.
const KEEPS_AN_ADMIN: &str = "EXISTS (SELECT 1 FROM users o WHERE o.role = 'admin' \
     AND o.disabled_at IS NULL AND o.id <> $3)";

/// Changes a role; false (nothing changed) when that would demote the last active
/// admin. The check and the change are one step, also against concurrent changes.
pub async fn set_role(db: &Db, id: &UserId, role: Role) -> crate::Result<bool> {
    let mut tx = db.pool().begin().await?;
    db.backend()
        .lock_rule(&mut tx, RuleLock::ActiveAdmin)
        .await?;
    let done = sqlx::query(&format!(
        "UPDATE users SET role = $1, updated_at = $2 WHERE id = $3 \
         AND ($1 = 'admin' OR role <> 'admin' OR disabled_at IS NOT NULL OR {KEEPS_AN_ADMIN})"
    ))
    .bind(role.as_str())
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Disables (ending every session through a new epoch) or re-enables an account.
/// False (nothing changed) when disabling would leave no active admin; the check and
/// the change are one step, also against concurrent changes.
pub async fn set_disabled(db: &Db, id: &UserId, disabled: bool) -> crate::Result<bool> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    db.backend()
        .lock_rule(&mut tx, RuleLock::ActiveAdmin)
        .await?;
    let done = if disabled {
        sqlx::query(&format!(
            "UPDATE users SET disabled_at = $1, session_epoch = $2, updated_at = $2 WHERE id = $3 \
             AND (role <> 'admin' OR {KEEPS_AN_ADMIN})"
        ))
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query("UPDATE users SET disabled_at = NULL, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
    };
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Users by email, one page; `query` filters by email or name.
pub async fn page(
    db: &Db,
    query: &str,
    page: u32,
    per_page: u32,
) -> crate::Result<Page<UserSummary>> {
    let pattern = format!(
        "%{}%",
        query
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE email LIKE $1 ESCAPE '\\' OR LOWER(display_name) LIKE $1 ESCAPE '\\'",
    )
    .bind(&pattern)
    .fetch_one(db.pool())
    .await?;
    let rows: Vec<UserRecord> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE email LIKE $1 ESCAPE '\\' OR LOWER(display_name) LIKE $1 ESCAPE '\\' \
         ORDER BY email LIMIT $2 OFFSET $3"
    ))
    .bind(&pattern)
    .bind(per_page as i64)
    .bind((page.saturating_sub(1) as i64) * per_page as i64)
    .fetch_all(db.pool())
    .await?;
    Ok(Page {
        items: rows.iter().map(UserRecord::summary).collect(),
        page,
        per_page,
        total: total as u64,
    })
}
