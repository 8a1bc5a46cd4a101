//! One module per area of the app.
pub mod account;
pub mod admin;
pub mod auth;
pub mod cards;
pub mod competitors;
pub mod dashboard;
pub mod jobs;
pub mod not_found;
pub mod search;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The `page` query parameter, 1 when absent or invalid. Pages render once, on the
/// server, so parameters are read once rather than tracked.
pub(crate) fn page_param() -> u32 {
    use_query_map()
        .read_untracked()
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p > 0)
        .unwrap_or(1)
}

/// A route parameter (`:name` in the path), empty when absent.
pub(crate) fn route_param(name: &str) -> String {
    use_params_map()
        .read_untracked()
        .get(name)
        .unwrap_or_default()
}

/// A query parameter, empty when absent.
pub(crate) fn query_param(name: &str) -> String {
    use_query_map()
        .read_untracked()
        .get(name)
        .unwrap_or_default()
}

/// Percent-encodes a query value.
pub(crate) fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
