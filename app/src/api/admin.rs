//! Admin-only server functions: people, invitations, sign-up policy, audit log.
use domain::types::{
    AccountSettings, AuditEntry, CreatedInvitation, InvitationId, InvitationSummary, Page, UserId,
    UserSummary,
};
use leptos::prelude::*;

use crate::error::AppError;

#[server(endpoint = "admin/users")]
pub async fn list_users(query: String, page: u32) -> Result<Page<UserSummary>, AppError> {
    use crate::api::ssr::*;
    let admin = require_role(domain::types::Role::Admin)?;
    Ok(services()?
        .accounts()
        .list_users(&admin, &query, page, 25)
        .await?)
}

#[server(endpoint = "admin/set_role")]
pub async fn set_role(user_id: UserId, role: String) -> Result<UserSummary, AppError> {
    use crate::api::ssr::*;
    let admin = require_role(domain::types::Role::Admin)?;
    let role = domain::types::Role::parse(&role).ok_or_else(|| {
        AppError::from(domain::Error::field(
            "role",
            "Choose admin, editor or viewer.",
        ))
    })?;
    Ok(services()?
        .accounts()
        .set_role(&admin, &user_id, role, &client_ip())
        .await?)
}

#[server(endpoint = "admin/set_disabled")]
pub async fn set_disabled(user_id: UserId, disabled: bool) -> Result<UserSummary, AppError> {
    use crate::api::ssr::*;
    let admin = require_role(domain::types::Role::Admin)?;
    Ok(services()?
        .accounts()
        .set_disabled(&admin, &user_id, disabled, &client_ip())
        .await?)
}

#[server(endpoint = "admin/create_user")]
pub async fn create_user(
    name: String,
    email: String,
    role: String,
    password: String,
) -> Result<UserSummary, AppError> {
    use crate::api::ssr::*;
    let admin = require_role(domain::types::Role::Admin)?;
    let parsed = domain::types::Role::parse(&role);
    services()?
        .accounts()
        .create_user(&admin, &name, &email, parsed, password.into(), &client_ip())
        .await
        .map_err(|e| {
            AppError::from(e)
                .keep("name", &name)
                .keep("email", &email)
                .keep("role", &role)
        })
}

#[server(endpoint = "admin/create_invitation")]
pub async fn create_invitation(email: String, role: String) -> Result<CreatedInvitation, AppError> {
    use crate::api::ssr::*;
    let admin = require_role(domain::types::Role::Admin)?;
    let parsed = domain::types::Role::parse(&role);
    services()?
        .accounts()
        .create_invitation(&admin, &email, parsed, &client_ip())
        .await
        .map_err(|e| AppError::from(e).keep("email", &email).keep("role", &role))
}

#[server(endpoint = "admin/invitations")]
pub async fn list_invitations(page: u32) -> Result<Page<InvitationSummary>, AppError> {
    use crate::api::ssr::*;
    let admin = require_role(domain::types::Role::Admin)?;
    Ok(services()?
        .accounts()
        .list_invitations(&admin, page, 25)
        .await?)
}

#[server(endpoint = "admin/revoke_invitation")]
pub async fn revoke_invitation(id: InvitationId) -> Result<(), AppError> {
    use crate::api::ssr::*;
    let admin = require_role(domain::types::Role::Admin)?;
    Ok(services()?
        .accounts()
        .revoke_invitation(&admin, &id, &client_ip())
        .await?)
}

#[server(endpoint = "admin/settings")]
pub async fn get_account_settings() -> Result<AccountSettings, AppError> {
    use crate::api::ssr::*;
    let admin = require_role(domain::types::Role::Admin)?;
    Ok(services()?.accounts().account_settings(&admin).await?)
}

#[server(endpoint = "admin/set_signup_mode")]
pub async fn set_signup_mode(mode: String) -> Result<AccountSettings, AppError> {
    use crate::api::ssr::*;
    let admin = require_role(domain::types::Role::Admin)?;
    let mode = domain::types::SignupMode::parse(&mode)
        .ok_or_else(|| AppError::from(domain::Error::field("mode", "Choose open or invite.")))?;
    Ok(services()?
        .accounts()
        .set_signup_mode(&admin, mode, &client_ip())
        .await?)
}

#[server(endpoint = "admin/audit")]
pub async fn audit_log(page: u32) -> Result<Page<AuditEntry>, AppError> {
    use crate::api::ssr::*;
    let admin = require_role(domain::types::Role::Admin)?;
    Ok(services()?.accounts().audit_log(&admin, page, 50).await?)
}
