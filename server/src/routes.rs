//! The URL surface in one place: operations endpoints, static assets, and the Leptos
//! app (pages and server functions) behind sessions, authentication and CSRF checks.
use std::sync::Arc;

use app::{shell, App};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::Router;
use domain::Services;
use http::{HeaderValue, Request};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tower_sessions::SessionManagerLayer;

use crate::middleware::client_ip::ProxyTrust;
use crate::middleware::csrf::{self, CsrfConfig};
use crate::middleware::deadline;
use crate::middleware::rep_pages::{self, RepPages};
use crate::middleware::security::{self, CspNonce, SecurityConfig};
use crate::middleware::{auth, metrics};
use crate::startup::AppState;
use crate::{export, health, ws};

/// What Leptos rendering and server functions get in their context: the services,
/// and this response's CSP nonce (so the hydration script carries it).
fn leptos_context(services: Services) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(services.clone());
        if let Some(nonce) = use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<CspNonce>().cloned())
        {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
    }
}

/// The app's routes, generated once per process. Generating them sets a process-wide
/// Leptos flag under which any resource first polled stays pending forever
/// (leptos-rs/leptos#4773), so it must never overlap a request being served — which
/// building a second application in the same process (tests, restarts) would do.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub struct RouterSettings {
    pub csrf: CsrfConfig,
    pub security: SecurityConfig,
    pub body_limit: usize,
    /// Longest time from a request's head to its answer, body upload included.
    pub request_timeout: std::time::Duration,
    /// How far X-Forwarded-For is believed for the client's address.
    pub proxies: ProxyTrust,
    pub site_root: String,
}

pub fn router(
    state: AppState,
    settings: RouterSettings,
    sessions: SessionManagerLayer<domain::sessions::AppSessionStore>,
) -> Router {
    let context = leptos_context(state.services.clone());
    // The closure is cloned with the route on every request: it holds the state (one
    // pointer), not the options themselves.
    let shell_state = state.clone();
    let pages = Router::new()
        .leptos_routes_with_context(&state, route_list(), context.clone(), move || {
            shell(shell_state.leptos_options.clone())
        })
        .route("/cards/{id}/export/{format}", get(export::card))
        .route_layer(from_fn_with_state(
            (state.services.clone(), Arc::new(RepPages::default())),
            rep_pages::serve,
        ))
        .route_layer(from_fn(auth::guard_pages))
        // After the page guard: an anonymous socket gets 401, not a sign-in redirect.
        .route("/ws", get(ws::socket))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(from_fn_with_state(
            (state.services.clone(), settings.proxies),
            auth::authenticate,
        ))
        .layer(sessions)
        .layer(from_fn_with_state(settings.csrf, csrf::protect));

    // Built assets: file names are stable, so browsers revalidate (304) on each load.
    let assets = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(ServeDir::new(format!("{}/pkg", settings.site_root)));

    Router::new()
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(health::metrics))
        .nest_service("/pkg", assets)
        .merge(pages)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &Request<_>| {
                            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
                        })
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros)),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(from_fn(metrics::track))
                .layer(from_fn_with_state(settings.security, security::headers))
                .layer(CompressionLayer::new())
                .layer(from_fn_with_state(settings.request_timeout, deadline::answer_within))
                .layer(RequestBodyLimitLayer::new(settings.body_limit)),
        )
        .with_state(state)
}

/// A panic becomes a plain 500 (the request id travels in the response header).
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> http::Response<axum::body::Body> {
    tracing::error!("a request handler panicked");
    http::Response::builder()
        .status(http::StatusCode::INTERNAL_SERVER_ERROR)
        .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(axum::body::Body::from(
            "Something went wrong on our side. Please try again.",
        ))
        .expect("static response")
}
