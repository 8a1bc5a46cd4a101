//! The dashboard: figures the database holds today, and your recent activity.
use domain::types::{DashboardFigures, Role};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dashboard::load_dashboard;
use crate::components::error::ErrorPanel;
use crate::components::format::{audit_action_label, format_time};
use crate::me;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                let viewer = me();
                match load_dashboard().await {
                    Ok(f) => {
                        let is_admin = viewer.as_ref().is_some_and(|v| v.role == Role::Admin);
                        let name = viewer.map(|v| v.name).unwrap_or_default();
                        view! { <Dashboard figures=f is_admin name/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Dashboard(figures: DashboardFigures, is_admin: bool, name: String) -> impl IntoView {
    let last_login = figures
        .my_last_login_at
        .map(format_time)
        .unwrap_or_else(|| "—".into());
    let roles = figures
        .users_by_role
        .iter()
        .map(|(role, n)| format!("{n} {}", role.label().to_lowercase()))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <div class="page-head">
            <h1>{format!("Welcome, {name}")}</h1>
            <p class="muted">{format!("Last sign-in: {last_login}")}</p>
        </div>
        <section class="stats" aria-label="Figures">
            <article class="stat" data-stat="users">
                <h2>"People"</h2>
                <p class="stat-value">{figures.users_total}</p>
                <p class="muted small">{roles}</p>
            </article>
            <article class="stat" data-stat="sign-ins">
                <h2>"Sign-ins, last 7 days"</h2>
                <p class="stat-value">{figures.sign_ins_last_7_days}</p>
            </article>
            {is_admin.then(|| view! {
                <article class="stat" data-stat="failed-sign-ins">
                    <h2>"Failed sign-ins, last 7 days"</h2>
                    <p class="stat-value">{figures.failed_sign_ins_last_7_days}</p>
                </article>
                <article class="stat" data-stat="invitations">
                    <h2>"Pending invitations"</h2>
                    <p class="stat-value">{figures.invitations_pending}</p>
                    <p class="muted small"><a href="/admin/invitations">"Manage invitations"</a></p>
                </article>
                <article class="stat" data-stat="disabled">
                    <h2>"Disabled accounts"</h2>
                    <p class="stat-value">{figures.users_disabled}</p>
                    <p class="muted small">
                        {format!("Sign-up is {}", if figures.signup_mode == domain::types::SignupMode::Open { "open" } else { "by invitation" })}
                    </p>
                </article>
            })}
        </section>
        <section class="panel">
            <h2>"Your recent activity"</h2>
            {if figures.recent_activity.is_empty() {
                view! { <p class="muted">"Nothing yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="activity">
                        {figures.recent_activity.into_iter().map(|entry| view! {
                            <li>
                                <span class="activity-what">{audit_action_label(&entry.action)}</span>
                                {entry.detail.map(|d| view! { <span class="muted">{format!(" · {d}")}</span> })}
                                <time class="muted small">{format_time(entry.at)}</time>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
