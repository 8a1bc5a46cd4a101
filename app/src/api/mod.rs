//! Server functions, one module per area. Each body: who is calling → one service
//! call → map the error.
pub mod admin;
pub mod auth;
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod ssr;
