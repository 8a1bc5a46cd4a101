//! Competitors: create, edit, archive, list and read. Editors and admins change them;
//! everyone signed in reads them.
pub mod validate;

use sqlx::{AnyConnection, FromRow};

use crate::accounts::CurrentUser;
use crate::activity::{self, action};
use crate::battlecards::visible_cards_sql;
use crate::error::{Error, Result};
use crate::search;
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{
    competitor_limits as limits, CardId, Competitor, CompetitorDetail, CompetitorId,
    CompetitorInput, CompetitorList, CompetitorQuery, CompetitorRow, CompetitorSort, Page, Role,
};
use validate::Fields;

const PER_PAGE: u32 = 20;

#[derive(Clone)]
pub struct Competitors {
    db: Db,
}

#[derive(FromRow)]
pub(crate) struct Row {
    id: CompetitorId,
    name: String,
    website: String,
    description: String,
    tags: String,
    keywords: String,
    created_at: i64,
    updated_at: i64,
    archived_at: Option<i64>,
}

impl Row {
    pub(crate) fn into_competitor(self) -> Competitor {
        let list = |s: &str| {
            s.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        };
        Competitor {
            tags: list(&self.tags),
            keywords: list(&self.keywords),
            id: self.id,
            name: self.name,
            website: self.website,
            description: self.description,
            created_at: self.created_at,
            updated_at: self.updated_at,
            archived: self.archived_at.is_some(),
        }
    }
}

const COLUMNS: &str =
    "c.id, c.name, c.website, c.description, c.tags, c.keywords, c.created_at, c.updated_at, c.archived_at";

#[derive(FromRow)]
struct ListRow {
    #[sqlx(flatten)]
    row: Row,
    cards: i64,
    total: i64,
}

/// `%text%` for LIKE, with LIKE's own wildcards escaped.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// What the search index holds for a competitor.
fn search_body(c: &Competitor) -> String {
    [
        c.description.as_str(),
        &c.tags.join(" "),
        &c.keywords.join(" "),
        &c.website,
    ]
    .join("\n")
}

/// The competitor as stored after writing `fields`.
fn competitor(
    id: &CompetitorId,
    fields: Fields,
    created_at: i64,
    updated_at: i64,
    archived: bool,
) -> Competitor {
    Competitor {
        id: id.clone(),
        name: fields.name,
        website: fields.website,
        description: fields.description,
        tags: fields.tags,
        keywords: fields.keywords,
        created_at,
        updated_at,
        archived,
    }
}

