//! Battlecards: create, save (every save a version, stale saves refused), status
//! workflow, history and diffs, restore, the rep view, feedback and export data.
//!
//! Visibility: editors and admins see every card; viewers see a card only while it has
//! a published version and is not archived — and then only that published version.
//! Anything a user may not see answers `NotFound`, exactly like an unknown id.
pub mod claims;
pub mod content;
pub mod diff;
pub mod render;
pub mod store;
pub mod views;

use std::sync::Arc;

use crate::accounts::CurrentUser;
use crate::activity::{self, action};
use crate::error::{Error, Result};
use crate::search::{self, Scope};
use crate::store::Db;
use crate::time::now_ms;
use crate::types::card_limits as limits;
use crate::types::{
    CardContent, CardDiff, CardEditorData, CardHistory, CardId, CardStatus, CompetitorId, Conflict,
    ConflictInfo, ObjectionId, Role, SaveOutcome, VersionEntry,
};
use claims::ClaimSource;
use render::RenderCache;
use store::CardRow;
pub use views::ViewRecorder;

/// SQL condition (on card alias `a`) for the cards `user` may see.
pub fn visible_cards_sql(user: &CurrentUser, a: &str) -> String {
    if user.role.at_least(Role::Editor) {
        "1 = 1".into()
    } else {
        format!("{a}.published_version IS NOT NULL AND {a}.status <> 'archived'")
    }
}

/// What an export needs: the competitor, the content and where it stands.
#[derive(Clone, Debug)]
pub struct ExportData {
    pub competitor: String,
    pub status: CardStatus,
    pub version: i64,
    pub content: CardContent,
}

#[derive(Clone)]
pub struct Battlecards {
    db: Db,
    views: ViewRecorder,
    rendered: Arc<RenderCache>,
}

impl Battlecards {
    pub fn new(db: Db, views: ViewRecorder) -> Self {
        Self {
            db,
            views,
            rendered: Arc::new(RenderCache::default()),
        }
    }

    pub fn views(&self) -> &ViewRecorder {
        &self.views
    }

    /// The card if `user` may see it at all; `NotFound` otherwise.
    async fn visible(&self, user: &CurrentUser, id: &CardId) -> Result<CardRow> {
        let card = store::load_from(&self.db, id).await?;
        if user.role.at_least(Role::Editor) || card.is_live() {
            Ok(card)
        } else {
            Err(Error::NotFound)
        }
    }

    /// `Ok` when `user` may see card `id`; `NotFound` otherwise (also for unknown ids).
    pub async fn check_visible(&self, user: &CurrentUser, id: &CardId) -> Result<()> {
        self.visible(user, id).await.map(|_| ())
    }

    /// `Ok` when `user` may change card `id` (`NotFound` / `Forbidden` otherwise).
    pub async fn check_editable(&self, user: &CurrentUser, id: &CardId) -> Result<()> {
        self.editable(user, id).await.map(|_| ())
    }

    /// Stores an accepted AI draft as the next version, with its checked claims.
    pub async fn commit_draft(
        &self,
        user: &CurrentUser,
        id: &CardId,
        base_version: i64,
        content: &CardContent,
        note: &str,
        claims: Vec<crate::types::Claim>,
    ) -> Result<SaveOutcome> {
        let current = self.editable(user, id).await?;
        let content = content::normalise(content)?;
        self.commit_version(
            &current,
            user,
            base_version,
            &content,
            note,
            action::CARD_SAVED,
            ClaimSource::Given(claims),
        )
        .await
    }

    /// The card if `user` may change it: `NotFound` if they may not see it,
    /// `Forbidden` if they may see but not change it.
    async fn editable(&self, user: &CurrentUser, id: &CardId) -> Result<CardRow> {
        let card = self.visible(user, id).await?;
        user.require(Role::Editor)?;
        Ok(card)
    }

