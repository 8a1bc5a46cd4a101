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
pub mod routes;

use domain::types::Viewer;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

use crate::api::auth::{whoami, Logout};
use crate::components::layout::TopBar;
use crate::error::AppError;
use crate::pages::not_found;

/// Paths anyone may open without signing in. The server redirects every other page
/// to the sign-in form when there is no session.
pub const PUBLIC_PAGES: &[&str] = &["/login", "/signup"];

/// Whether `path` is a page that needs no sign-in.
pub fn is_public_page(path: &str) -> bool {
    PUBLIC_PAGES.contains(&path.trim_end_matches('/'))
}

/// The signed-in person for the whole page (refetched after sign-in and sign-out).
#[derive(Clone, Copy)]
pub struct Me(pub Resource<Result<Option<Viewer>, AppError>>);

impl Me {
    /// Reloads the signed-in person once `succeeded` turns true (after a sign-in).
    pub fn refetch_after(self, succeeded: impl Fn() -> bool + Send + Sync + 'static) {
        Effect::new(move |_| {
            if succeeded() {
                self.0.refetch();
            }
        });
    }
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
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.ico"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                <preload::ChunkPreloads/>
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

/// Everything inside the router: the top bar and the routes. Sign-in and sign-up
/// actions live in their pages, where `<Routes>` provides a plain-form error that
/// came back in the URL; after success they refetch `Me`.
#[component]
fn Frame() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    provide_context(logout);
    let me = Resource::new(move || logout.version().get(), |_| whoami());
    provide_context(Me(me));
    live::provide_live(move || matches!(me.get(), Some(Ok(Some(_)))));

    view! {
            <TopBar/>
            <live::Notifications/>
            <main id="main" class="container">
                <Routes fallback=not_found::NotFound>
                    <Route path=path!("/") view={Lazy::<routes::Dashboard>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/login") view={Lazy::<routes::Login>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view={Lazy::<routes::Signup>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/account") view={Lazy::<routes::Account>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/search") view={Lazy::<routes::Search>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/competitors") view={Lazy::<routes::Competitors>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/competitors/new") view={Lazy::<routes::NewCompetitor>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/competitors/:id") view={Lazy::<routes::Competitor>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/competitors/:id/edit") view={Lazy::<routes::EditCompetitor>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/competitors/:id/sources/snapshots/:snap") view={Lazy::<routes::Snapshot>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cards/:id") view={Lazy::<routes::RepView>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cards/:id/edit") view={Lazy::<routes::Editor>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cards/:id/history") view={Lazy::<routes::History>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cards/:id/drafts/:draft") view={Lazy::<routes::Draft>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/jobs") view={Lazy::<routes::Jobs>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view={Lazy::<routes::Users>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/invitations") view={Lazy::<routes::Invitations>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view={Lazy::<routes::Audit>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/ai") view={Lazy::<routes::AiAdmin>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
    }
}
