//! Pages only admins may open.
use leptos::prelude::*;

use crate::api::auth::require_admin;
use crate::components::error::ErrorPanel;

/// Renders `children` for admins; anyone else gets one "no access" panel (and a 403),
/// with the request id of the check.
#[component]
pub fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    let access = Resource::new(|| (), |_| require_admin());
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match access.await {
                        Ok(()) => children().into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
