//! Request middleware, outermost first in `routes::router`.
pub mod auth;
pub mod body_limit;
pub mod client_ip;
pub mod csrf;
pub mod deadline;
pub mod metrics;
pub mod page_cache;
pub mod request_id;
pub mod security;
