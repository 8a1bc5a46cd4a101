//! The audit log, newest first.
use leptos::prelude::*;
use leptos_meta::Title;

use super::page_param;
use crate::api::admin::audit_log;
use crate::components::error::ErrorPanel;
use crate::components::format::{audit_action_label, format_time};
use crate::components::guard::AdminOnly;
use crate::components::pager::Pager;

#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <AdminOnly><Audit/></AdminOnly> }
}

#[component]
fn Audit() -> impl IntoView {
    let page = page_param();
    view! {
        <Title text="Audit log"/>
        <div class="page-head">
            <h1>"Audit log"</h1>
            <p class="muted">"Sign-ins, sign-outs, password, role and account changes."</p>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                match audit_log(page).await {
                    Ok(list) => {
                        let page_count = list.page_count();
                        view! {
                            <div class="table-wrap">
                                <table class="data responsive">
                                    <thead><tr>
                                        <th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"Who"</th>
                                        <th scope="col">"Subject"</th><th scope="col">"From"</th><th scope="col">"Detail"</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.items.into_iter().map(|e| view! {
                                            <tr data-action=e.action.clone()>
                                                <td data-label="When">{format_time(e.at)}</td>
                                                <td data-label="What">{audit_action_label(&e.action)}</td>
                                                <td data-label="Who">{e.actor.unwrap_or_else(|| "—".into())}</td>
                                                <td data-label="Subject">{e.subject.unwrap_or_else(|| "—".into())}</td>
                                                <td data-label="From">{e.ip.unwrap_or_else(|| "—".into())}</td>
                                                <td data-label="Detail">{e.detail.unwrap_or_default()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager base="/admin/audit" page=list.page page_count total=list.total noun=("entry", "entries")/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
