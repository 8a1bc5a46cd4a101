//! Sends a kept copy of a page when nothing it shows has changed (see
//! `domain::pages`), for every page alike: the page is rendered once per version of the
//! data, reader and address, and kept with the hashes of its inline scripts in place of
//! the rendering's one-time nonce.
//!
//! Only complete `200 text/html` answers to `GET` that set no cookie are kept; anything
//! else is sent as rendered. A request with `Cache-Control: no-cache` is rendered for
//! itself alone, as if nothing were kept.
//!
//! A kept page is compressed by the standard compression layer (tower-http's, which
//! every other response goes through) once per encoding a client asks for, and that
//! body is kept with it: compressing once rather than on each send is half of what
//! keeping a page saves. The response layer passes an answer that already carries a
//! `Content-Encoding` through untouched.
//!
//! With `PAGE_CACHE_MAX_MB=0` nothing is kept and this layer passes every request
//! straight through. `page_cache_requests_total{outcome}` counts what it did: `kept`
//! (a kept copy was sent), `rendered` (rendered and kept), `fresh` (`no-cache`) and
//! `unkept` (rendered, not keepable).
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use anyhow::Context as _;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use bytes::Bytes;
use domain::accounts::CurrentUser;
use domain::pages::{Page, PageCache, PageEffect, PageEffects, PageKey, Versions};
use domain::Services;
use http::header::{self, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use sha2::{Digest as _, Sha256};
use tower::{Layer as _, ServiceExt as _};
use tower_http::compression::{CompressionLayer, CompressionLevel};

use super::security::{CspNonce, ScriptHashes};

/// On a page this layer sent: `kept` or `rendered` (and kept), or `fresh` (rendered for
/// this request alone, as asked by `no-cache`), the outcome the metric counts. It tells an operator
/// (or a test) what happened to one request; a reader only ever learns whether they
/// themselves loaded the page before.
const PAGE_CACHE: HeaderName = HeaderName::from_static("x-page-cache");

/// Pages larger than this are sent as rendered, never kept.
const MAX_PAGE: usize = 4 * 1024 * 1024;

pub async fn serve(State(services): State<Services>, req: Request, next: Next) -> Response {
    let cache = services.shared().pages();
    if !cache.enabled() || req.method() != Method::GET || req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    if wants_fresh(req.headers()) {
        // Rendered for this request only, as if nothing were kept: what is kept stays
        // right for everyone else (the versions say so).
        metrics::counter!("page_cache_requests_total", "outcome" => "fresh").increment(1);
        let mut response = next.run(req).await;
        response
            .headers_mut()
            .insert(PAGE_CACHE, HeaderValue::from_static("fresh"));
        return response;
    }
    let reader = req.extensions().get::<CurrentUser>().cloned();
    // The versions the authentication read, when it did (what it found holds for the
    // request), else read now.
    let versions = match req.extensions().get::<Versions>().copied() {
        Some(versions) => Ok(versions),
        None => services.shared().versions().read().await,
    };
    let versions = match versions {
        Ok(versions) => versions,
        Err(e) => {
            tracing::warn!(error = %e, "page version unavailable; rendering the page");
            return next.run(req).await;
        }
    };
    let address = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let key = PageCache::key(versions.pages, reader.as_ref().map(|u| &u.id), address);
    let encoding = Encoding::accepted(req.headers());

    // What a request needs to render on its own when the kept page will not do or the
    // rendering it waited for could not be kept (a GET's body is empty).
    let (parts, body) = req.into_parts();
    let spare = (parts.clone(), next.clone());
    let render_again = || {
        let (parts, next) = spare.clone();
        render(Request::from_parts(parts, Body::empty()), next, versions)
    };
    let rendered_here = AtomicBool::new(false);
    let render_first = async {
        rendered_here.store(true, Ordering::Relaxed);
        render(Request::from_parts(parts, body), next, versions).await
    };
    let page = cache.get_or_render(key.clone(), render_first).await;
    let (outcome, page) = if rendered_here.load(Ordering::Relaxed) {
        ("rendered", page)
    } else {
        match page {
            Ok(page) if !still_current(&services, &page).await => (
                "rendered",
                render_and_keep(cache, key, render_again()).await,
            ),
            page => ("kept", page),
        }
    };
    let outcome = if page.is_err() { "unkept" } else { outcome };
    metrics::counter!("page_cache_requests_total", "outcome" => outcome).increment(1);
    match page {
        Ok(page) => {
            if outcome == "kept" {
                if let Some(reader) = &reader {
                    repeat(&services, &page.effects, reader);
                }
            }
            respond(&page, encoding, outcome).await
        }
        Err(unkept) => match unkept.take() {
            Some(response) => response,
            None => match render_again().await {
                Ok(page) => respond(&page, encoding, "rendered").await,
                Err(unkept) => unkept
                    .take()
                    .unwrap_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
            },
        },
    }
}

async fn render_and_keep(
    cache: &PageCache,
    key: PageKey,
    render: impl Future<Output = Result<Arc<Page>, Unkept>>,
) -> Result<Arc<Page>, Arc<Unkept>> {
    match render.await {
        Ok(page) => {
            cache.put(key, page.clone()).await;
            Ok(page)
        }
        Err(unkept) => Err(Arc::new(unkept)),
    }
}

/// Whether a kept page still shows what a rendering now would. Only pages that show
/// view counts can be stale under their key: they are checked against the views version
/// after this instance's recorded views are written, as their rendering would be.
async fn still_current(services: &Services, page: &Page) -> bool {
    if page.views.is_none() {
        return true;
    }
    services.battlecards().views().flush().await;
    match services.shared().versions().read().await {
        Ok(now) => page.is_current(now),
        Err(e) => {
            tracing::warn!(error = %e, "page version unavailable; rendering the page");
            false
        }
    }
}

/// What each send of a page does again.
fn repeat(services: &Services, effects: &[PageEffect], reader: &CurrentUser) {
    for effect in effects {
        match effect {
            PageEffect::CardViewed(card) => services.battlecards().views().record(card, &reader.id),
        }
    }
}

/// A rendering that is not kept: the response, for the request that rendered it.
struct Unkept(Mutex<Option<Response>>);

impl Unkept {
    fn new(response: Response) -> Self {
        Unkept(Mutex::new(Some(response)))
    }

    fn take(&self) -> Option<Response> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Renders the page and prepares it to keep, unless it cannot be kept. `versions` were
/// read before the rendering began.
async fn render(mut req: Request, next: Next, versions: Versions) -> Result<Arc<Page>, Unkept> {
    let effects = PageEffects::default();
    req.extensions_mut().insert(effects.clone());
    let nonce = req.extensions().get::<CspNonce>().map(|n| n.0.clone());
    let response = next.run(req).await;
    if !keepable(&response) {
        return Err(Unkept::new(response));
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_PAGE).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "a page's body failed or was too large to keep");
            return Err(Unkept::new(
                StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            ));
        }
    };
    let Ok(html) = String::from_utf8(bytes.to_vec()) else {
        return Err(Unkept::new(Response::from_parts(parts, Body::from(bytes))));
    };
    let headers = parts
        .headers
        .iter()
        .filter(|(name, _)| **name != header::CONTENT_LENGTH)
        .map(|(name, value)| (name.as_str().to_string(), value.as_bytes().to_vec()))
        .collect();
    let (effects, shows_view_counts) = effects.take();
    let views = shows_view_counts.then_some(versions.views);
    let page = tokio::task::spawn_blocking(move || {
        prepare(html, nonce.as_deref(), headers, effects, views)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "preparing a page to keep failed");
        Unkept::new(StatusCode::INTERNAL_SERVER_ERROR.into_response())
    })?;
    Ok(Arc::new(page))
}

