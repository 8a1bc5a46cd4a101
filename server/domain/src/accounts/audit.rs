//! The audit log: who did what security-relevant thing, to whom, from where.
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{AuditEntry, Page, UserId};

/// The actions the audit log records.
pub mod action {
    pub const SIGNUP: &str = "signup";
    pub const LOGIN: &str = "login";
    pub const LOGIN_FAILED: &str = "login_failed";
    pub const ACCOUNT_LOCKED: &str = "account_locked";
    pub const LOGOUT: &str = "logout";
    pub const PASSWORD_CHANGED: &str = "password_changed";
    pub const ROLE_CHANGED: &str = "role_changed";
    pub const ACCOUNT_DISABLED: &str = "account_disabled";
    pub const ACCOUNT_ENABLED: &str = "account_enabled";
    pub const USER_CREATED: &str = "user_created";
    pub const INVITATION_CREATED: &str = "invitation_created";
    pub const INVITATION_REVOKED: &str = "invitation_revoked";
    pub const SETTINGS_CHANGED: &str = "settings_changed";
}

/// One event to record. `actor` and `subject` are emails, kept as text so the
/// entry stays readable after an account changes. `subject_id` is the id of the user
/// or the invitation the action was about.
#[derive(Debug, Default, Clone)]
pub struct AuditEvent<'a> {
    pub actor_id: Option<&'a UserId>,
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub subject_id: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub detail: Option<String>,
}

impl<'a> AuditEvent<'a> {
    /// Something a person did to their own account (they are actor and subject).
    pub fn own(action: &'a str, user_id: &'a UserId, email: &'a str, ip: &'a str) -> Self {
        Self {
            actor_id: Some(user_id),
            actor: Some(email),
            action,
            subject_id: Some(user_id.as_str()),
            subject: Some(email),
            ip: Some(ip),
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Appends an event. A failure is logged, never shown: the action itself succeeded.
pub async fn record(db: &Db, event: AuditEvent<'_>) {
    let result = sqlx::query(
        "INSERT INTO audit_log (created_at, actor_id, actor, action, subject_id, subject, ip, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now_ms())
    .bind(event.actor_id)
    .bind(event.actor)
    .bind(event.action)
    .bind(event.subject_id)
    .bind(event.subject)
    .bind(event.ip)
    .bind(event.detail.as_deref())
    .execute(db.pool())
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, action = event.action, "failed to write an audit log entry");
    }
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    created_at: i64,
    actor: Option<String>,
    action: String,
    subject: Option<String>,
    ip: Option<String>,
    detail: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            at: r.created_at,
            actor: r.actor,
            action: r.action,
            subject: r.subject,
            ip: r.ip,
            detail: r.detail,
        }
    }
}

/// Newest first, one page.
pub async fn page(db: &Db, page: u32, per_page: u32) -> crate::Result<Page<AuditEntry>> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(db.pool())
        .await?;
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT id, created_at, actor, action, subject, ip, detail FROM audit_log \
         ORDER BY id DESC LIMIT $1 OFFSET $2",
    )
    .bind(per_page as i64)
    .bind((page.saturating_sub(1) as i64) * per_page as i64)
    .fetch_all(db.pool())
    .await?;
    Ok(Page {
        items: rows.into_iter().map(Into::into).collect(),
        page,
        per_page,
        total: total as u64,
    })
}

/// The latest entries involving one user, as actor or subject.
pub async fn recent_for_user(
    db: &Db,
    user_id: &UserId,
    limit: u32,
) -> crate::Result<Vec<AuditEntry>> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT id, created_at, actor, action, subject, ip, detail FROM audit_log \
         WHERE actor_id = $1 OR subject_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit as i64)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}
