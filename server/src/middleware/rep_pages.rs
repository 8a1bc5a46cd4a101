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
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::accounts::CurrentUser;
use domain::types::{CardId, UserId};
use domain::Services;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};

use super::security::CspNonce;
use super::spliced::{accepts_gzip, Spliced};
use crate::error::HttpError;

/// Every kept page together stays under this many bytes; past it the store starts over.
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// A rendered page larger than this is an error (no card comes close).
const MAX_PAGE: usize = 8 * 1024 * 1024;

struct Page {
    revision: u64,
    reader: CurrentUser,
    body: Arc<Spliced>,
    headers: HeaderMap,
}

/// Whose rendering of which card: (card id, reader id).
type Key = (CardId, UserId);

#[derive(Default)]
struct Kept {
    pages: HashMap<Key, Page>,
    bytes: usize,
}

#[derive(Default)]
pub struct RepPages {
    kept: Mutex<Kept>,
}

impl RepPages {
    fn lookup(
        &self,
        key: &Key,
        revision: u64,
        reader: &CurrentUser,
        nonce: &str,
        gzip: bool,
    ) -> Option<Response> {
        let (headers, body) = {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            let page = kept.pages.get(key)?;
            if page.revision != revision || &page.reader != reader {
                return None;
            }
            (page.headers.clone(), page.body.clone())
        };
        Some(respond(headers, &body, nonce, gzip))
    }

    fn keep(&self, key: Key, page: Page) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let size = page.body.size();
        if kept.bytes + size > MAX_BYTES {
            kept.pages.clear();
            kept.bytes = 0;
        }
        kept.bytes += size;
        if let Some(old) = kept.pages.insert(key, page) {
            kept.bytes -= old.body.size();
        }
    }
}

/// A kept page as a response with `nonce`, gzipped when the browser accepts it.
fn respond(mut headers: HeaderMap, body: &Spliced, nonce: &str, gzip: bool) -> Response {
    let (length, body) = if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        let gzip = body.gzip(nonce);
        (gzip.len(), Body::from(gzip))
    } else {
        let chunks = body.plain(nonce);
        let length = chunks.iter().map(Bytes::len).sum::<usize>();
        let stream = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>));
        (length, Body::from_stream(stream))
    };
    headers.insert(header::CONTENT_LENGTH, length.into());
    let mut response = body.into_response();
    *response.headers_mut() = headers;
    response
}

/// The card id when `path` is a rep view (`/cards/{id}`).
fn rep_view_card(path: &str) -> Option<&str> {
    let id = path.strip_prefix("/cards/")?;
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(id)
}

pub async fn serve(
    State((services, pages)): State<(Services, Arc<RepPages>)>,
    req: Request,
    next: Next,
) -> Response {
    let revision = services.content_revision();
    let card = (req.method() == Method::GET && req.uri().query().is_none())
        .then(|| rep_view_card(req.uri().path()))
        .flatten()
        .map(CardId::from);
    let reader = req.extensions().get::<CurrentUser>().cloned();
    let nonce = req.extensions().get::<CspNonce>().map(|n| n.0.clone());
    let (Some(revision), Some(card), Some(reader), Some(nonce)) = (revision, card, reader, nonce)
    else {
        return next.run(req).await;
    };
    let gzip = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(accepts_gzip);
    let key = (card, reader.id.clone());
    if let Some(response) = pages.lookup(&key, revision, &reader, &nonce, gzip) {
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
            return HttpError::new(
                app::error::ErrorCode::Internal,
                "Something went wrong on our side. Please try again.",
            )
            .into_response();
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    // The same URL answers gzip or plain by what the browser accepts.
    parts
        .headers
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    match Spliced::new(&body, &nonce) {
        Ok(spliced) => {
            // Sent as it will be sent again, so the first view is no different.
            let response = respond(parts.headers.clone(), &spliced, &nonce, gzip);
            pages.keep(
                key,
                Page {
                    revision,
                    reader,
                    body: Arc::new(spliced),
                    headers: parts.headers,
                },
            );
            response
        }
        Err(e) => {
            tracing::warn!(error = %e, "failed to compress a rep view to keep");
            Response::from_parts(parts, Body::from(body))
        }
    }
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
}
