//! Outrival's domain: the types both the server and the browser see, and — behind the
//! `server` feature — every server-side service (accounts, sessions, storage, cache).
#![forbid(unsafe_code)]

pub mod types;

#[cfg(feature = "server")]
pub mod accounts;
#[cfg(feature = "server")]
pub mod activity;
#[cfg(feature = "server")]
pub mod ai;
#[cfg(feature = "server")]
pub mod battlecards;
#[cfg(feature = "server")]
pub mod cache;
#[cfg(feature = "server")]
pub mod competitors;
#[cfg(feature = "server")]
pub mod dashboard;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod events;
#[cfg(feature = "server")]
pub mod jobs;
#[cfg(feature = "server")]
pub mod markdown;
#[cfg(feature = "server")]
pub mod pages;
#[cfg(feature = "server")]
pub mod presence;
#[cfg(feature = "server")]
pub mod search;
#[cfg(feature = "server")]
pub mod services;
#[cfg(feature = "server")]
pub mod sessions;
#[cfg(feature = "server")]
pub mod shared;
#[cfg(feature = "server")]
pub mod sources;
#[cfg(feature = "server")]
pub mod store;
#[cfg(feature = "server")]
pub mod time;
#[cfg(feature = "server")]
pub mod versions;

#[cfg(feature = "server")]
pub use error::{Error, Result};
#[cfg(feature = "server")]
pub use services::Services;
