//! Battlecards: the editor's load, save, status, history, diff and restore; the rep
//! view and its feedback; the Markdown preview.
use domain::types::{
    CardContent, CardDiff, CardEditorData, CardHistory, CardId, CompetitorId, ObjectionId, RepCard,
    SaveOutcome, StatusChange,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;

#[server(endpoint = "cards/create")]
pub async fn create_card(competitor_id: CompetitorId, title: String) -> Result<CardId, AppError> {
    use crate::api::ssr::*;
    let user = require_role(domain::types::Role::Editor)?;
    let id = services()?
        .battlecards()
        .create(&user, &competitor_id, &title)
        .await
        .map_err(|e| AppError::from(e).keep("title", &title))?;
    // A plain form post (no WASM yet) goes straight to the new card's editor.
    leptos_axum::redirect(&format!("/cards/{id}/edit"));
    Ok(id)
}

#[server(endpoint = "cards/editor")]
pub async fn card_for_editing(id: CardId) -> Result<CardEditorData, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    shows_view_counts();
    Ok(services()?.battlecards().editor_data(&user, &id).await?)
}

/// Saves a new version based on `base_version`; a stale base answers with a conflict.
#[server(endpoint = "cards/save", input = Json)]
pub async fn save_card(
    id: CardId,
    base_version: i64,
    content: CardContent,
    note: String,
) -> Result<SaveOutcome, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?
        .battlecards()
        .save(&user, &id, base_version, &content, &note)
        .await?)
}

#[server(endpoint = "cards/status", input = Json)]
pub async fn set_card_status(
    id: CardId,
    status: String,
    version: i64,
    /// Publish even though some AI claims did not verify (an editor's explicit choice).
    #[server(default)]
    override_unverified: Option<bool>,
) -> Result<StatusChange, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    let to = domain::types::CardStatus::parse(&status).ok_or_else(|| {
        AppError::from(domain::Error::field(
            "status",
            "Choose draft, in_review, published or archived.",
        ))
    })?;
    Ok(services()?
        .battlecards()
        .set_status(
            &user,
            &id,
            to,
            version,
            override_unverified.unwrap_or(false),
        )
        .await?
        .into())
}

#[server(endpoint = "cards/history")]
pub async fn load_card_history(id: CardId) -> Result<CardHistory, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.battlecards().history(&user, &id).await?)
}

#[server(endpoint = "cards/diff")]
pub async fn load_card_diff(id: CardId, from: i64, to: i64) -> Result<CardDiff, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.battlecards().diff(&user, &id, from, to).await?)
}

#[server(endpoint = "cards/restore")]
pub async fn restore_version(
    id: CardId,
    version: i64,
    base_version: i64,
) -> Result<SaveOutcome, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    let outcome = services()?
        .battlecards()
        .restore(&user, &id, version, base_version)
        .await?;
    // A plain form from the history page comes back to it, saying what happened.
    match &outcome {
        SaveOutcome::Saved { version, .. } => {
            leptos_axum::redirect(&format!("/cards/{id}/history?restored={version}"))
        }
        SaveOutcome::Conflict(_) => leptos_axum::redirect(&format!("/cards/{id}/history?stale=1")),
    }
    Ok(outcome)
}

/// Puts the objections in a new order: `order` must list every objection id once.
#[server(endpoint = "cards/reorder", input = Json)]
pub async fn reorder_objections(
    id: CardId,
    base_version: i64,
    order: Vec<ObjectionId>,
) -> Result<SaveOutcome, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?
        .battlecards()
        .reorder_objections(&user, &id, base_version, &order)
        .await?)
}

#[server(endpoint = "cards/read")]
pub async fn read_card(id: CardId) -> Result<RepCard, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    let card = services()?.battlecards().rep_card(&user, &id).await?;
    if card.published {
        // Recorded by `rep_card`, and again each time a kept copy of the page is sent.
        on_every_serve(domain::pages::PageEffect::CardViewed(id));
    }
    Ok(card)
}

#[server(endpoint = "cards/feedback")]
pub async fn send_feedback(
    card_id: CardId,
    objection_id: ObjectionId,
    helpful: bool,
    comment: String,
) -> Result<bool, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    services()?
        .battlecards()
        .feedback(&user, &card_id, &objection_id, helpful, &comment)
        .await
        .map_err(|e| {
            AppError::from(e)
                .keep("comment", &comment)
                .keep("objection_id", objection_id.as_ref())
        })?;
    // The rep view's form comes back to the answer it rated, which shows the vote.
    leptos_axum::redirect(&format!("/cards/{card_id}#objection-{objection_id}"));
    Ok(helpful)
}

/// Markdown → the same sanitised HTML the rep view shows (the editor's live preview).
#[server(endpoint = "cards/preview", input = Json)]
pub async fn preview_markdown(markdown: String) -> Result<String, AppError> {
    use crate::api::ssr::*;
    require_role(domain::types::Role::Editor)?;
    if markdown.chars().count() > domain::types::card_limits::SECTION_MAX * 2 {
        return Err(domain::Error::field("markdown", "This text is too long to preview.").into());
    }
    Ok(domain::markdown::to_html(&markdown))
}
