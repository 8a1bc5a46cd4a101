//! The request id (`x-request-id`, set or kept by the outermost layer) within reach
//! of whatever answers the request, so an error can quote it without being handed it.
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;

tokio::task_local! {
    static REQUEST_ID: Option<HeaderValue>;
}

/// Runs the rest of the request with its id in reach of [`current`].
pub async fn scope(req: Request, next: Next) -> Response {
    let id = req.headers().get("x-request-id").cloned();
    REQUEST_ID.scope(id, next.run(req)).await
}

/// The id of the request being answered, when called while answering one.
pub fn current() -> Option<String> {
    REQUEST_ID
        .try_with(|id| {
            id.as_ref()
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .ok()
        .flatten()
}
