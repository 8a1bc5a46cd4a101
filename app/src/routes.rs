//! Every page as a lazily loaded route. Built with `cargo leptos build --split`, the
//! browser bundle keeps only what every page needs (the reactive system, the router,
//! the top bar and live updates); each page's own code is a WASM chunk that the
//! browser fetches when the page is first shown, by a deep link (during hydration) or
//! by in-app navigation. Code that several pages share goes into shared chunks that
//! load with the first page needing them. On the server nothing is split.
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages::{account, admin, auth, cards, competitors, dashboard, jobs, search};

/// Declares one lazily loaded route per page component. A page loads its own data (its
/// resources start when the component runs), so the route data is empty.
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        #[doc = concat!("The route showing `", stringify!($page), "`, loaded on first use.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                untrack(|| $page().into_any())
            }
        }
    )*};
}

lazy_pages! {
    Dashboard => dashboard::DashboardPage,
    Login => auth::LoginPage,
    Signup => auth::SignupPage,
    Account => account::AccountPage,
    Search => search::SearchPage,
    Competitors => competitors::list::CompetitorsPage,
    NewCompetitor => competitors::form::NewCompetitorPage,
    Competitor => competitors::detail::CompetitorPage,
    EditCompetitor => competitors::form::EditCompetitorPage,
    Snapshot => competitors::snapshot::SnapshotPage,
    RepView => cards::rep::RepViewPage,
    Editor => cards::editor::EditorPage,
    History => cards::history::HistoryPage,
    Draft => cards::draft::DraftPage,
    Jobs => jobs::JobsPage,
    Users => admin::users::UsersPage,
    Invitations => admin::invitations::InvitationsPage,
    Audit => admin::audit::AuditPage,
    AiAdmin => admin::ai::AiAdminPage,
}
