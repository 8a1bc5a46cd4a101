//! The battlecard queries.
use anyhow::Context;
use sqlx::{AnyConnection, FromRow};

use crate::accounts::CurrentUser;
use crate::error::{Error, Result};
use crate::store::Db;
use crate::types::{
    BattlecardSummary, CardContent, CardId, CardStatus, Claim, CompetitorId, FeedbackComment,
    ObjectionFeedback, ObjectionId, UserId,
};

/// A card with its competitor's name, as stored now.
#[derive(FromRow, Clone, Debug)]
pub struct CardRow {
    pub id: CardId,
    pub competitor_id: CompetitorId,
    pub competitor_name: String,
    pub competitor_website: String,
    pub title: String,
    pub summary: String,
    pub status: CardStatus,
    pub version: i64,
    pub content: String,
    pub published_version: Option<i64>,
    pub published_at: Option<i64>,
    pub status_by: String,
    pub status_at: i64,
    pub updated_by: String,
    pub updated_at: i64,
}

impl CardRow {
    pub fn status(&self) -> CardStatus {
        self.status
    }

    pub fn content(&self) -> Result<CardContent> {
        parse_content(&self.content)
    }

    /// The version readers (viewers) see, if any: see [`live_version`].
    pub fn live_version(&self) -> Option<i64> {
        live_version(self.status, self.published_version)
    }

    /// Whether readers (viewers) may see it at all.
    pub fn is_live(&self) -> bool {
        self.live_version().is_some()
    }
}

/// The version readers (viewers) see: the published one, unless the card is archived.
fn live_version(status: CardStatus, published_version: Option<i64>) -> Option<i64> {
    published_version.filter(|_| status != CardStatus::Archived)
}

pub fn parse_content(json: &str) -> Result<CardContent> {
    serde_json::from_str(json)
        .context("Failed to read a stored battlecard")
        .map_err(Error::Unexpected)
}

pub fn content_json(content: &CardContent) -> String {
    serde_json::to_string(content).unwrap_or_else(|_| "{}".into())
}

const CARD_SELECT: &str = "SELECT b.id, b.competitor_id, c.name AS competitor_name, \
       c.website AS competitor_website, b.title, b.summary, b.status, b.version, b.content, \
       b.published_version, b.published_at, b.status_by, b.status_at, b.updated_by, b.updated_at \
     FROM battlecards b JOIN competitors c ON c.id = b.competitor_id WHERE b.id = $1";

/// The card as stored, or `NotFound`. Visibility is the caller's business.
pub async fn load(conn: &mut AnyConnection, id: &CardId) -> Result<CardRow> {
    Ok(sqlx::query_as(CARD_SELECT).bind(id).fetch_one(conn).await?)
}

pub async fn load_from(db: &Db, id: &CardId) -> Result<CardRow> {
    Ok(sqlx::query_as(CARD_SELECT)
        .bind(id)
        .fetch_one(db.pool())
        .await?)
}