fn keepable(response: &Response) -> bool {
    let headers = response.headers();
    response.status() == StatusCode::OK
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
        && !headers.contains_key(header::SET_COOKIE)
        && !headers.contains_key(header::CONTENT_ENCODING)
        && !headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"))
}

/// The page as it is kept: without the rendering's nonce (its inline scripts are
/// allowed by hash instead). Each encoding is made when first asked for (see
/// [`encoded`]), so rendering a page costs one compression, as it would unkept.
fn prepare(
    html: String,
    nonce: Option<&str>,
    headers: Vec<(String, Vec<u8>)>,
    effects: Vec<PageEffect>,
    views: Option<i64>,
) -> Page {
    let html = match nonce {
        Some(nonce) => html.replace(&format!(" nonce=\"{nonce}\""), ""),
        None => html,
    };
    let script_hashes = inline_script_hashes(&html);
    Page {
        headers,
        identity: Bytes::from(html),
        gzip: OnceLock::new(),
        brotli: OnceLock::new(),
        script_hashes,
        effects,
        views,
    }
}

/// `'sha256-…'` of the text of every `<script>` element without a `src`, as a browser
/// finds and hashes it for the Content-Security-Policy: the page is parsed as HTML, so
/// text that only looks like a script (say, `<script>` typed into an attribute value)
/// is never allowed.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    static SCRIPTS: LazyLock<scraper::Selector> =
        LazyLock::new(|| scraper::Selector::parse("script:not([src])").expect("a valid selector"));
    let mut hashes = Vec::new();
    for script in scraper::Html::parse_document(html).select(&SCRIPTS) {
        let text: String = script.text().collect();
        let hash = format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
        );
        if !hashes.contains(&hash) {
            hashes.push(hash);
        }
    }
    hashes
}