    pub async fn create(
        &self,
        user: &CurrentUser,
        competitor_id: &CompetitorId,
        title: &str,
    ) -> Result<CardId> {
        user.require(Role::Editor)?;
        let title = content::parse_title(title).map_err(|m| Error::field("title", m))?;
        let (archived,): (Option<i64>,) =
            sqlx::query_as("SELECT archived_at FROM competitors WHERE id = $1")
                .bind(competitor_id)
                .fetch_one(self.db.pool())
                .await?;
        if archived.is_some() {
            return Err(Error::Conflict(Conflict::CompetitorArchived));
        }
        let id = CardId::new();
        let now = now_ms();
        let content = CardContent {
            title: title.clone(),
            ..Default::default()
        };
        let mut tx = self.db.pool().begin().await?;
        sqlx::query(
            "INSERT INTO battlecards (id, competitor_id, title, summary, status, version, content, \
               status_by, status_at, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, '', 'draft', 1, $4, $5, $6, $7, $6, $5, $6)",
        )
        .bind(&id)
        .bind(competitor_id)
        .bind(&title)
        .bind(store::content_json(&content))
        .bind(&user.name)
        .bind(now)
        .bind(&user.id)
        .execute(&mut *tx)
        .await?;
        store::insert_version(&mut tx, &id, 1, &content, "Created", &user.name, now, &[]).await?;
        search::index_card(&mut tx, Scope::CardLatest, competitor_id, &id, &content).await?;
        activity::record(
            &mut tx,
            user,
            competitor_id,
            Some(&id),
            action::CARD_CREATED,
            &title,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn editor_data(&self, user: &CurrentUser, id: &CardId) -> Result<CardEditorData> {
        let card = self.editable(user, id).await?;
        self.views.flush().await;
        let feedback = store::feedback(&self.db, id).await?;
        let (views_total, views_last_30_days) =
            // The last 30 days are today and the 29 UTC days before it.
            store::view_counts(&self.db, id, now_ms().div_euclid(views::DAY_MS) - 29).await?;
        let content = card.content()?;
        let preview = self
            .rendering(&card.id, card.version, Some(content.clone()))
            .await?
            .preview();
        Ok(CardEditorData {
            preview,
            content,
            status: card.status(),
            id: card.id,
            competitor_id: card.competitor_id,
            competitor_name: card.competitor_name,
            status_by: card.status_by,
            status_at: card.status_at,
            version: card.version,
            published_version: card.published_version,
            published_at: card.published_at,
            updated_by: card.updated_by,
            updated_at: card.updated_at,
            feedback,
            views_total,
            views_last_30_days,
            unverified: claims::unverified(&self.db, id, card.version).await?,
            can_publish: user.role.at_least(Role::Editor),
        })
    }

    /// Saves `content` as a new version if the card is still at `base_version`;
    /// otherwise answers with what is stored now so the editor can merge.
    pub async fn save(
        &self,
        user: &CurrentUser,
        id: &CardId,
        base_version: i64,
        content: &CardContent,
        note: &str,
    ) -> Result<SaveOutcome> {
        let current = self.editable(user, id).await?;
        let content = content::normalise(content)?;
        let note = content::parse_note(note)?;
        self.commit_version(
            &current,
            user,
            base_version,
            &content,
            &note,
            action::CARD_SAVED,
            ClaimSource::Carry,
        )
        .await
    }

    /// Stores `content` as version `base_version + 1` of `current` (the card as read
    /// for the permission check), unless someone saved since: then the stored text
    /// comes back as a conflict. The read happens before the transaction because on
    /// SQLite a transaction that reads and then writes can fail outright when another
    /// writer commits in between; the conditional UPDATE is what guarantees no save
    /// is lost.
    #[allow(clippy::too_many_arguments)]
    async fn commit_version(
        &self,
        current: &CardRow,
        user: &CurrentUser,
        base_version: i64,
        content: &CardContent,
        note: &str,
        what: &str,
        claims: ClaimSource,
    ) -> Result<SaveOutcome> {
        let id = &current.id;
        if current.version != base_version {
            return conflict(current);
        }
        if current.content()? == *content {
            return Ok(SaveOutcome::Saved {
                version: current.version,
                status: current.status(),
                at: current.updated_at,
            });
        }
        let claims = claims::for_new_version(&self.db, id, base_version, claims, content).await?;
        let now = now_ms();
        let version = base_version + 1;
        let mut tx = self.db.pool().begin().await?;
        let updated: Option<(CardStatus,)> = sqlx::query_as(
            // Editing a published card leaves the published version live for reps and
            // opens a draft of the changes.
            "UPDATE battlecards SET title = $3, summary = $4, content = $5, version = $6, \
               status_by = CASE WHEN status = 'published' THEN $7 ELSE status_by END, \
               status_at = CASE WHEN status = 'published' THEN $8 ELSE status_at END, \
               status = CASE WHEN status = 'published' THEN 'draft' ELSE status END, \
               updated_by = $7, updated_at = $8 \
             WHERE id = $1 AND version = $2 RETURNING status",
        )
        .bind(id)
        .bind(base_version)
        .bind(&content.title)
        .bind(&content.summary)
        .bind(store::content_json(content))
        .bind(version)
        .bind(&user.name)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((status,)) = updated else {
            // Someone saved between our read and our write.
            let current = store::load(&mut tx, id).await?;
            return conflict(&current);
        };
        store::insert_version(
            &mut tx, id, version, content, note, &user.name, now, &claims,
        )
        .await?;
        search::index_card(
            &mut tx,
            Scope::CardLatest,
            &current.competitor_id,
            id,
            content,
        )
        .await?;
        let detail = format!("{} · version {version}", content.title);
        activity::record(
            &mut tx,
            user,
            &current.competitor_id,
            Some(id),
            what,
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(SaveOutcome::Saved {
            version,
            status,
            at: now,
        })
    }

    /// Moves a card through draft → in review → published → archived.
    pub async fn set_status(
        &self,
        user: &CurrentUser,
        id: &CardId,
        to: CardStatus,
        expected_version: i64,
        override_unverified: bool,
    ) -> Result<CardEditorData> {
        let card = self.editable(user, id).await?;
        let from = card.status();
        if card.version != expected_version {
            return Err(Error::Conflict(Conflict::CardChanged {
                version: card.version,
                by: card.updated_by,
                to,
            }));
        }
        if from != to && !from.next().contains(&to) {
            return Err(Error::Conflict(Conflict::StatusMove { from, to }));
        }
        let unverified = if to == CardStatus::Published {
            claims::unverified(&self.db, id, card.version).await?.count
        } else {
            0
        };
        if unverified > 0 && !override_unverified {
            return Err(Error::Conflict(Conflict::UnverifiedClaims {
                count: unverified as u64,
            }));
        }
        let content = card.content()?;
        let now = now_ms();
        let mut tx = self.db.pool().begin().await?;
        let published_version = match to {
            CardStatus::Published => Some(card.version),
            CardStatus::Archived => None,
            _ => card.published_version,
        };
        let published_at = match to {
            CardStatus::Published => Some(now),
            CardStatus::Archived => None,
            _ => card.published_at,
        };
        // Publishing copies what readers see of the card in lists and search; any other
        // move keeps what was published (archiving clears it).
        let changed = sqlx::query(
            "UPDATE battlecards SET status = $3, published_version = $4, published_at = $5, \
               status_by = $6, status_at = $7, \
               published_title = CASE WHEN $8 THEN $9 WHEN $10 THEN NULL ELSE published_title END, \
               published_summary = CASE WHEN $8 THEN $11 WHEN $10 THEN NULL ELSE published_summary END, \
               published_by = CASE WHEN $8 THEN $6 WHEN $10 THEN NULL ELSE published_by END \
             WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(expected_version)
        .bind(to.as_str())
        .bind(published_version)
        .bind(published_at)
        .bind(&user.name)
        .bind(now)
        .bind(to == CardStatus::Published)
        .bind(&content.title)
        .bind(to == CardStatus::Archived)
        .bind(&content.summary)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(Error::Conflict(Conflict::CardChangedJustNow));
        }
        match to {
            CardStatus::Published => {
                search::index_card(
                    &mut tx,
                    Scope::CardPublished,
                    &card.competitor_id,
                    id,
                    &content,
                )
                .await?
            }
            CardStatus::Archived => {
                search::remove_card(&mut tx, id, Some(Scope::CardPublished)).await?
            }
            _ => {}
        }
        let detail = format!(
            "{} · {} → {}{}",
            content.title,
            from.label(),
            to.label(),
            if to == CardStatus::Published && unverified > 0 {
                format!(
                    " (version {}, overriding {unverified} unverified claims)",
                    card.version
                )
            } else if to == CardStatus::Published {
                format!(" (version {})", card.version)
            } else {
                String::new()
            }
        );
        let what = if to == CardStatus::Published {
            action::CARD_PUBLISHED
        } else {
            action::CARD_STATUS
        };
        activity::record(&mut tx, user, &card.competitor_id, Some(id), what, &detail).await?;
        tx.commit().await?;
        self.editor_data(user, id).await
    }

    pub async fn history(&self, user: &CurrentUser, id: &CardId) -> Result<CardHistory> {
        let card = self.editable(user, id).await?;
        let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
            "SELECT version, created_by, created_at, note FROM battlecard_versions \
             WHERE card_id = $1 ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(self.db.pool())
        .await?;
        Ok(CardHistory {
            versions: rows
                .into_iter()
                .map(|(version, by, at, note)| VersionEntry {
                    published: card.published_version == Some(version),
                    version,
                    by,
                    at,
                    note,
                })
                .collect(),
            id: card.id,
            title: card.title,
            competitor_id: card.competitor_id,
            competitor_name: card.competitor_name,
            version: card.version,
        })
    }

    pub async fn diff(
        &self,
        user: &CurrentUser,
        id: &CardId,
        from: i64,
        to: i64,
    ) -> Result<CardDiff> {
        self.editable(user, id).await?;
        let (old, new) = (
            self.version_or_field_error(id, from, "from").await?,
            self.version_or_field_error(id, to, "to").await?,
        );
        Ok(diff::card_diff(from, &old, to, &new))
    }

    async fn version_or_field_error(
        &self,
        id: &CardId,
        version: i64,
        field: &str,
    ) -> Result<CardContent> {
        match store::version_content(&self.db, id, version).await {
            Err(Error::NotFound) => Err(Error::field(
                field,
                format!("There is no version {version}."),
            )),
            other => other,
        }
    }

    /// Makes an old version the newest one again (as a new version; nothing is lost).
    pub async fn restore(
        &self,
        user: &CurrentUser,
        id: &CardId,
        version: i64,
        base_version: i64,
    ) -> Result<SaveOutcome> {
        let current = self.editable(user, id).await?;
        let old = self.version_or_field_error(id, version, "version").await?;
        let note = format!("Restored from version {version}");
        self.commit_version(
            &current,
            user,
            base_version,
            &old,
            &note,
            action::CARD_RESTORED,
            ClaimSource::Version(version),
        )
        .await
    }

    /// Puts the objections in `order` (every id exactly once) as a new version.
    pub async fn reorder_objections(
        &self,
        user: &CurrentUser,
        id: &CardId,
        base_version: i64,
        order: &[ObjectionId],
    ) -> Result<SaveOutcome> {
        let card = self.editable(user, id).await?;
        let mut content = card.content()?;
        let current: Vec<&ObjectionId> = content.objections.iter().map(|o| &o.id).collect();
        let mut seen: Vec<&ObjectionId> = Vec::new();
        for id in order {
            // Quoted back cut short: an id is a few characters, whatever was sent.
            let quoted: String = id.as_str().chars().take(40).collect();
            if !current.contains(&id) {
                return Err(Error::field(
                    "order",
                    format!("“{quoted}” is not an objection on this card."),
                ));
            }
            if seen.contains(&id) {
                return Err(Error::field(
                    "order",
                    format!("“{quoted}” appears twice in the new order."),
                ));
            }
            seen.push(id);
        }
        let missing = current.len() - seen.len();
        if missing > 0 {
            return Err(Error::field(
                "order",
                format!(
                    "The new order leaves out {missing} of the card's {} objections.",
                    current.len()
                ),
            ));
        }
        let mut reordered = Vec::with_capacity(order.len());
        for id in order {
            if let Some(o) = content.objections.iter().find(|o| &o.id == id) {
                reordered.push(o.clone());
            }
        }
        content.objections = reordered;
        self.commit_version(
            &card,
            user,
            base_version,
            &content,
            "Reordered objections",
            action::CARD_SAVED,
            ClaimSource::Carry,
        )
        .await
    }

    /// A rep's "helped" / "didn't help" on one answer; a second vote replaces the first.
    pub async fn feedback(
        &self,
        user: &CurrentUser,
        id: &CardId,
        objection_id: &ObjectionId,
        helpful: bool,
        comment: &str,
    ) -> Result<()> {
        let card = self.visible(user, id).await?;
        let Some(version) = card.live_version() else {
            return Err(Error::NotFound);
        };
        let content = store::version_content(&self.db, id, version).await?;
        if !content.objections.iter().any(|o| &o.id == objection_id) {
            return Err(Error::NotFound);
        }
        let comment = comment.trim();
        if comment.chars().count() > limits::COMMENT_MAX {
            return Err(Error::field(
                "comment",
                format!(
                    "Keep the comment under {} characters.",
                    limits::COMMENT_MAX + 1
                ),
            ));
        }
        let now = now_ms();
        sqlx::query(
            "INSERT INTO objection_feedback (card_id, objection_id, user_id, helpful, comment, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (card_id, objection_id, user_id) DO UPDATE SET \
               helpful = excluded.helpful, comment = excluded.comment, updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(objection_id)
        .bind(&user.id)
        .bind(helpful as i64)
        .bind(comment)
        .bind(now)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// What to export: editors get the newest version (or `published`), everyone else
    /// only the published version.
    pub async fn export_data(
        &self,
        user: &CurrentUser,
        id: &CardId,
        published: bool,
    ) -> Result<ExportData> {
        let card = self.visible(user, id).await?;
        let editor = user.role.at_least(Role::Editor);
        let (version, content) = if editor && !published {
            (card.version, card.content()?)
        } else {
            let version = card.live_version().ok_or(Error::NotFound)?;
            (
                version,
                store::version_content(&self.db, id, version).await?,
            )
        };
        let status = if version == card.version {
            card.status()
        } else {
            CardStatus::Published
        };
        Ok(ExportData {
            competitor: card.competitor_name,
            status,
            version,
            content,
        })
    }
}

fn conflict(current: &CardRow) -> Result<SaveOutcome> {
    Ok(SaveOutcome::Conflict(Box::new(ConflictInfo {
        version: current.version,
        by: current.updated_by.clone(),
        at: current.updated_at,
        theirs: current.content()?,
    })))
}
