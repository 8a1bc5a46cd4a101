//! Sign-up, sign-in, sign-out and password changes.
use domain::types::{SignupContext, Viewer};
use leptos::prelude::*;

use crate::error::AppError;

/// The signed-in person, or `None`.
#[server(endpoint = "auth/whoami")]
pub async fn whoami() -> Result<Option<Viewer>, AppError> {
    Ok(crate::api::ssr::current_user().map(|u| u.viewer()))
}

/// `Ok` for admins; `Forbidden` (with status 403) for anyone else.
#[server(endpoint = "auth/require_admin")]
pub async fn require_admin() -> Result<(), AppError> {
    crate::api::ssr::require_role(domain::types::Role::Admin)?;
    Ok(())
}

/// What the sign-up page should show: first-user set-up, open sign-up, or an invitation.
#[server(endpoint = "auth/signup_context")]
pub async fn load_signup_context(invite: Option<String>) -> Result<SignupContext, AppError> {
    let services = crate::api::ssr::services()?;
    Ok(services
        .accounts()
        .signup_context(invite.as_deref())
        .await?)
}

/// Creates an account, signs it in and goes to the dashboard.
#[server(endpoint = "auth/signup")]
pub async fn signup(
    name: String,
    email: String,
    password: String,
    password_confirm: String,
    invite: Option<String>,
) -> Result<(), AppError> {
    use crate::api::ssr::*;
    use domain::accounts::SignupInput;
    let services = services()?;
    let input = SignupInput {
        name: name.clone(),
        email: email.clone(),
        password: password.into(),
        password_confirm: password_confirm.into(),
        invite: invite.clone(),
    };
    let signed = services
        .accounts()
        .signup(input, &client_ip())
        .await
        .map_err(|e| {
            AppError::from(e)
                .keep("name", &name)
                .keep("email", &email)
                .keep("invite", invite.as_deref().unwrap_or(""))
        })?;
    start_session(&signed.auth).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Signs in and goes to `next` (a local path) or the dashboard.
#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::api::ssr::*;
    let services = services()?;
    let signed = services
        .accounts()
        .login(&email, password.into(), &client_ip())
        .await
        .map_err(|e| {
            AppError::from(e)
                .keep("email", &email)
                .keep("next", next.as_deref().unwrap_or(""))
        })?;
    start_session(&signed.auth).await?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// Ends the session here and on the server, then shows the sign-in page.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::api::ssr::*;
    let services = services()?;
    let session = session().await?;
    if let Some(user) = current_user() {
        services.accounts().logged_out(&user, &client_ip()).await;
    }
    session.flush().await.map_err(session_error)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Changes the password; every other session of this user ends.
#[server(endpoint = "auth/change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirm: String,
) -> Result<(), AppError> {
    use crate::api::ssr::*;
    let services = services()?;
    let user = require_user()?;
    let auth = services
        .accounts()
        .change_password(
            &user,
            current_password.into(),
            new_password.into(),
            new_password_confirm.into(),
            &client_ip(),
        )
        .await?;
    start_session(&auth).await?;
    Ok(())
}

/// Writes a fresh identity into the session under a new id (no fixation).
#[cfg(feature = "ssr")]
async fn start_session(auth: &domain::sessions::SessionAuth) -> Result<(), AppError> {
    use crate::api::ssr::{session, session_error};
    let session = session().await?;
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(domain::sessions::AUTH_KEY, auth)
        .await
        .map_err(session_error)?;
    metrics::counter!("sessions_created_total").increment(1);
    Ok(())
}
