//! `HttpError`: how every endpoint outside Leptos (downloads, the live socket, CSRF,
//! session and body-size refusals, metrics) answers a failure. It renders itself in
//! the one error shape of the app, `{"error":{"code","message","request_id"}}` — the
//! wire form of [`AppError`], so a page calling a server function reads a refusal
//! from here just as it reads its own errors — with the status its code implies and
//! the id of the request being answered.
use app::error::{AppError, ErrorCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;

use crate::middleware::request_id;

#[derive(Debug)]
pub struct HttpError(AppError);

impl HttpError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(AppError::new(code, message))
    }

    /// A request an axum extractor could not read (a bad path, query or upgrade);
    /// its own sentence says what was wrong.
    pub fn unreadable(rejection: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorCode::BadRequest,
            format!("The request could not be read: {rejection}"),
        )
    }

    /// A body over `REQUEST_BODY_LIMIT`.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "The request is too large: at most {} KiB is accepted.",
                limit / 1024
            ),
        )
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }
}

/// A service's error, mapped (and an unexpected one logged) the way server
/// functions map it.
impl From<domain::Error> for HttpError {
    fn from(error: domain::Error) -> Self {
        Self(AppError::from(error))
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut error = self.0;
        if error.request_id.is_none() {
            error.request_id = request_id::current();
        }
        let status =
            StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(error)).into_response()
    }
}
