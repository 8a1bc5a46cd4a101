//! Reusable views. No server functions here.
pub mod error;
pub mod form;
pub mod format;
pub mod guard;
pub mod layout;
pub mod markdown;
pub mod pager;