impl Competitors {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn list(&self, user: &CurrentUser, q: &CompetitorQuery) -> Result<CompetitorList> {
        search::check_query("q", &q.q)?;
        if q.tag.trim().chars().count() > limits::TAG_MAX {
            return Err(Error::field(
                "tag",
                format!("A tag is at most {} characters.", limits::TAG_MAX),
            ));
        }
        let page = q.page.max(1);
        let order = match q.sort {
            CompetitorSort::Name => "c.name_key ASC",
            CompetitorSort::Updated => "c.updated_at DESC, c.name_key",
            CompetitorSort::Created => "c.created_at DESC, c.name_key",
        };
        let archived = if q.archived { "IS NOT NULL" } else { "IS NULL" };
        let sql = format!(
            "SELECT {COLUMNS}, \
               (SELECT COUNT(*) FROM battlecards b WHERE b.competitor_id = c.id AND {visible}) AS cards, \
               COUNT(*) OVER () AS total \
             FROM competitors c \
             WHERE c.archived_at {archived} \
               AND ($1 = '' OR c.name_key LIKE $2 ESCAPE '\\' OR lower(c.description) LIKE $2 ESCAPE '\\' \
                    OR lower(c.tags) LIKE $2 ESCAPE '\\') \
               AND ($3 = '' OR EXISTS (SELECT 1 FROM competitor_tags t WHERE t.competitor_id = c.id AND t.tag = $3)) \
             ORDER BY {order} LIMIT $4 OFFSET $5",
            visible = visible_cards_sql(user, "b"),
        );
        let query = q.q.trim();
        let rows: Vec<ListRow> = sqlx::query_as(&sql)
            .bind(query)
            .bind(like_pattern(query))
            .bind(validate::tag_key(q.tag.trim()))
            .bind(PER_PAGE as i64)
            // In i64: any u32 page times the page size fits, where u32 would overflow.
            .bind((i64::from(page) - 1) * i64::from(PER_PAGE))
            .fetch_all(self.db.pool())
            .await?;
        // The total rides on every row; past the last page there are none, so 0.
        let total = rows.first().map_or(0, |r| r.total as u64);
        let tags: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT t.tag FROM competitor_tags t JOIN competitors c ON c.id = t.competitor_id \
             WHERE c.archived_at IS NULL ORDER BY t.tag",
        )
        .fetch_all(self.db.pool())
        .await?;
        Ok(CompetitorList {
            page: Page {
                items: rows
                    .into_iter()
                    .map(|r| CompetitorRow {
                        cards: r.cards as u64,
                        competitor: r.row.into_competitor(),
                    })
                    .collect(),
                page,
                per_page: PER_PAGE,
                total,
            },
            tags: tags.into_iter().map(|t| t.0).collect(),
        })
    }

    pub async fn get(&self, _user: &CurrentUser, id: &CompetitorId) -> Result<Competitor> {
        let row: Row = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM competitors c WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_one(self.db.pool())
        .await?;
        Ok(row.into_competitor())
    }

    /// The competitor page: the competitor, the cards this person may see, recent activity.
    pub async fn detail(&self, user: &CurrentUser, id: &CompetitorId) -> Result<CompetitorDetail> {
        let competitor = self.get(user, id).await?;
        let cards = crate::battlecards::store::cards_of(&self.db, user, id).await?;
        let editor = user.role.at_least(Role::Editor);
        let card_ids: Vec<CardId> = cards.iter().map(|c| c.id.clone()).collect();
        let activity =
            activity::recent(&self.db, id, (!editor).then_some(&card_ids[..]), 15).await?;
        Ok(CompetitorDetail {
            competitor,
            cards,
            activity,
            can_edit: editor,
        })
    }

    pub async fn create(&self, user: &CurrentUser, input: &CompetitorInput) -> Result<Competitor> {
        user.require(Role::Editor)?;
        let fields = validate::parse(input)?;
        let id = CompetitorId::new();
        let now = now_ms();
        let mut tx = self.db.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO competitors (id, name, name_key, website, description, tags, keywords, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(&id)
        .bind(&fields.name)
        .bind(&fields.name_key)
        .bind(&fields.website)
        .bind(&fields.description)
        .bind(fields.tags.join("\n"))
        .bind(fields.keywords.join("\n"))
        .bind(&user.id)
        .bind(now)
        .execute(&mut *tx)
        .await;
        self.map_duplicate(inserted, &fields.name)?;
        write_tags(&mut tx, &id, &fields.tags).await?;
        let created = competitor(&id, fields, now, now, false);
        search::index_competitor(&mut tx, &id, &created.name, &search_body(&created), false)
            .await?;
        activity::record(&mut tx, user, &id, None, action::COMPETITOR_CREATED, "").await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update(
        &self,
        user: &CurrentUser,
        id: &CompetitorId,
        input: &CompetitorInput,
    ) -> Result<Competitor> {
        user.require(Role::Editor)?;
        let fields = validate::parse(input)?;
        let before = self.get(user, id).await?;
        let now = now_ms();
        let mut tx = self.db.pool().begin().await?;
        let written = sqlx::query(
            "UPDATE competitors SET name = $2, name_key = $3, website = $4, description = $5, \
               tags = $6, keywords = $7, updated_at = $8 WHERE id = $1",
        )
        .bind(id)
        .bind(&fields.name)
        .bind(&fields.name_key)
        .bind(&fields.website)
        .bind(&fields.description)
        .bind(fields.tags.join("\n"))
        .bind(fields.keywords.join("\n"))
        .bind(now)
        .execute(&mut *tx)
        .await;
        self.map_duplicate(written, &fields.name)?;
        sqlx::query("DELETE FROM competitor_tags WHERE competitor_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        write_tags(&mut tx, id, &fields.tags).await?;
        let updated = competitor(id, fields, before.created_at, now, before.archived);
        let body = search_body(&updated);
        search::index_competitor(&mut tx, id, &updated.name, &body, updated.archived).await?;
        activity::record(&mut tx, user, id, None, action::COMPETITOR_UPDATED, "").await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Archives (hidden from the default list and from search) or restores.
    pub async fn set_archived(
        &self,
        user: &CurrentUser,
        id: &CompetitorId,
        archived: bool,
    ) -> Result<Competitor> {
        user.require(Role::Editor)?;
        let current = self.get(user, id).await?;
        if current.archived == archived {
            return Ok(current);
        }
        let now = now_ms();
        let mut tx = self.db.pool().begin().await?;
        sqlx::query("UPDATE competitors SET archived_at = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(archived.then_some(now))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        search::index_competitor(&mut tx, id, &current.name, &search_body(&current), archived)
            .await?;
        let name = if archived {
            action::COMPETITOR_ARCHIVED
        } else {
            action::COMPETITOR_RESTORED
        };
        activity::record(&mut tx, user, id, None, name, "").await?;
        tx.commit().await?;
        Ok(Competitor {
            archived,
            updated_at: now,
            ..current
        })
    }

    fn map_duplicate(
        &self,
        result: std::result::Result<sqlx::any::AnyQueryResult, sqlx::Error>,
        name: &str,
    ) -> Result<()> {
        match result {
            Ok(done) if done.rows_affected() == 0 => Err(Error::NotFound),
            Ok(_) => Ok(()),
            Err(e) if self.db.backend().is_unique_violation(&e) => Err(Error::field(
                "name",
                format!("A competitor named “{name}” already exists."),
            )),
            Err(e) => Err(e.into()),
        }
    }
}

async fn write_tags(conn: &mut AnyConnection, id: &CompetitorId, tags: &[String]) -> Result<()> {
    for tag in tags {
        sqlx::query("INSERT INTO competitor_tags (competitor_id, tag) VALUES ($1, $2)")
            .bind(id)
            .bind(validate::tag_key(tag))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
