//! Competitors: the list, the create and edit forms, and the competitor page.
pub mod detail;
pub mod form;
pub mod list;
pub mod snapshot;
pub mod sources;

use domain::types::Competitor;
use leptos::prelude::*;

/// The logo badge: initials on one of eight colours, chosen by the name.
#[component]
pub fn Initials(competitor: Competitor) -> impl IntoView {
    let hue = competitor
        .name
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        % 8;
    // A class, not an inline style: the content security policy allows no inline styles.
    view! {
        <span class=format!("initials hue-{hue}") aria-hidden="true">{competitor.initials()}</span>
    }
}

/// The host of a website address, for display ("https://www.acme.com/x" → "www.acme.com").
pub fn host(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_string()
}
