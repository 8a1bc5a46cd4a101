//! The server's error type. Every variant says what failed in words a person can act
//! on; `Unexpected` keeps the full cause chain for the logs only.
use crate::types::{Conflict, FieldError};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("sign in required")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    #[error("the email or password is incorrect")]
    InvalidCredentials,
    #[error("too many attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error("this account is disabled")]
    AccountDisabled,
    /// A limit on use (rate or budget) was reached; the message says which and when
    /// it lifts.
    #[error("{0}")]
    Limited(String),
    /// The request carried something no field can hold (e.g. a NUL character); the
    /// message says what.
    #[error("{0}")]
    BadInput(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl Error {
    /// A single-field validation error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, message)])
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => Error::NotFound,
            ref text if crate::store::dialect::is_unstorable_text(text) => Error::BadInput(
                "Text cannot contain NUL characters; remove them and try again.".into(),
            ),
            other => Error::Unexpected(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

/// Collects field errors, so a form reports every problem at once.
#[derive(Default, Debug)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.0.iter().any(|e| e.field == field) {
            self.0.push(FieldError::new(field, message));
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// `Ok(())` when nothing was added, otherwise the collected validation error.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.0))
        }
    }
}
