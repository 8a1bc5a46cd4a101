//! `AppError`: what a failed request tells the person using the app. It carries a
//! human sentence, a stable code, per-field messages and the request id — never SQL,
//! a stack trace or a panic message.
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
    Forbidden,
    NotFound,
    Conflict,
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
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => 401,
            ErrorCode::Forbidden | ErrorCode::AccountDisabled => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::Throttled => 429,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// Messages to show next to individual fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// What the person typed (never passwords), so a form re-rendered after a plain
    /// form post keeps it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
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

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new(
                ErrorCode::Unavailable,
                "Outrival could not be reached. Check your connection and try again.",
            ),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::new(
                ErrorCode::BadRequest,
                "The request was incomplete or malformed. Reload the page and try again.",
            ),
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
