//! Security headers, including a Content-Security-Policy whose script nonce is
//! fresh per response and shared with Leptos for its hydration script.
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use http::header::{HeaderName, HeaderValue};
use rand::RngCore as _;

/// The nonce of the current response, read by the Leptos context.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Whether to send HSTS (only behind https).
#[derive(Clone, Copy)]
pub struct SecurityConfig {
    pub https: bool,
}

fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub async fn headers(
    State(config): State<SecurityConfig>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = new_nonce();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    let headers = res.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    set("content-security-policy", &csp);
    set("x-content-type-options", "nosniff");
    // Same-origin keeps the Referer that plain form posts need to come back to their page.
    set("referrer-policy", "same-origin");
    set("x-frame-options", "DENY");
    set("cross-origin-opener-policy", "same-origin");
    set(
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    if config.https {
        set(
            "strict-transport-security",
            "max-age=63072000; includeSubDomains",
        );
    }
    res
}
