//! Rendered rep views, kept per reader. A rep mid-call opens the same card again and
//! again; rendering it each time (about a millisecond of SSR for a card with twenty
//! objections) is the slowest part of the request, so a reader's last rendering of each
//! card is kept and served again while nothing it shows has changed:
//!
//! - the content revision has not moved (any competitor, card or feedback write made by
//!   this process moves it — see `domain::revision`), and
//! - the reader is the same person with the same name, email and role.
//!
//! Kept only where this process is the only writer (no Redis); with several instances
//! every request renders. A page served again still records the view, and carries this
//! response's CSP nonce in place of the one it was rendered with.
use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::accounts::CurrentUser;
use domain::Services;
use http::{header, HeaderMap, Method, StatusCode};

use super::security::CspNonce;

/// Every kept page together stays under this many bytes; past it the store starts over.
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// A rendered page larger than this is an error (no card comes close).
const MAX_PAGE: usize = 8 * 1024 * 1024;

struct Page {
    revision: u64,
    reader: CurrentUser,
    /// The body split at each occurrence of the nonce it was rendered with.
    parts: Vec<Bytes>,
    headers: HeaderMap,
}

impl Page {
    fn size(&self) -> usize {
        self.parts.iter().map(Bytes::len).sum()
    }

    /// The page with `nonce` in place of the old one. The parts are shared, not copied:
    /// the body is their chunks, written out together.
    fn chunks_with(&self, nonce: &str) -> Vec<Bytes> {
        let nonce = Bytes::copy_from_slice(nonce.as_bytes());
        let mut chunks = Vec::with_capacity(self.parts.len() * 2);
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                chunks.push(nonce.clone());
            }
            chunks.push(part.clone());
        }
        chunks
    }
}

#[derive(Default)]
pub struct RepPages {
    pages: Mutex<(HashMap<(String, String), Page>, usize)>,
}

impl RepPages {
    fn lookup(
        &self,
        key: &(String, String),
        revision: u64,
        reader: &CurrentUser,
        nonce: &str,
    ) -> Option<Response> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let page = pages.0.get(key)?;
        if page.revision != revision || &page.reader != reader {
            return None;
        }
        let chunks = page.chunks_with(nonce);
        let length = chunks.iter().map(Bytes::len).sum::<usize>();
        let stream = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>));
        let mut response = Body::from_stream(stream).into_response();
        *response.headers_mut() = page.headers.clone();
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, length.into());
        Some(response)
    }

    fn keep(&self, key: (String, String), page: Page) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let (map, bytes) = &mut *pages;
        if *bytes + page.size() > MAX_BYTES {
            map.clear();
            *bytes = 0;
        }
        *bytes += page.size();
        if let Some(old) = map.insert(key, page) {
            *bytes -= old.size();
        }
    }
}

/// The card id when `path` is a rep view (`/cards/{id}`).
fn rep_view_card(path: &str) -> Option<&str> {
    let id = path.strip_prefix("/cards/")?;
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(id)
}

fn split_at_nonce(body: &Bytes, nonce: &str) -> Vec<Bytes> {
    let mut parts = Vec::new();
    let mut rest = 0;
    let haystack = &body[..];
    let needle = nonce.as_bytes();
    let mut at = 0;
    while at + needle.len() <= haystack.len() {
        if &haystack[at..at + needle.len()] == needle {
            parts.push(body.slice(rest..at));
            at += needle.len();
            rest = at;
        } else {
            at += 1;
        }
    }
    parts.push(body.slice(rest..));
    parts
}

pub async fn serve(
    State((services, pages)): State<(Services, std::sync::Arc<RepPages>)>,
    req: Request,
    next: Next,
) -> Response {
    let revision = services.content_revision();
    let card = (req.method() == Method::GET && req.uri().query().is_none())
        .then(|| rep_view_card(req.uri().path()))
        .flatten()
        .map(str::to_string);
    let reader = req.extensions().get::<CurrentUser>().cloned();
    let nonce = req.extensions().get::<CspNonce>().map(|n| n.0.clone());
    let (Some(revision), Some(card), Some(reader), Some(nonce)) = (revision, card, reader, nonce)
    else {
        return next.run(req).await;
    };
    let key = (card, reader.id.clone());
    if let Some(response) = pages.lookup(&key, revision, &reader, &nonce) {
        services.battlecards().views().record(&key.0, &reader.id);
        return response;
    }
    let response = next.run(req).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_PAGE).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "failed to render a rep view");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please try again.",
            )
                .into_response();
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    pages.keep(
        key,
        Page {
            revision,
            reader,
            parts: split_at_nonce(&body, &nonce),
            headers: parts.headers.clone(),
        },
    );
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rep_views_qualify() {
        assert_eq!(rep_view_card("/cards/abc123"), Some("abc123"));
        assert_eq!(rep_view_card("/cards/abc123/edit"), None);
        assert_eq!(rep_view_card("/cards/"), None);
        assert_eq!(rep_view_card("/competitors/abc"), None);
    }

    #[test]
    fn a_kept_page_takes_the_new_nonce_everywhere() {
        let body =
            Bytes::from_static(b"<script nonce=\"N1\">a</script><p>N</p><script nonce=\"N1\">");
        let page = Page {
            revision: 0,
            reader: CurrentUser {
                id: "u".into(),
                email: "e".into(),
                name: "n".into(),
                role: domain::types::Role::Viewer,
            },
            parts: split_at_nonce(&body, "N1"),
            headers: HeaderMap::new(),
        };
        assert_eq!(
            String::from_utf8(page.chunks_with("XYZ").concat()).unwrap(),
            "<script nonce=\"XYZ\">a</script><p>N</p><script nonce=\"XYZ\">"
        );
    }
}
