//! Security headers, including a Content-Security-Policy whose script nonce is
//! fresh per response and shared with Leptos for its hydration script (or, for a kept
//! page, which carries no nonce, the hashes of its inline scripts).
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use http::header::{HeaderName, HeaderValue};
use rand::RngCore as _;

/// The nonce of the current response, read by the Leptos context.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// On a response: the hashes (`'sha256-…'`) of its inline scripts, which its policy
/// allows instead of a nonce (a kept page's scripts carry none; see `page_cache`).
#[derive(Clone, Debug)]
pub struct ScriptHashes(pub Vec<String>);

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
    let scripts = match res.extensions().get::<ScriptHashes>() {
        Some(ScriptHashes(hashes)) => hashes.join(" "),
        None => format!("'nonce-{nonce}'"),
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' {scripts} 'wasm-unsafe-eval'; style-src 'self'; \
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