/// The content of one stored version.
pub async fn version_content(db: &Db, id: &CardId, version: i64) -> Result<CardContent> {
    let (json,): (String,) = sqlx::query_as(
        "SELECT content FROM battlecard_versions WHERE card_id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_one(db.pool())
    .await?;
    parse_content(&json)
}

#[derive(FromRow)]
struct SummaryRow {
    id: CardId,
    competitor_id: CompetitorId,
    title: String,
    summary: String,
    status: CardStatus,
    version: Option<i64>,
    published_version: Option<i64>,
    updated_at: Option<i64>,
    updated_by: String,
}

/// The cards about a competitor that `user` may see, newest first. Editors see each
/// card as it stands; readers see it as published (title, summary, version and who
/// published it when), never the newer draft an editor is working on.
pub async fn cards_of(
    db: &Db,
    user: &CurrentUser,
    competitor_id: &CompetitorId,
) -> Result<Vec<BattlecardSummary>> {
    const EDITORS: &str = "SELECT b.id, b.competitor_id, b.title, b.summary, b.status, b.version, \
           b.published_version, b.updated_at, b.updated_by \
         FROM battlecards b WHERE b.competitor_id = $1 ORDER BY b.updated_at DESC";
    const READERS: &str = "SELECT b.id, b.competitor_id, \
           COALESCE(b.published_title, '') AS title, COALESCE(b.published_summary, '') AS summary, \
           'published' AS status, b.published_version AS version, b.published_version, \
           b.published_at AS updated_at, COALESCE(b.published_by, '') AS updated_by \
         FROM battlecards b WHERE b.competitor_id = $1 \
           AND b.published_version IS NOT NULL AND b.status <> 'archived' \
         ORDER BY b.published_at DESC";
    let editor = user.role.at_least(crate::types::Role::Editor);
    let rows: Vec<SummaryRow> = sqlx::query_as(if editor { EDITORS } else { READERS })
        .bind(competitor_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| BattlecardSummary {
            status: r.status,
            id: r.id,
            competitor_id: r.competitor_id,
            title: r.title,
            summary: r.summary,
            version: r.version.unwrap_or_default(),
            published_version: r.published_version,
            updated_at: r.updated_at.unwrap_or_default(),
            updated_by: r.updated_by,
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_version(
    conn: &mut AnyConnection,
    card_id: &CardId,
    version: i64,
    content: &CardContent,
    note: &str,
    by: &str,
    at: i64,
    claims: &[Claim],
) -> Result<()> {
    let unverified = claims.iter().filter(|c| !c.verified).count() as i64;
    sqlx::query(
        "INSERT INTO battlecard_versions (card_id, version, content, note, created_by, created_at, \
           claims, unverified_claims) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(card_id)
    .bind(version)
    .bind(content_json(content))
    .bind(note)
    .bind(by)
    .bind(at)
    .bind(super::claims::to_json(claims))
    .bind(unverified)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct FeedbackRow {
    objection_id: ObjectionId,
    helpful: i64,
    comment: String,
    updated_at: i64,
    display_name: String,
}

/// Helped / didn't help counts per objection, with up to five latest comments each.
pub async fn feedback(db: &Db, card_id: &CardId) -> Result<Vec<ObjectionFeedback>> {
    let rows: Vec<FeedbackRow> = sqlx::query_as(
        "SELECT f.objection_id, f.helpful, f.comment, f.updated_at, u.display_name \
         FROM objection_feedback f JOIN users u ON u.id = f.user_id \
         WHERE f.card_id = $1 ORDER BY f.updated_at DESC",
    )
    .bind(card_id)
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<ObjectionFeedback> = Vec::new();
    for row in rows {
        let index = match out.iter().position(|f| f.objection_id == row.objection_id) {
            Some(i) => i,
            None => {
                out.push(ObjectionFeedback {
                    objection_id: row.objection_id.clone(),
                    ..Default::default()
                });
                out.len() - 1
            }
        };
        let entry = &mut out[index];
        if row.helpful != 0 {
            entry.helped += 1;
        } else {
            entry.not_helped += 1;
        }
        if !row.comment.is_empty() && entry.comments.len() < 5 {
            entry.comments.push(FeedbackComment {
                by: row.display_name,
                helpful: row.helpful != 0,
                comment: row.comment,
                at: row.updated_at,
            });
        }
    }
    Ok(out)
}

/// What the rep view reads of a card besides its rendering: who it is about and
/// which version readers see (not its content, which the rendering of that version
/// already holds).
#[derive(FromRow, Clone, Debug)]
pub struct RepRow {
    pub id: CardId,
    pub competitor_id: CompetitorId,
    pub competitor_name: String,
    pub competitor_website: String,
    pub status: CardStatus,
    pub version: i64,
    pub published_version: Option<i64>,
    pub published_at: Option<i64>,
    pub status_at: i64,
}

impl RepRow {
    /// The version readers (viewers) see, if any: see [`live_version`].
    pub fn live_version(&self) -> Option<i64> {
        live_version(self.status, self.published_version)
    }
}

/// A row of [`rep_row`]'s query: the card, and one of this user's votes if any.
#[derive(FromRow)]
struct RepVoteRow {
    #[sqlx(flatten)]
    card: RepRow,
    objection_id: Option<ObjectionId>,
    helpful: Option<i64>,
}

/// The card for the rep view and this user's votes on its objections, in one query
/// (a row per vote, or one row without a vote); `NotFound` when there is no card.
pub async fn rep_row(
    db: &Db,
    card_id: &CardId,
    user_id: &UserId,
) -> Result<(RepRow, Vec<(ObjectionId, bool)>)> {
    let rows: Vec<RepVoteRow> = sqlx::query_as(
        "SELECT b.id, b.competitor_id, c.name AS competitor_name, \
                c.website AS competitor_website, b.status, b.version, b.published_version, \
                b.published_at, b.status_at, f.objection_id, f.helpful \
         FROM battlecards b JOIN competitors c ON c.id = b.competitor_id \
         LEFT JOIN objection_feedback f ON f.card_id = b.id AND f.user_id = $2 \
         WHERE b.id = $1",
    )
    .bind(card_id)
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    let votes = rows
        .iter()
        .filter_map(|r| Some((r.objection_id.clone()?, r.helpful? != 0)))
        .collect();
    let card = rows.into_iter().next().ok_or(Error::NotFound)?.card;
    Ok((card, votes))
}

/// (all time, last 30 days) views of a card.
pub async fn view_counts(db: &Db, card_id: &CardId, since_day: i64) -> Result<(u64, u64)> {
    let (total, recent): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT), \
                CAST(COALESCE(SUM(CASE WHEN day >= $2 THEN views ELSE 0 END), 0) AS BIGINT) \
         FROM card_view_days WHERE card_id = $1",
    )
    .bind(card_id)
    .bind(since_day)
    .fetch_one(db.pool())
    .await?;
    Ok((total as u64, recent as u64))
}
