//! Installation-wide settings an admin changes at run time.
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{SignupMode, UserId};

const SIGNUP_MODE: &str = "signup_mode";

/// Invitation-only until an admin opens sign-up.
pub async fn signup_mode(db: &Db) -> crate::Result<SignupMode> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(SIGNUP_MODE)
        .fetch_optional(db.pool())
        .await?;
    Ok(value
        .as_deref()
        .and_then(SignupMode::parse)
        .unwrap_or(SignupMode::Invite))
}

pub async fn set_signup_mode(db: &Db, mode: SignupMode, by: &UserId) -> crate::Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
    )
    .bind(SIGNUP_MODE)
    .bind(mode.as_str())
    .bind(now_ms())
    .bind(by)
    .execute(db.pool())
    .await?;
    Ok(())
}
