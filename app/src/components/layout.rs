//! The page frame: top bar with the brand, navigation (a menu under 640 px) and the
//! signed-in person's name with a sign-out button.
use domain::types::{Role, Viewer};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::auth::Logout;
use crate::Me;

#[component]
pub fn TopBar() -> impl IntoView {
    let me = expect_context::<Me>();
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"O"</span>
                <span>"Outrival"</span>
            </a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.0.await {
                        Ok(Some(user)) => view! { <HeaderSearch/><Navigation user/> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Transition>
        </header>
    }
}

#[component]
fn Navigation(user: Viewer) -> impl IntoView {
    let logout = expect_context::<ServerAction<Logout>>();
    let open = RwSignal::new(false);
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    let is_admin = user.role == Role::Admin;
    view! {
        <button
            type="button"
            class="menu-toggle"
            aria-controls="primary-nav"
            aria-expanded=move || if open.get() { "true" } else { "false" }
            on:click=move |_| open.update(|o| *o = !*o)
        >
            <span class="menu-icon" aria-hidden="true"></span>
            "Menu"
        </button>
        // Any link or button in the menu leaves the page or signs out: close the menu.
        <nav
            id="primary-nav"
            class="primary-nav"
            class:open=move || open.get()
            aria-label="Main"
            on:click=move |_| open.set(false)
        >
            <NavLink href="/" exact=true>"Dashboard"</NavLink>
            <NavLink href="/competitors">"Competitors"</NavLink>
            <NavLink href="/jobs">"Jobs"</NavLink>
            {is_admin.then(|| view! {
                <NavLink href="/admin/users">"Users"</NavLink>
                <NavLink href="/admin/invitations">"Invitations"</NavLink>
                <NavLink href="/admin/audit">"Audit log"</NavLink>
                <NavLink href="/admin/ai">"AI"</NavLink>
            })}
            <NavLink href="/account">"Account"</NavLink>
            <div class="nav-user">
                <span class="nav-user-name" title=user.email.clone()>
                    {user.name.clone()}
                    <span class="role-badge">{user.role.label()}</span>
                </span>
                <ActionForm action=logout>
                    <button type="submit" class="button secondary small">"Sign out"</button>
                </ActionForm>
            </div>
        </nav>
    }
}

/// A navigation link marked `aria-current="page"` on its own page (and, unless
/// `exact`, below it). The router still handles the click in the browser; this is a
/// plain `<a>` because the router's `<A>` costs a reactive route match per link on
/// every server render.
#[component]
fn NavLink(href: &'static str, #[prop(optional)] exact: bool, children: Children) -> impl IntoView {
    let pathname = use_location().pathname;
    let current = move || {
        pathname.with(|path| {
            let here = path == href
                || (!exact && path.starts_with(href) && path[href.len()..].starts_with('/'));
            here.then_some("page")
        })
    };
    view! { <a href=href aria-current=current>{children()}</a> }
}

/// The one search box in the header: competitors, cards and the text inside them.
/// It shows the query of the search page, and is empty elsewhere. Words typed before
/// the page hydrated stay: the box follows the address only once it changes after
/// hydration, never at hydration itself (as `prop:value` would, wiping what a rep on
/// a slow phone already typed).
#[component]
fn HeaderSearch() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let location = use_location();
    let current = Memo::new(move |_| {
        if location.pathname.with(|p| p == "/search") {
            query.read().get("q").unwrap_or_default()
        } else {
            String::new()
        }
    });
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |hydrated: Option<()>| {
        let value = current.get();
        if hydrated.is_some() {
            if let Some(input) = input.get_untracked() {
                input.set_value(&value);
            }
        }
    });
    view! {
        <form method="get" action="/search" class="header-search" role="search">
            <label for="header-q" class="visually-hidden">"Search competitors and battlecards"</label>
            <input id="header-q" type="search" name="q" placeholder="Search cards, objections…" maxlength="200"
                value=current.get_untracked() node_ref=input autocomplete="off"/>
        </form>
    }
}
