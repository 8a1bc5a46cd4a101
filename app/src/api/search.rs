//! The header's search.
use domain::types::SearchResults;
use leptos::prelude::*;

use crate::error::AppError;

#[server(endpoint = "search")]
pub async fn search(q: String) -> Result<SearchResults, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    let services = services()?;
    Ok(domain::search::search(services.db(), &user, &q, 30).await?)
}
