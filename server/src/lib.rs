//! The `outrival` server: configuration, start-up, router, middleware and the
//! operations endpoints. Pages and server functions come from `app`; services from
//! `domain`.
#![forbid(unsafe_code)]

pub mod ai_config;
pub mod config;
pub mod error;
pub mod export;
pub mod health;
pub mod middleware;
pub mod routes;
pub mod serve;
pub mod startup;
pub mod telemetry;
pub mod ws;

pub use config::Config;
pub use startup::{run_workers, shutdown_signal, Application};