/// `body` compressed in `encoding` by the standard compression layer (tower-http, the
/// one every other response goes through), asked for once per page and encoding.
async fn compress(body: Bytes, encoding: Encoding) -> anyhow::Result<Bytes> {
    let name = encoding.name().context("identity is not compressed")?;
    let page = tower::service_fn(move |_: Request| {
        let body = body.clone();
        async move {
            let mut response = Response::new(Body::from(body));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    let compressing = CompressionLayer::new()
        .gzip(encoding == Encoding::Gzip)
        .br(encoding == Encoding::Brotli)
        .quality(CompressionLevel::Precise(6));
    let request = Request::builder()
        .header(header::ACCEPT_ENCODING, name)
        .body(Body::empty())?;
    let response = compressing.layer(page).oneshot(request).await?;
    anyhow::ensure!(
        response.headers().get(header::CONTENT_ENCODING) == Some(&HeaderValue::from_static(name)),
        "the compression layer did not compress the page in {name}"
    );
    axum::body::to_bytes(Body::new(response.into_body()), usize::MAX)
        .await
        .context("compressing the page")
}

/// The encodings a kept page is sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// Its `Content-Encoding`, if any.
    fn name(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }

    /// Brotli when the client takes it, then gzip, else none.
    fn accepted(headers: &http::HeaderMap) -> Self {
        let mut brotli = false;
        let mut gzip = false;
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut fields = item.split(';');
                let name = fields.next().unwrap_or("").trim();
                let refused = fields.any(|f| {
                    f.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                if refused {
                    continue;
                }
                match name.to_ascii_lowercase().as_str() {
                    "br" => brotli = true,
                    "gzip" => gzip = true,
                    _ => {}
                }
            }
        }
        if brotli {
            Encoding::Brotli
        } else if gzip {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

fn wants_fresh(headers: &http::HeaderMap) -> bool {
    headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("no-cache"))
        })
}

/// The page's body in `encoding`, compressed now if this is the first time it is asked
/// for in it.
async fn encoded(page: &Arc<Page>, encoding: Encoding) -> Result<Bytes, Response> {
    let slot = match encoding {
        Encoding::Identity => return Ok(page.identity.clone()),
        Encoding::Gzip => &page.gzip,
        Encoding::Brotli => &page.brotli,
    };
    if let Some(body) = slot.get() {
        return Ok(body.clone());
    }
    match compress(page.identity.clone(), encoding).await {
        Ok(body) => Ok(slot.get_or_init(|| body).clone()),
        Err(e) => {
            tracing::error!(error = %e, "compressing a page failed");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

async fn respond(page: &Arc<Page>, encoding: Encoding, outcome: &'static str) -> Response {
    let body = match encoded(page, encoding).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let name = encoding.name();
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    for (name, value) in &page.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(name, value);
        }
    }
    if let Some(name) = name {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(PAGE_CACHE, HeaderValue::from_static(outcome));
    response
        .extensions_mut()
        .insert(ScriptHashes(page.script_hashes.clone()));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<script src="/pkg/a.js"></script><script type="module">go()</script><p>x</p><script>go()</script><script>b</script>"#;
        let hashes = inline_script_hashes(html);
        let expected = |text: &str| {
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text))
            )
        };
        assert_eq!(hashes, vec![expected("go()"), expected("b")]);
        // Only real script elements count.
        let typed = r#"<p title="<script>evil()</script>">x</p><script>go()</script>"#;
        assert_eq!(inline_script_hashes(typed), vec![expected("go()")]);
    }

    #[tokio::test]
    async fn prepares_without_the_nonce_and_compresses_through_the_layer() {
        let page = prepare(
            r#"<script nonce="abc+/=" type="module">go()</script>"#.into(),
            Some("abc+/="),
            vec![],
            vec![],
            None,
        );
        assert_eq!(
            &page.identity[..],
            br#"<script type="module">go()</script>"#
        );
        assert_eq!(page.script_hashes.len(), 1);
        let page = Arc::new(page);
        let gzipped = encoded(&page, Encoding::Gzip).await.unwrap();
        let mut gunzipped = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&gzipped[..]),
            &mut gunzipped,
        )
        .unwrap();
        assert_eq!(gunzipped.as_bytes(), &page.identity[..]);
        let brotlied = encoded(&page, Encoding::Brotli).await.unwrap();
        let mut unbrotlied = Vec::new();
        brotli::BrotliDecompress(&mut &brotlied[..], &mut unbrotlied).unwrap();
        assert_eq!(unbrotlied, &page.identity[..]);
        assert_eq!(page.gzip.get(), Some(&gzipped), "kept once made");
        assert_eq!(page.brotli.get(), Some(&brotlied));
    }

    #[test]
    fn negotiates_encodings() {
        let with = |value: &str| {
            let mut headers = http::HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            Encoding::accepted(&headers)
        };
        assert_eq!(with("gzip, deflate, br, zstd"), Encoding::Brotli);
        assert_eq!(with("gzip"), Encoding::Gzip);
        assert_eq!(with("br;q=0, gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(with("identity"), Encoding::Identity);
        assert_eq!(
            Encoding::accepted(&http::HeaderMap::new()),
            Encoding::Identity
        );
    }
}
