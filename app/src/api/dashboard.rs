//! The dashboard's figures.
use domain::types::DashboardFigures;
use leptos::prelude::*;

use crate::error::AppError;

#[server(endpoint = "dashboard/figures")]
pub async fn load_dashboard() -> Result<DashboardFigures, AppError> {
    use crate::api::ssr::*;
    let user = require_user()?;
    Ok(domain::dashboard::figures(services()?.db(), &user).await?)
}
