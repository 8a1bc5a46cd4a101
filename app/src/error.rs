//! `AppError`: what a failed request tells the person using the app. It carries a
//! human sentence, a stable code, per-field messages and the request id — never SQL,
//! a stack trace or a panic message. On the wire it is the one error shape every
//! Outrival endpoint answers with: `{"error":{"code","message","request_id",…}}`.
use std::collections::BTreeMap;

use domain::types::FieldError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes (also used by the JSON API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Validation,
    Unauthenticated,
    /// A live-update socket opened without a session.
    SignInRequired,
    Forbidden,
    /// A state-changing request from another site.
    CsrfRejected,
    /// A live-update socket opened from another site.
    OriginRejected,
    NotFound,
    MethodNotAllowed,
    Conflict,
    /// The request took longer than REQUEST_TIMEOUT to arrive or to answer.
    RequestTimeout,
    /// The request body is larger than the configured limit.
    PayloadTooLarge,
    InvalidCredentials,
    Throttled,
    AccountDisabled,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Validation => 422,
            ErrorCode::Unauthenticated
            | ErrorCode::SignInRequired
            | ErrorCode::InvalidCredentials => 401,
            ErrorCode::Forbidden
            | ErrorCode::CsrfRejected
            | ErrorCode::OriginRejected
            | ErrorCode::AccountDisabled => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::Throttled => 429,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "Envelope", from = "Envelope")]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// Messages to show next to individual fields.
    pub fields: Vec<FieldError>,
    /// What the person typed (never passwords), so a form re-rendered after a plain
    /// form post keeps it.
    pub values: BTreeMap<String, String>,
    pub request_id: Option<String>,
}

/// The wire form of an error: everything inside one `error` object.
#[derive(Serialize, Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Serialize, Deserialize)]
struct Body {
    code: ErrorCode,
    message: String,
    /// Always present (null when unknown), so clients can rely on the key.
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    values: BTreeMap<String, String>,
}

impl From<AppError> for Envelope {
    fn from(e: AppError) -> Self {
        Envelope {
            error: Body {
                code: e.code,
                message: e.message,
                request_id: e.request_id,
                fields: e.fields,
                values: e.values,
            },
        }
    }
}

impl From<Envelope> for AppError {
    fn from(Envelope { error: e }: Envelope) -> Self {
        AppError {
            code: e.code,
            message: e.message,
            fields: e.fields,
            values: e.values,
            request_id: e.request_id,
        }
    }
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: vec![],
            values: BTreeMap::new(),
            request_id: None,
        }
    }

    /// The message for one field, if it has one.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.field == name)
            .map(|f| f.message.clone())
    }

    /// What was typed into a field.
    pub fn value(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned()
    }

    /// Keeps a typed (non-secret) value with the error.
    pub fn keep(mut self, name: &str, value: &str) -> Self {
        self.values
            .insert(name.to_string(), value.chars().take(500).collect());
        self
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Failures of the server-function machinery itself. On the server the only ones
    /// a request can cause are reading its arguments and body (undecodable JSON or
    /// form data, invalid UTF-8, a number out of range, nesting too deep, a missing
    /// argument, the wrong method): the caller's mistake, so 400, never 500. In the
    /// browser, `Deserialization` means the answer could not be read.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new(
                ErrorCode::Unavailable,
                "Outrival could not be reached. Check your connection and try again.",
            ),
            ServerFnErrorErr::Args(detail)
            | ServerFnErrorErr::MissingArg(detail)
            | ServerFnErrorErr::UnsupportedRequestMethod(detail) => malformed(&detail),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(detail) => malformed(&detail),
            _ => AppError::new(
                ErrorCode::Internal,
                "Something went wrong on our side. Please try again.",
            ),
        };
        // On the server this is a request that failed before our code ran: give it
        // the right status and request id too.
        #[cfg(feature = "ssr")]
        let error = crate::api::ssr::annotate(error);
        error
    }
}

/// A request whose arguments could not be read. The reader's own words (e.g. "EOF
/// while parsing a value at line 1 column 20") help whoever built the request; they
/// never hold our data, but are cut to one short line all the same.
fn malformed(detail: &str) -> AppError {
    #[cfg(feature = "ssr")]
    tracing::info!(detail, "refused a request that could not be read");
    let detail: String = detail
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(160)
        .collect();
    let detail = detail.trim();
    let message = if detail.is_empty() {
        "The request was incomplete or malformed. Reload the page and try again.".to_string()
    } else {
        format!(
            "The request was incomplete or malformed ({detail}). Reload the page and try again."
        )
    };
    AppError::new(ErrorCode::BadRequest, message)
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use domain::Error;

    impl From<Error> for AppError {
        fn from(error: Error) -> Self {
            let (code, message, fields) = match error {
                Error::NotFound => (
                    ErrorCode::NotFound,
                    "We could not find that.".to_string(),
                    vec![],
                ),
                Error::Validation(fields) => (
                    ErrorCode::Validation,
                    "Some fields need your attention.".to_string(),
                    fields,
                ),
                Error::Unauthenticated => (
                    ErrorCode::Unauthenticated,
                    "Please sign in to continue.".to_string(),
                    vec![],
                ),
                Error::Forbidden => (
                    ErrorCode::Forbidden,
                    "You do not have permission to do that.".to_string(),
                    vec![],
                ),
                Error::Conflict(conflict) => (ErrorCode::Conflict, conflict.message(), vec![]),
                Error::InvalidCredentials => (
                    ErrorCode::InvalidCredentials,
                    "The email or password is incorrect.".to_string(),
                    vec![],
                ),
                Error::Throttled { retry_after_secs } => (
                    ErrorCode::Throttled,
                    format!(
                        "Too many failed sign-in attempts. Try again in {}.",
                        crate::components::format::duration_words(retry_after_secs)
                    ),
                    vec![],
                ),
                Error::Limited(message) => (ErrorCode::Throttled, message, vec![]),
                Error::BadInput(message) => (ErrorCode::BadRequest, message, vec![]),
                Error::AccountDisabled => (
                    ErrorCode::AccountDisabled,
                    "This account is disabled. Ask an admin to re-enable it.".to_string(),
                    vec![],
                ),
                Error::Unexpected(cause) => {
                    tracing::error!(error = ?cause, "request failed unexpectedly");
                    (
                        ErrorCode::Internal,
                        "Something went wrong on our side. Please try again.".to_string(),
                        vec![],
                    )
                }
            };
            let mut error = AppError::new(code, message);
            error.fields = fields;
            crate::api::ssr::annotate(error)
        }
    }
}
