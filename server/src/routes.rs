//! The URL surface in one place: operations endpoints, static assets, and the Leptos
//! app (pages and server functions) behind sessions, authentication and CSRF checks.

use app::error::ErrorCode;
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::Services;
use http::{HeaderValue, Request};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tower_sessions::SessionManagerLayer;

use crate::error::HttpError;
use crate::middleware::client_ip::ProxyTrust;
use crate::middleware::csrf::{self, CsrfConfig};
use crate::middleware::deadline;
use crate::middleware::security::{self, CspNonce, SecurityConfig};
use crate::middleware::{auth, body_limit, metrics, page_cache, request_id};
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
        // Inside the page guard: only pages a reader may see are kept for them.
        .route_layer(from_fn_with_state(
            state.services.clone(),
            page_cache::serve,
        ))
        .route_layer(from_fn_with_state(
            state.services.clone(),
            auth::guard_pages,
        ))
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
        .method_not_allowed_fallback(method_not_allowed)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(from_fn(request_id::scope))
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
                // Every response is compressed as it is served, with gzip (level 6). Not
                // brotli: its encoder sets up megabytes of window and hash tables for each
                // response, which cost the card editor a third of its throughput and the rep
                // view a quarter (perf: a fifth of the time in memset) for pages only ~20 %
                // smaller.
                .layer(CompressionLayer::new().no_br())
                .layer(from_fn_with_state(settings.request_timeout, deadline::answer_within))
                // One limit for every body: ours, not axum's built-in 2 MB one.
                .layer(DefaultBodyLimit::disable())
                .layer(from_fn_with_state(settings.body_limit, body_limit::limit)),
        )
        .with_state(state)
}

/// A panic becomes a 500 that says nothing of it.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    HttpError::new(
        ErrorCode::Internal,
        "Something went wrong on our side. Please try again.",
    )
    .into_response()
}

/// A known address asked with a method it does not take.
async fn method_not_allowed() -> HttpError {
    HttpError::new(
        ErrorCode::MethodNotAllowed,
        "This address does not take that method.",
    )
}
