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

/// Asks for `effect` each time the page being rendered is sent, from a kept copy too
/// (see `domain::pages`). Outside a page's rendering there is nothing to repeat.
pub fn on_every_serve(effect: domain::pages::PageEffect) {
    if let Some(effects) = page_effects() {
        effects.push(effect);
    }
}

/// Says that the page being rendered shows card view counts, so that a kept copy is not
/// sent once more views are counted (see `domain::pages`).
pub fn shows_view_counts() {
    if let Some(effects) = page_effects() {
        effects.shows_view_counts();
    }
}

fn page_effects() -> Option<domain::pages::PageEffects> {
    parts().and_then(|p| p.extensions.get::<domain::pages::PageEffects>().cloned())
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

/// A same-origin path to go to after signing in; anything else (or anything longer
/// than a real address) becomes `/`.
///
/// `next` comes from the URL, so it is read the way a browser would read it in a
/// `Location` header (WHATWG URL rules): browsers drop tabs and newlines and treat `\`
/// as `/`, so `/\t/evil.example` or `/\\evil.example` would lead off-site. Anything with
/// a control character or a backslash is refused outright; the rest must resolve to our
/// own origin, and what is returned is the re-serialised path, query and fragment,
/// which is always a valid header value.
pub fn safe_next(next: Option<&str>) -> String {
    const HOME: &str = "/";
    let Some(raw) = next else {
        return HOME.into();
    };
    if !raw.starts_with('/')
        || raw.len() > domain::types::limits::NEXT_MAX
        || raw.chars().any(|c| c.is_control() || c == '\\')
    {
        return HOME.into();
    }
    let base = url::Url::parse("http://outrival.invalid/").expect("a valid base URL");
    match base.join(raw) {
        Ok(target) if target.origin() == base.origin() => {
            let mut path = target.path().to_string();
            if let Some(query) = target.query() {
                path.push('?');
                path.push_str(query);
            }
            if let Some(fragment) = target.fragment() {
                path.push('#');
                path.push_str(fragment);
            }
            path
        }
        _ => HOME.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn local_paths_are_kept() {
        assert_eq!(safe_next(Some("/cards/abc")), "/cards/abc");
        assert_eq!(safe_next(Some("/search?q=a+b#top")), "/search?q=a+b#top");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn anything_that_could_leave_the_site_goes_home() {
        for next in [
            "//evil.example",
            "/\t/evil.example",
            "/\t\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "evil.example",
            "javascript:alert(1)",
            "/\u{0}/evil.example",
            "/\u{7f}/evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(next)), "/", "{next:?}");
        }
    }

    #[test]
    fn encoded_tricks_stay_on_the_site() {
        // Percent-encoded slashes and tabs stay encoded in the path: the browser asks
        // us for them, it does not go elsewhere.
        for next in [
            "/%2F%2Fevil.example",
            "/%09/evil.example",
            "/%5C%5Cevil.example",
        ] {
            let kept = safe_next(Some(next));
            assert!(
                kept.starts_with('/') && !kept.starts_with("//"),
                "{next:?} -> {kept:?}"
            );
            assert!(http::HeaderValue::from_str(&kept).is_ok());
        }
        // Non-ASCII is percent-encoded, so the header value is always valid.
        let kept = safe_next(Some("/cards/é"));
        assert_eq!(kept, "/cards/%C3%A9");
    }
}
