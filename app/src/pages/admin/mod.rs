//! Admin pages: people, invitations and sign-up policy, the audit log.
pub mod audit;
pub mod invitations;
pub mod users;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The `page` query parameter, 1 when absent or invalid.
pub(crate) fn page_param() -> Memo<u32> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse().ok())
            .filter(|p| *p > 0)
            .unwrap_or(1)
    })
}

/// The role choices for a select.
pub(crate) fn role_options() -> Vec<(String, String)> {
    domain::types::Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), r.label().to_string()))
        .collect()
}
