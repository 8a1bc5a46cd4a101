//! Competitors: list, read, create, edit, archive.
use domain::types::{Competitor, CompetitorDetail, CompetitorId, CompetitorList};
use leptos::prelude::*;

use crate::error::AppError;

#[server(endpoint = "competitors/list")]
pub async fn list_competitors(
    q: String,
    tag: String,
    sort: String,
    archived: bool,
    page: u32,
) -> Result<CompetitorList, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    use domain::types::{CompetitorQuery, CompetitorSort};
    let query = CompetitorQuery {
        q,
        tag,
        sort: CompetitorSort::parse(&sort),
        archived,
        page,
    };
    Ok(services()?.competitors().list(&user, &query).await?)
}

#[server(endpoint = "competitors/detail")]
pub async fn load_competitor(id: CompetitorId) -> Result<CompetitorDetail, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.competitors().detail(&user, &id).await?)
}

#[server(endpoint = "competitors/get")]
pub async fn get_competitor(id: CompetitorId) -> Result<Competitor, AppError> {
    use crate::api::ssr::*;
    let user = require_role(domain::types::Role::Editor)?;
    Ok(services()?.competitors().get(&user, &id).await?)
}

/// Keeps what was typed with a failed submission.
#[cfg(feature = "ssr")]
fn keep_input(error: domain::Error, input: &domain::types::CompetitorInput) -> AppError {
    AppError::from(error)
        .keep("name", &input.name)
        .keep("website", &input.website)
        .keep("description", &input.description)
        .keep("tags", &input.tags)
        .keep("keywords", &input.keywords)
}

#[server(endpoint = "competitors/create")]
pub async fn create_competitor(
    name: String,
    website: String,
    description: String,
    tags: String,
    keywords: String,
) -> Result<Competitor, AppError> {
    use crate::api::ssr::*;
    let user = require_role(domain::types::Role::Editor)?;
    let input = domain::types::CompetitorInput {
        name,
        website,
        description,
        tags,
        keywords,
    };
    let created = services()?
        .competitors()
        .create(&user, &input)
        .await
        .map_err(|e| keep_input(e, &input))?;
    leptos_axum::redirect(&format!("/competitors/{}", created.id));
    Ok(created)
}

#[server(endpoint = "competitors/update")]
pub async fn update_competitor(
    id: CompetitorId,
    name: String,
    website: String,
    description: String,
    tags: String,
    keywords: String,
) -> Result<Competitor, AppError> {
    use crate::api::ssr::*;
    let user = require_role(domain::types::Role::Editor)?;
    let input = domain::types::CompetitorInput {
        name,
        website,
        description,
        tags,
        keywords,
    };
    let updated = services()?
        .competitors()
        .update(&user, &id, &input)
        .await
        .map_err(|e| keep_input(e, &input))?;
    leptos_axum::redirect(&format!("/competitors/{}", updated.id));
    Ok(updated)
}

#[server(endpoint = "competitors/archive")]
pub async fn set_competitor_archived(
    id: CompetitorId,
    archived: bool,
) -> Result<Competitor, AppError> {
    use crate::api::ssr::*;
    let user = require_role(domain::types::Role::Editor)?;
    Ok(services()?
        .competitors()
        .set_archived(&user, &id, archived)
        .await?)
}
