//! A competitor's sources (notes and web pages), their snapshots, and background jobs.
use domain::types::{
    CompetitorId, JobId, JobList, JobView, SnapshotId, SnapshotView, SourceId, SourceView,
};
use leptos::prelude::*;

use crate::error::AppError;

#[server(endpoint = "sources/list")]
pub async fn list_sources(competitor_id: CompetitorId) -> Result<Vec<SourceView>, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.sources().list(&user, &competitor_id).await?)
}

#[server(endpoint = "sources/add_note")]
pub async fn add_note_source(
    competitor_id: CompetitorId,
    title: String,
    text: String,
) -> Result<SourceView, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    services()?
        .sources()
        .add_note(&user, &competitor_id, &title, &text)
        .await
        .map_err(|e| AppError::from(e).keep("title", &title).keep("text", &text))
}

#[server(endpoint = "sources/add_url")]
pub async fn add_url_source(
    competitor_id: CompetitorId,
    url: String,
) -> Result<SourceView, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    services()?
        .sources()
        .add_url(&user, &competitor_id, &url)
        .await
        .map_err(|e| AppError::from(e).keep("url", &url))
}

#[server(endpoint = "sources/refresh")]
pub async fn refresh_source(id: SourceId) -> Result<SourceView, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.sources().refresh(&user, &id).await?)
}

#[server(endpoint = "sources/remove")]
pub async fn remove_source(id: SourceId) -> Result<(), AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.sources().remove(&user, &id).await?)
}

#[server(endpoint = "sources/snapshot")]
pub async fn read_snapshot(id: SnapshotId) -> Result<SnapshotView, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.sources().snapshot(&user, &id).await?)
}

#[server(endpoint = "jobs/list")]
pub async fn list_jobs(everyone: bool) -> Result<JobList, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.jobs().list(&user, everyone).await?)
}

#[server(endpoint = "jobs/get")]
pub async fn read_job(id: JobId) -> Result<JobView, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.jobs().get(&user, &id).await?)
}

#[server(endpoint = "jobs/cancel")]
pub async fn cancel_job(id: JobId) -> Result<JobView, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(services()?.jobs().cancel(&user, &id).await?)
}
