//! The rep view's and the editor's HTML. A version never changes, so its sanitised HTML
//! is rendered once per (card, version) and kept in a small in-process cache; the cache
//! can never be stale, on any instance.
use std::sync::Arc;

use super::store::{self, RepRow};
use super::Battlecards;
use crate::accounts::CurrentUser;
use crate::error::{Error, Result};
use crate::markdown::{to_html, to_plain_text};
use crate::types::Role;
use crate::types::{
    CardContent, CardId, ContentPreview, ObjectionId, RepCard, RepObjection, RepSection, SectionKey,
};

/// A published version, rendered.
pub struct Rendered {
    title: String,
    summary: String,
    sections: Vec<RepSection>,
    objections: Vec<(ObjectionId, String, String, String)>,
}

pub fn render(content: &CardContent) -> Rendered {
    Rendered {
        title: content.title.clone(),
        summary: content.summary.clone(),
        sections: SectionKey::ALL
            .into_iter()
            .filter(|k| !content.section(*k).trim().is_empty())
            .map(|key| RepSection {
                key,
                label: key.label().to_string(),
                html: to_html(content.section(key)),
            })
            .collect(),
        objections: content
            .objections
            .iter()
            .map(|o| {
                (
                    o.id.clone(),
                    o.objection.clone(),
                    to_html(&o.answer),
                    to_plain_text(&o.answer),
                )
            })
            .collect(),
    }
}

impl Rendered {
    /// The editor's first previews.
    pub fn preview(&self) -> ContentPreview {
        ContentPreview {
            sections: self
                .sections
                .iter()
                .map(|s| (s.key, s.html.clone()))
                .collect(),
            answers: self
                .objections
                .iter()
                .map(|(id, _, html, _)| (id.clone(), html.clone()))
                .collect(),
        }
    }
}

pub fn rep_card(
    card: &RepRow,
    version: i64,
    rendered: &Rendered,
    votes: &[(ObjectionId, bool)],
    can_edit: bool,
) -> RepCard {
    RepCard {
        id: card.id.clone(),
        competitor_id: card.competitor_id.clone(),
        competitor_name: card.competitor_name.clone(),
        competitor_website: card.competitor_website.clone(),
        title: rendered.title.clone(),
        summary: rendered.summary.clone(),
        version,
        published_at: card.published_at.unwrap_or(card.status_at),
        sections: rendered.sections.clone(),
        objections: rendered
            .objections
            .iter()
            .map(|(id, objection, html, text)| RepObjection {
                my_vote: votes.iter().find(|(v, _)| v == id).map(|(_, h)| *h),
                id: id.clone(),
                objection: objection.clone(),
                answer_html: html.clone(),
                answer_text: text.clone(),
            })
            .collect(),
        can_edit,
        published: true,
    }
}

/// Renderings of versions: a version never changes, so its rendering is
/// kept (least used go first) and no write needs to drop it.
pub struct RenderCache(moka::sync::Cache<(CardId, i64), Arc<Rendered>>);

impl Default for RenderCache {
    fn default() -> Self {
        RenderCache(moka::sync::Cache::new(512))
    }
}

impl RenderCache {
    pub fn get(&self, id: &CardId, version: i64) -> Option<Arc<Rendered>> {
        self.0.get(&(id.clone(), version))
    }

    pub fn put(&self, id: &CardId, version: i64, rendered: Rendered) -> Arc<Rendered> {
        let rendered = Arc::new(rendered);
        self.0.insert((id.clone(), version), rendered.clone());
        rendered
    }
}

/// Reading a card: the rep view and the rendering both it and the editor show.
impl Battlecards {
    /// The published card for reading; records the view. Editors opening a card reps
    /// cannot see get a preview of its newest version (`published` false), which
    /// records no view; everyone else gets `NotFound`.
    pub async fn rep_card(&self, user: &CurrentUser, id: &CardId) -> Result<RepCard> {
        let (card, votes) = store::rep_row(&self.db, id, &user.id).await?;
        let editor = user.role.at_least(Role::Editor);
        let (version, published) = match card.live_version() {
            Some(version) => (version, true),
            None if editor => (card.version, false),
            None => return Err(Error::NotFound),
        };
        let rendered = self.rendering(id, version, None).await?;
        if published {
            self.views.record(id, &user.id);
        }
        let mut rep = rep_card(&card, version, &rendered, &votes, editor);
        rep.published = published;
        Ok(rep)
    }

    /// The rendering of one version, kept or made now from `content` (or the stored
    /// content of that version when `None`).
    pub(super) async fn rendering(
        &self,
        id: &CardId,
        version: i64,
        content: Option<CardContent>,
    ) -> Result<Arc<Rendered>> {
        if let Some(kept) = self.rendered.get(id, version) {
            return Ok(kept);
        }
        let content = match content {
            Some(content) => content,
            None => store::version_content(&self.db, id, version).await?,
        };
        let rendered = tokio::task::spawn_blocking(move || render(&content))
            .await
            .map_err(|e| Error::Unexpected(anyhow::anyhow!("rendering failed: {e}")))?;
        Ok(self.rendered.put(id, version, rendered))
    }
}
