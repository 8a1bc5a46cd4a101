//! A deadline for each request: from its head to its answer, body upload included.
//! A client that trickles its body (or a handler that hangs) gets 408 and the
//! connection is closed, so it cannot hold a connection and a worker for long.
//! (tower-http's `RequestBodyTimeout` limits the wait between body chunks, which a
//! trickle resets; this limits the whole.)
use std::time::Duration;

use app::error::ErrorCode;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue};

use crate::error::HttpError;

pub async fn answer_within(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit = ?limit, "request not answered in time (slow client or handler)");
            let mut response = HttpError::new(
                ErrorCode::RequestTimeout,
                "The request took too long to arrive or to answer. Please try again.",
            )
            .into_response();
            // What is left of the body is still on the wire: do not read it as a request.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}
