//! The page frame: top bar with the brand, the search box, navigation (a menu under
//! 640 px; an island, like the live notifications beside it) and the signed-in person's
//! name with a sign-out button.
use domain::types::{Role, Viewer};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::auth::Logout;
use crate::live::LiveNotifications;
use crate::me;

#[component]
pub fn TopBar() -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    // The search box shows the search page's query, and is empty elsewhere.
    let searched = if path == "/search" {
        use_query_map()
            .read_untracked()
            .get("q")
            .unwrap_or_default()
    } else {
        String::new()
    };
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"O"</span>
                <span>"Outrival"</span>
            </a>
            {me().map(|user| view! {
                <HeaderSearch value=searched/><Navigation user path/><LiveNotifications/>
            })}
        </header>
    }
}

/// The main navigation, `path` being the page it is on. Signing out is a plain form:
/// the server ends the session and sends the browser to the sign-in page.
#[island]
fn Navigation(user: Viewer, path: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let current = StoredValue::new(path);
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
            <NavLink href="/" current exact=true>"Dashboard"</NavLink>
            <NavLink href="/competitors" current>"Competitors"</NavLink>
            <NavLink href="/jobs" current>"Jobs"</NavLink>
            {is_admin.then(|| view! {
                <NavLink href="/admin/users" current>"Users"</NavLink>
                <NavLink href="/admin/invitations" current>"Invitations"</NavLink>
                <NavLink href="/admin/audit" current>"Audit log"</NavLink>
                <NavLink href="/admin/ai" current>"AI"</NavLink>
            })}
            <NavLink href="/account" current>"Account"</NavLink>
            <div class="nav-user">
                <span class="nav-user-name" title=user.email.clone()>
                    {user.name.clone()}
                    <span class="role-badge">{user.role.label()}</span>
                </span>
                <form method="post" action=Logout::url()>
                    <button type="submit" class="button secondary small">"Sign out"</button>
                </form>
            </div>
        </nav>
    }
}

/// A navigation link marked `aria-current="page"` on its own page (and, unless
/// `exact`, below it).
#[component]
fn NavLink(
    href: &'static str,
    current: StoredValue<String>,
    #[prop(optional)] exact: bool,
    children: Children,
) -> impl IntoView {
    let here = current.with_value(|path| {
        path == href || (!exact && path.starts_with(href) && path[href.len()..].starts_with('/'))
    });
    view! { <a href=href aria-current=here.then_some("page")>{children()}</a> }
}

/// The one search box in the header: competitors, cards and the text inside them.
/// A plain form: it works before the page's script has loaded, and nothing a rep types
/// is ever replaced.
#[component]
fn HeaderSearch(value: String) -> impl IntoView {
    view! {
        <form method="get" action="/search" class="header-search" role="search">
            <label for="header-q" class="visually-hidden">"Search competitors and battlecards"</label>
            <input id="header-q" type="search" name="q" placeholder="Search cards, objections…" maxlength="200"
                value=value autocomplete="off"/>
        </form>
    }
}
