//! AI drafts: ask for one (a background job), review it, accept or discard it.
use domain::types::{CardId, DraftId, DraftView, JobView, SaveOutcome, SnapshotId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;

#[server(endpoint = "ai/request", input = Json)]
pub async fn request_draft(
    card_id: CardId,
    agent: String,
    #[server(default)] section: Option<String>,
    /// Admins only: `builtin` or `openai` for this request.
    #[server(default)]
    provider: Option<String>,
    /// Ask again instead of reusing the cached answer for the same sources.
    #[server(default)]
    regenerate: Option<bool>,
) -> Result<JobView, AppError> {
    use crate::api::ssr::*;
    use domain::types::{Agent, SectionKey};
    let user = require_user()?;
    let agent = Agent::parse(&agent).ok_or_else(|| {
        AppError::from(domain::Error::field(
            "agent",
            "Choose what the AI should do.",
        ))
    })?;
    let section = match section.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(key) => Some(SectionKey::parse(key).ok_or_else(|| {
            AppError::from(domain::Error::field(
                "section",
                "Choose one of the card's sections.",
            ))
        })?),
    };
    let provider = match provider.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Some(domain::ai::ProviderChoice::parse(p).ok_or_else(|| {
            AppError::from(domain::Error::field(
                "provider",
                "Choose builtin or openai.",
            ))
        })?),
    };
    Ok(services()?
        .drafts()
        .request(
            &user,
            &card_id,
            agent,
            section,
            provider,
            regenerate.unwrap_or(false),
        )
        .await?)
}

#[server(endpoint = "ai/summarise")]
pub async fn summarise_snapshot(
    snapshot_id: SnapshotId,
    #[server(default)] regenerate: Option<bool>,
) -> Result<JobView, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?
        .drafts()
        .summarise(&user, &snapshot_id, regenerate.unwrap_or(false))
        .await?)
}

#[server(endpoint = "ai/status", input = Json)]
pub async fn ai_status(
    /// Admins: also ask the external provider whether it answers (a network call).
    #[server(default)]
    check_provider: Option<bool>,
) -> Result<domain::types::AiStatus, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    let admin = user.role == domain::types::Role::Admin;
    Ok(services()?
        .drafts()
        .orchestrator()
        .status(&user.id, admin, check_provider.unwrap_or(false))
        .await?)
}

#[server(endpoint = "ai/draft")]
pub async fn load_draft(id: DraftId) -> Result<DraftView, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.drafts().get(&user, &id).await?)
}

#[server(endpoint = "ai/accept")]
pub async fn accept_draft(id: DraftId) -> Result<SaveOutcome, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.drafts().accept(&user, &id).await?)
}

#[server(endpoint = "ai/discard")]
pub async fn discard_draft(id: DraftId) -> Result<(), AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.drafts().discard(&user, &id).await?)
}
