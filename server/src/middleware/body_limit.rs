//! `REQUEST_BODY_LIMIT`: a larger body is refused with 413 in the standard error
//! shape, whether it says its length up front or streams in chunks without one. A
//! streamed body is cut off where it passes the limit; whoever was reading it (a
//! server function, an extractor) then fails in its own way, and this layer answers
//! 413 in place of that failure, so the status never depends on the reader.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http::header::CONTENT_LENGTH;

use crate::error::HttpError;

/// The error a reader of a cut-off body sees.
#[derive(Debug, thiserror::Error)]
#[error("length limit exceeded")]
struct LimitExceeded;

pub async fn limit(State(max): State<usize>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max as u64) {
        return HttpError::payload_too_large(max).into_response();
    }
    // A body of known size (a Content-Length within the limit, or none at all) cannot
    // outgrow it: the connection enforces the declared length.
    if req.body().size_hint().exact().is_some() {
        return next.run(req).await;
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let flag = exceeded.clone();
    let mut left = max;
    let req = req.map(|body| {
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            let chunk = chunk?;
            if chunk.len() > left {
                flag.store(true, Ordering::Relaxed);
                return Err(axum::Error::new(LimitExceeded));
            }
            left -= chunk.len();
            Ok(chunk)
        }))
    });
    let response = next.run(req).await;
    if exceeded.load(Ordering::Relaxed) {
        tracing::info!(limit = max, "refused a streamed body over the limit");
        return HttpError::payload_too_large(max).into_response();
    }
    response
}
