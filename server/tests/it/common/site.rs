//! A competitor's website on 127.0.0.1: realistic pages, and pages that misbehave
//! (slow, flaky, huge, not HTML, redirecting inward). Counts every hit per path.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::Notify;

#[derive(Default)]
struct Shared {
    hits: Mutex<HashMap<String, usize>>,
    /// `/hold/...` waits for this before answering.
    release: Notify,
    released: std::sync::atomic::AtomicBool,
}

#[derive(Clone)]
pub struct Site {
    pub base: String,
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

pub const PRICING: &str = r#"<!doctype html><html><head><title>Acme Pricing</title>
<script>window.track = 1</script><style>body{}</style></head><body>
<header><nav><a href="/">Home</a><a href="/pricing">Pricing</a><a href="/login">Log in</a></nav></header>
<main><h1>Simple pricing for growing teams</h1>
<p>The Starter plan costs $29 per user per month, billed annually.</p>
<p>The Pro plan costs $79 per user per month and adds SSO and audit logs.</p>
<p>Enterprise pricing requires a sales call and a three-year contract.</p>
<table><tr><th>Plan</th><th>Price</th></tr><tr><td>Starter</td><td>$29</td></tr><tr><td>Pro</td><td>$79</td></tr></table>
</main><footer>© 2026 Acme Inc · Privacy · Terms</footer></body></html>"#;

/// A realistic competitor: home, features, pricing and a review site's page.
async fn acme(Path(page): Path<String>) -> Response {
    let body = match page.as_str() {
        "home" => include_str!("../../fixtures/acme/home.html"),
        "features" => include_str!("../../fixtures/acme/features.html"),
        "pricing" => include_str!("../../fixtures/acme/pricing.html"),
        "reviews" => include_str!("../../fixtures/acme/reviews.html"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    html(body)
}

impl Site {
    pub async fn start() -> Site {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/pricing", get(|| async { html(PRICING) }))
            .route("/page/{n}", get(numbered))
            .route("/acme/{page}", get(acme))
            .route("/flaky/{failures}", get(flaky))
            .route("/error/{status}", get(status))
            .route("/slow/{ms}", get(slow))
            .route("/hold/{name}", get(hold))
            .route(
                "/pdf",
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "application/pdf")],
                        b"%PDF-1.7 ...".to_vec(),
                    )
                }),
            )
            .route(
                "/big",
                get(|| async { html(&format!("<p>{}</p>", "word ".repeat(400_000))) }),
            )
            .route(
                "/empty",
                get(|| async { html("<html><body><script>app()</script></body></html>") }),
            )
            .route("/redirect", get(redirect))
            .with_state(shared.clone())
            .layer(axum::middleware::from_fn_with_state(shared.clone(), count));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind site");
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Site {
            base: format!("http://{addr}"),
            addr,
            shared,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn hits(&self, path: &str) -> usize {
        self.shared
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    pub fn all_hits(&self) -> HashMap<String, usize> {
        self.shared.hits.lock().unwrap().clone()
    }

    /// Lets every held request (and future ones) answer.
    pub fn release(&self) {
        self.shared
            .released
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.shared.release.notify_waiters();
    }
}

fn html(body: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

async fn count(
    State(shared): State<Arc<Shared>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    *shared
        .hits
        .lock()
        .unwrap()
        .entry(req.uri().path().to_string())
        .or_default() += 1;
    next.run(req).await
}

async fn numbered(Path(n): Path<u32>) -> Response {
    html(&format!(
        "<html><head><title>Acme page {n}</title></head><body><main><h1>Feature {n}</h1>\
         <p>Acme feature number {n} syncs data every {n} minutes.</p></main></body></html>"
    ))
}

async fn flaky(State(shared): State<Arc<Shared>>, Path(failures): Path<usize>) -> Response {
    let seen = shared
        .hits
        .lock()
        .unwrap()
        .get(&format!("/flaky/{failures}"))
        .copied()
        .unwrap_or(0);
    if seen <= failures {
        (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response()
    } else {
        html("<main><h1>Acme status</h1><p>Acme is back and answers every request.</p></main>")
    }
}

async fn status(Path(code): Path<u16>) -> Response {
    (
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        "nope",
    )
        .into_response()
}

async fn slow(Path(ms): Path<u64>) -> Response {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    html("<main><p>Finally, a slow answer.</p></main>")
}

async fn hold(State(shared): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    let released = shared.release.notified();
    if !shared.released.load(std::sync::atomic::Ordering::SeqCst) {
        let _ = tokio::time::timeout(Duration::from_secs(60), released).await;
    }
    html(&format!(
        "<main><h1>Held page {name}</h1><p>Acme released page {name} after a wait.</p></main>"
    ))
}

async fn redirect(Query(q): Query<HashMap<String, String>>) -> Response {
    let to = q.get("to").cloned().unwrap_or_else(|| "/pricing".into());
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}
