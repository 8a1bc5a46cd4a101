//! Server functions, one module per area. Each body: who is calling → one service
//! call → map the error.
pub mod admin;
pub mod ai;
pub mod auth;
pub mod cards;
pub mod competitors;
pub mod dashboard;
pub mod search;
pub mod sources;
#[cfg(feature = "ssr")]
pub mod ssr;
