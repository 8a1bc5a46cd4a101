//! Pages only admins may open.
use leptos::prelude::*;

use crate::api::auth::require_admin;
use crate::components::error::ErrorPanel;

/// Renders `children` for admins; anyone else gets one "no access" panel (and a 403),
/// with the request id of the check.
#[component]
pub fn AdminOnly(children: Children) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                match require_admin().await {
                    Ok(()) => children().into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
