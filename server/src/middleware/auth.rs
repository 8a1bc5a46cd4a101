//! Who is calling: resolves the session to a `CurrentUser` once per request, and
//! sends anonymous visitors of private pages to the sign-in form. Who a session is,
//! once resolved, is kept in process under the versions read first (see
//! [`domain::sessions::KeptIdentities`]): a session's next request costs no session
//! or user read while no session or user was written anywhere.
use std::net::SocketAddr;

use app::api::ssr::ClientIp;
use app::error::ErrorCode;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::accounts::CurrentUser;
use domain::sessions::{Identity, SessionAuth, AUTH_KEY, SEEN_KEY};
use domain::Services;
use http::Method;
use tower_sessions::Session;

use super::client_ip::ProxyTrust;
use crate::error::HttpError;

fn client_ip(req: &Request, proxies: ProxyTrust) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| proxies.client_ip(req.headers(), peer.ip()).to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub async fn authenticate(
    State((services, proxies)): State<(Services, ProxyTrust)>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let ip = client_ip(&req, proxies);
    req.extensions_mut().insert(ClientIp(ip));
    let Some(id) = session.id() else {
        // No session cookie: nobody to resolve.
        return next.run(req).await;
    };
    // Read before anything kept is used: what it says holds for the whole request
    // (rendered pages are looked up under it too).
    let versions = match services.shared().versions().read().await {
        Ok(versions) => {
            req.extensions_mut().insert(versions);
            Some(versions)
        }
        Err(e) => {
            tracing::warn!(error = %e, "versions unavailable; reading the session");
            None
        }
    };
    let accounts = services.accounts();
    let kept = versions.and_then(|v| services.shared().identities().get(&id, v));
    if let Some(kept) = kept.filter(|k| accounts.session_alive(&k.auth, k.seen)) {
        tracing::debug!(user.id = %kept.user.id, "request authenticated (kept)");
        let seen = slide_expiry(&session, &services, kept.seen).await;
        req.extensions_mut().insert(kept.user.clone());
        if seen != kept.seen {
            // Marked seen here: the copy says so, or every later hit would mark it again.
            if let Some(versions) = versions {
                let identity = Identity { seen, ..kept };
                services.shared().identities().keep(id, versions, identity);
            }
        }
        return next.run(req).await;
    }
    let auth = match session.get::<SessionAuth>(AUTH_KEY).await {
        Ok(auth) => auth,
        Err(e) => {
            tracing::error!(error = %e, "failed to load the session");
            return unavailable();
        }
    };
    if let Some(auth) = auth {
        let seen: Option<i64> = session.get(SEEN_KEY).await.ok().flatten();
        match accounts.authenticate_request(&auth, seen).await {
            Ok(Some(user)) => {
                tracing::debug!(user.id = %user.id, "request authenticated");
                let seen = slide_expiry(&session, &services, seen).await;
                if let Some(versions) = versions {
                    let identity = Identity {
                        auth,
                        seen,
                        user: user.clone(),
                    };
                    services.shared().identities().keep(id, versions, identity);
                }
                req.extensions_mut().insert(user);
            }
            Ok(None) => {
                // Password changed, account disabled, idle too long or lifetime over:
                // end this session.
                if let Err(e) = session.flush().await {
                    tracing::warn!(error = %e, "failed to delete a stale session");
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, "failed to resolve the session's user");
                return unavailable();
            }
        }
    }
    next.run(req).await
}

/// Marks the session seen (which saves it with a fresh expiry) when the last mark is
/// older than the refresh interval; the mark now in effect.
async fn slide_expiry(session: &Session, services: &Services, seen: Option<i64>) -> Option<i64> {
    let now = services.accounts().clock().now_ms();
    let every = services.accounts().session_refresh_every().as_millis() as i64;
    if seen.is_none_or(|seen| now - seen >= every) {
        match session.insert(SEEN_KEY, now).await {
            Ok(()) => return Some(now),
            Err(e) => tracing::warn!(error = %e, "failed to refresh a session"),
        }
    }
    seen
}

fn unavailable() -> Response {
    HttpError::new(
        ErrorCode::Unavailable,
        "Outrival cannot reach its session store right now. Please try again shortly.",
    )
    .into_response()
}

/// Applied to page routes only: anonymous visitors of private pages go to sign in
/// (and come back afterwards), or to setting Outrival up while nobody has; signed-in
/// visitors of the sign-in page go home.
pub async fn guard_pages(State(services): State<Services>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if req.method() != Method::GET || path.starts_with("/api/") {
        return next.run(req).await;
    }
    let signed_in = req.extensions().get::<CurrentUser>().is_some();
    let public = app::is_public_page(path);
    if !signed_in && (!public || path.trim_end_matches('/') == "/login") {
        match services.accounts().is_set_up().await {
            Ok(true) => {}
            Ok(false) => return Redirect::to("/signup").into_response(),
            Err(e) => {
                tracing::error!(error = ?e, "failed to check whether Outrival is set up");
                return unavailable();
            }
        }
    }
    if !signed_in && !public {
        let target = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let next_param: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={next_param}")).into_response();
    }
    if signed_in && public {
        return Redirect::to("/").into_response();
    }
    next.run(req).await
}
