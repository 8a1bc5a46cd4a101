//! Battlecards: the editor, the history with diffs, AI drafts, and the rep view.
pub mod ai_panel;
pub mod conflict;
pub mod draft;
pub mod editor;
pub mod history;
pub mod objections;
pub mod rep;

use domain::types::CardId;
use leptos::prelude::*;

/// The `:id` route parameter.
pub(crate) fn card_id_param() -> CardId {
    CardId::from(crate::pages::route_param("id"))
}

/// The export links for a card.
#[component]
pub fn ExportLinks(id: CardId, #[prop(optional)] published: bool) -> impl IntoView {
    let suffix = if published { "?published=true" } else { "" };
    view! {
        <a class="button secondary small" href=format!("/cards/{id}/export/pdf{suffix}") download="" rel="external">"PDF"</a>
        <a class="button secondary small" href=format!("/cards/{id}/export/docx{suffix}") download="" rel="external">"Word"</a>
    }
}
