//! Outrival's pages, components and server functions, shared by the server (SSR,
//! feature `ssr`) and the browser (hydration, feature `hydrate`).
#![forbid(unsafe_code)]
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod live;
pub mod pages;
mod preload;

use domain::types::Viewer;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::TopBar;
use crate::pages::*;

/// Paths anyone may open without signing in. The server redirects every other page
/// to the sign-in form when there is no session.
pub const PUBLIC_PAGES: &[&str] = &["/login", "/signup"];

/// Whether `path` is a page that needs no sign-in.
pub fn is_public_page(path: &str) -> bool {
    PUBLIC_PAGES.contains(&path.trim_end_matches('/'))
}

/// The signed-in person on the page being rendered. The server resolved the session
/// before rendering began, so this reads it from the request; it is never sent to the
/// browser (islands get what they need as props).
pub fn me() -> Option<Viewer> {
    #[cfg(feature = "ssr")]
    return crate::api::ssr::current_user().map(|user| user.viewer());
    #[cfg(not(feature = "ssr"))]
    None
}

/// The document title for a page. Leptos writes `<title>` text unescaped on the server,
/// and names come from users, so `<` is swapped for a look-alike that cannot end the
/// element.
fn page_title(page: String) -> String {
    let title = if page.is_empty() {
        "Outrival".to_string()
    } else {
        format!("{page} · Outrival")
    };
    title.replace('<', "‹")
}

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Only islands hydrate: data loaded outside them is not sent to the browser again.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    preload::provide_chunk_hints(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.ico"/>
                <preload::IslandScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: every URL is on this screen.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/outrival.css"/>
        <Title formatter=page_title/>
        <Router>
            <Frame/>
        </Router>
    }
}

/// Everything inside the router: the top bar and the routes. Pages are rendered on
/// the server only; the parts of a page that answer input in place are islands (see
/// `preload`), and every link loads the next page from the server.
#[component]
fn Frame() -> impl IntoView {
    view! {
            <TopBar/>
            <main id="main" class="container">
                <Routes fallback=not_found::NotFound>
                    <Route path=path!("/") view=dashboard::DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=auth::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view=auth::SignupPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=account::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/search") view=search::SearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/competitors") view=competitors::list::CompetitorsPage ssr=SsrMode::Async/>
                    <Route path=path!("/competitors/new") view=competitors::form::NewCompetitorPage ssr=SsrMode::Async/>
                    <Route path=path!("/competitors/:id") view=competitors::detail::CompetitorPage ssr=SsrMode::Async/>
                    <Route path=path!("/competitors/:id/edit") view=competitors::form::EditCompetitorPage ssr=SsrMode::Async/>
                    <Route path=path!("/competitors/:id/sources/snapshots/:snap") view=competitors::snapshot::SnapshotPage ssr=SsrMode::Async/>
                    <Route path=path!("/cards/:id") view=cards::rep::RepViewPage ssr=SsrMode::Async/>
                    <Route path=path!("/cards/:id/edit") view=cards::editor::EditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/cards/:id/history") view=cards::history::HistoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/cards/:id/drafts/:draft") view=cards::draft::DraftPage ssr=SsrMode::Async/>
                    <Route path=path!("/jobs") view=jobs::JobsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=admin::users::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/invitations") view=admin::invitations::InvitationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=admin::audit::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/ai") view=admin::ai::AiAdminPage ssr=SsrMode::Async/>
                </Routes>
            </main>
    }
}

/// Readies the page for its islands (called once, before they hydrate).
///
/// - A server function's redirect (after signing in, say) loads the new page: islands
///   have no client-side router to do it.
/// - A form sent before the script loaded, and refused, comes back with the error in
///   the address (`__err`, `__path`); the server rendered it at the form, and the form's
///   island starts with it too.
#[cfg(feature = "hydrate")]
pub fn start_islands() {
    let _ = leptos::server_fn::redirect::set_redirect_hook(|location: &str| {
        let _ = window().location().set_href(location);
    });
    let search = window().location().search().unwrap_or_default();
    if let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) {
        if let (Some(err), Some(path)) = (params.get("__err"), params.get("__path")) {
            provide_context(leptos::server::ServerActionError::new(&path, &err));
        }
    }
}
