//! Invitation links: a random token handed to the invitee, stored only as a SHA-256.
use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest, Sha256};

use crate::store::Db;
use crate::time::now_ms;
use crate::types::{InvitationId, InvitationState, InvitationSummary, Page, Role, UserId};

/// A usable invitation, found by its token.
#[derive(Debug, Clone)]
pub struct PendingInvitation {
    pub id: InvitationId,
    pub email: Option<String>,
    pub role: Role,
}

/// A new random token (shown once) and its stored hash.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

pub async fn insert(
    db: &Db,
    token_hash: &str,
    email: Option<&str>,
    role: Role,
    created_by: &UserId,
    expires_at: i64,
) -> crate::Result<InvitationId> {
    let id = InvitationId::new();
    sqlx::query(
        "INSERT INTO invitations (id, token_hash, email, role, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(token_hash)
    .bind(email)
    .bind(role.as_str())
    .bind(created_by)
    .bind(now_ms())
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(id)
}

/// The pending, unexpired invitation for `token`, if any.
pub async fn find_pending(db: &Db, token: &str) -> crate::Result<Option<PendingInvitation>> {
    if token.trim().chars().count() > crate::types::limits::INVITE_MAX {
        return Ok(None);
    }
    let row: Option<(InvitationId, Option<String>, Role)> = sqlx::query_as(
        "SELECT id, email, role FROM invitations WHERE token_hash = $1 \
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(hash_token(token))
    .bind(now_ms())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id, email, role)| PendingInvitation { id, email, role }))
}

/// Marks an invitation used inside the caller's transaction; false when it is no
/// longer pending (someone used it first, or it was revoked or expired meanwhile).
/// The row is locked by the update, so of two racing sign-ups exactly one gets `true`.
pub async fn accept(
    conn: &mut sqlx::AnyConnection,
    id: &InvitationId,
    user_id: &UserId,
) -> crate::Result<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE invitations SET accepted_at = $1, accepted_by = $2 \
         WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(user_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes a pending invitation; false when it was not pending.
pub async fn revoke(db: &Db, id: &InvitationId) -> crate::Result<bool> {
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: InvitationId,
    email: Option<String>,
    role: Role,
    created_by: String,
    created_at: i64,
    expires_at: i64,
    accepted_at: Option<i64>,
    revoked_at: Option<i64>,
}

/// Newest first, one page.
pub async fn page(db: &Db, page: u32, per_page: u32) -> crate::Result<Page<InvitationSummary>> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations")
        .fetch_one(db.pool())
        .await?;
    let rows: Vec<InvitationRow> = sqlx::query_as(
        "SELECT i.id, i.email, i.role, u.email AS created_by, i.created_at, i.expires_at, i.accepted_at, i.revoked_at \
         FROM invitations i JOIN users u ON u.id = i.created_by ORDER BY i.created_at DESC LIMIT $1 OFFSET $2",
    )
    .bind(per_page as i64)
    .bind((page.saturating_sub(1) as i64) * per_page as i64)
    .fetch_all(db.pool())
    .await?;
    let now = now_ms();
    let items = rows
        .into_iter()
        .map(|r| InvitationSummary {
            state: if r.accepted_at.is_some() {
                InvitationState::Accepted
            } else if r.revoked_at.is_some() {
                InvitationState::Revoked
            } else if r.expires_at <= now {
                InvitationState::Expired
            } else {
                InvitationState::Pending
            },
            id: r.id,
            email: r.email,
            role: r.role,
            created_by: r.created_by,
            created_at: r.created_at,
            expires_at: r.expires_at,
        })
        .collect();
    Ok(Page {
        items,
        page,
        per_page,
        total: total as u64,
    })
}
