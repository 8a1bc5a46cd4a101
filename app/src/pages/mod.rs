//! One module per area of the app.
pub mod account;
pub mod admin;
pub mod auth;
pub mod dashboard;
pub mod not_found;
