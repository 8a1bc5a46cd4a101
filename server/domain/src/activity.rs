//! The activity feed of a competitor: what people did to it and its cards.
use sqlx::AnyConnection;

use crate::accounts::CurrentUser;
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{ActivityEntry, CardId, CompetitorId};

pub mod action {
    pub const COMPETITOR_CREATED: &str = "competitor.created";
    pub const COMPETITOR_UPDATED: &str = "competitor.updated";
    pub const COMPETITOR_ARCHIVED: &str = "competitor.archived";
    pub const COMPETITOR_RESTORED: &str = "competitor.restored";
    pub const CARD_CREATED: &str = "card.created";
    pub const CARD_SAVED: &str = "card.saved";
    pub const CARD_STATUS: &str = "card.status";
    /// A card was published: the one card entry readers (viewers) are shown, since
    /// its detail carries only text that was published with it.
    pub const CARD_PUBLISHED: &str = "card.published";
    pub const CARD_RESTORED: &str = "card.restored";
}

/// Records an entry inside the caller's transaction, so it exists exactly when the
/// change it describes does.
pub async fn record(
    conn: &mut AnyConnection,
    actor: &CurrentUser,
    competitor_id: &CompetitorId,
    card_id: Option<&CardId>,
    action: &str,
    detail: &str,
) -> crate::Result<()> {
    sqlx::query(
        "INSERT INTO activity (competitor_id, card_id, actor_id, actor_name, action, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(competitor_id)
    .bind(card_id)
    .bind(&actor.id)
    .bind(&actor.name)
    .bind(action)
    .bind(detail)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    created_at: i64,
    actor_name: String,
    action: String,
    detail: String,
    card_id: Option<CardId>,
}

/// The newest entries about a competitor. Readers (`visible_cards` is `Some`) see the
/// competitor's own entries and the publications of cards they can see, never an
/// entry about a draft: those carry the draft's title. Pass `None` for editors.
pub async fn recent(
    db: &Db,
    competitor_id: &CompetitorId,
    visible_cards: Option<&[CardId]>,
    limit: i64,
) -> crate::Result<Vec<ActivityEntry>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, created_at, actor_name, action, detail, card_id FROM activity \
         WHERE competitor_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(competitor_id)
    .bind(limit * 4)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| match (visible_cards, &r.card_id) {
            (Some(cards), Some(card)) => cards.contains(card) && r.action == action::CARD_PUBLISHED,
            _ => true,
        })
        .take(limit as usize)
        .map(|r| ActivityEntry {
            id: r.id,
            at: r.created_at,
            actor: r.actor_name,
            action: describe(&r.action).to_string(),
            detail: r.detail,
            card_id: r.card_id,
        })
        .collect())
}

fn describe(action: &str) -> &str {
    match action {
        action::COMPETITOR_CREATED => "added the competitor",
        action::COMPETITOR_UPDATED => "edited the competitor",
        action::COMPETITOR_ARCHIVED => "archived the competitor",
        action::COMPETITOR_RESTORED => "restored the competitor",
        action::CARD_CREATED => "created a battlecard",
        action::CARD_SAVED => "saved a battlecard",
        action::CARD_STATUS => "changed a battlecard's status",
        action::CARD_PUBLISHED => "published a battlecard",
        action::CARD_RESTORED => "restored an older version",
        other => other,
    }
}
