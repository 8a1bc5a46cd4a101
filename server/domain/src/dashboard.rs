//! The dashboard's figures in two round trips: one query of counts, one of the
//! person's recent activity. (It runs on every dashboard view; keep it cheap.)
use crate::accounts::audit::{self, action};
use crate::accounts::CurrentUser;
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{DashboardFigures, Role, SignupMode};

#[derive(sqlx::FromRow)]
struct Counts {
    admins: i64,
    editors: i64,
    viewers: i64,
    disabled: i64,
    pending_invitations: i64,
    sign_ins: i64,
    failed_sign_ins: i64,
    my_last_login: Option<i64>,
    signup_mode: Option<String>,
}

/// Admins see installation-wide numbers; everyone sees their own recent activity.
pub async fn figures(db: &Db, user: &CurrentUser) -> crate::Result<DashboardFigures> {
    let now = now_ms();
    let week_ago = now - 7 * 24 * 3600 * 1000;
    let c: Counts = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM users WHERE role = 'admin') AS admins, \
           (SELECT COUNT(*) FROM users WHERE role = 'editor') AS editors, \
           (SELECT COUNT(*) FROM users WHERE role = 'viewer') AS viewers, \
           (SELECT COUNT(*) FROM users WHERE disabled_at IS NOT NULL) AS disabled, \
           (SELECT COUNT(*) FROM invitations WHERE accepted_at IS NULL AND revoked_at IS NULL \
              AND expires_at > $1) AS pending_invitations, \
           (SELECT COUNT(*) FROM audit_log WHERE action = $2 AND created_at >= $3) AS sign_ins, \
           (SELECT COUNT(*) FROM audit_log WHERE action = $4 AND created_at >= $3) AS failed_sign_ins, \
           (SELECT last_login_at FROM users WHERE id = $5) AS my_last_login, \
           (SELECT value FROM settings WHERE key = 'signup_mode') AS signup_mode",
    )
    .bind(now)
    .bind(action::LOGIN)
    .bind(week_ago)
    .bind(action::LOGIN_FAILED)
    .bind(&user.id)
    .fetch_one(db.pool())
    .await?;
    let is_admin = user.role == Role::Admin;
    let users_by_role = vec![
        (Role::Admin, c.admins as u64),
        (Role::Editor, c.editors as u64),
        (Role::Viewer, c.viewers as u64),
    ];
    Ok(DashboardFigures {
        users_total: (c.admins + c.editors + c.viewers) as u64,
        users_by_role,
        users_disabled: c.disabled as u64,
        invitations_pending: if is_admin {
            c.pending_invitations as u64
        } else {
            0
        },
        sign_ins_last_7_days: c.sign_ins as u64,
        failed_sign_ins_last_7_days: if is_admin {
            c.failed_sign_ins as u64
        } else {
            0
        },
        my_last_login_at: c.my_last_login,
        recent_activity: audit::recent_for_user(db, &user.id, 8).await?,
        signup_mode: c
            .signup_mode
            .as_deref()
            .and_then(SignupMode::parse)
            .unwrap_or(SignupMode::Invite),
    })
}
