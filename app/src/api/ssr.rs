//! Server-only helpers for server functions: the services, the caller, the session.
use domain::accounts::CurrentUser;
use domain::types::Role;
use domain::{Error, Services};
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use crate::error::AppError;

/// The client address of the current request, put there by the server's middleware.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// The services handed to Leptos by the server at start.
pub fn services() -> Result<Services, AppError> {
    use_context::<Services>()
        .ok_or_else(|| Error::Unexpected(anyhow_free("services missing from context")).into())
}

fn anyhow_free(message: &'static str) -> anyhow::Error {
    anyhow::anyhow!(message)
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The signed-in user, if any (resolved once per request by the server).
pub fn current_user() -> Option<CurrentUser> {
    parts().and_then(|p| p.extensions.get::<CurrentUser>().cloned())
}

/// The signed-in user, or `Unauthenticated`.
pub fn require_user() -> Result<CurrentUser, AppError> {
    current_user().ok_or_else(|| Error::Unauthenticated.into())
}

/// The signed-in user if they have at least `role`; `Forbidden` otherwise.
pub fn require_role(role: Role) -> Result<CurrentUser, AppError> {
    let user = require_user()?;
    user.require(role)?;
    Ok(user)
}

/// The caller's address for throttling and the audit log.
pub fn client_ip() -> String {
    parts()
        .and_then(|p| p.extensions.get::<ClientIp>().map(|ip| ip.0.clone()))
        .unwrap_or_else(|| "unknown".into())
}

/// The request's session.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| Error::Unexpected(anyhow::anyhow!("session unavailable: {e}")).into())
}

/// Maps a session-store failure.
pub fn session_error(e: tower_sessions::session::Error) -> AppError {
    Error::Unexpected(anyhow::Error::new(e).context("session store failed")).into()
}

/// Adds the request id and, unless this is a plain HTML form post (which must stay a
/// redirect back to the form), sets the matching HTTP status.
pub fn annotate(mut error: AppError) -> AppError {
    let Some(parts) = parts() else { return error };
    error.request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let accepts_html = parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let form_post = parts.method == http::Method::POST && accepts_html;
    if !form_post {
        if let (Some(options), Ok(status)) = (
            use_context::<ResponseOptions>(),
            http::StatusCode::from_u16(error.code.status()),
        ) {
            options.set_status(status);
            // A server function's error body is JSON; Leptos leaves its type unset.
            // (Pages whose data failed keep their HTML type.)
            if parts.uri.path().starts_with("/api/") {
                options.insert_header(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
            }
        }
    }
    error
}

/// A same-site path to go to after signing in; anything else (or anything longer
/// than a real address) becomes `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.len() <= domain::types::limits::NEXT_MAX =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}
