//! People: search, change roles, disable and re-enable, add someone directly.
use domain::types::{limits, UserSummary};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{page_param, role_options};
use crate::api::admin::{list_users, CreateUser, SetDisabled, SetRole};
use crate::components::error::{ErrorPanel, FormAlert};
use crate::components::form::{last_error, Field, SelectField};
use crate::components::format::{format_date, format_time};
use crate::components::guard::AdminOnly;
use crate::components::pager::Pager;
use crate::pages::urlencode;
use crate::preload::ChunkHints;

#[component]
pub fn UsersPage() -> impl IntoView {
    let q = use_query_map()
        .read_untracked()
        .get("q")
        .unwrap_or_default();
    let page = page_param();
    view! { <Title text="Users"/><AdminOnly><ChunkHints island="users"/><Users q=q.clone() page/></AdminOnly> }
}

/// The people list, the role and status forms on each row and the form to add someone,
/// all answering in place; `q` and `page` come from the address.
#[island(lazy)]
fn Users(q: String, page: u32) -> impl IntoView {
    let q = Memo::new(move |_| q.clone());
    let page = Memo::new(move |_| page);
    let set_role = ServerAction::<SetRole>::new();
    let set_disabled = ServerAction::<SetDisabled>::new();
    let create = ServerAction::<CreateUser>::new();
    let users = Resource::new(
        move || {
            (
                q.get(),
                page.get(),
                set_role.version().get(),
                set_disabled.version().get(),
                create.version().get(),
            )
        },
        |(q, page, ..)| list_users(q, page),
    );
    let row_error = Signal::derive(move || {
        last_error(set_role.value())
            .get()
            .or_else(|| last_error(set_disabled.value()).get())
    });
    let create_error = last_error(create.value());
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <div class="page-head">
            <h1>"Users"</h1>
            <form method="get" action="/admin/users" class="search" role="search">
                <label for="user-search" class="visually-hidden">"Search people"</label>
                <input id="user-search" type="search" name="q" placeholder="Search by name or email"
                    value=move || q.get() maxlength="100"/>
                <button type="submit" class="button secondary">"Search"</button>
            </form>
        </div>
        <FormAlert error=row_error/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => {
                        let keep = if q.get_untracked().is_empty() { String::new() } else {
                            format!("q={}&", urlencode(&q.get_untracked()))
                        };
                        let page_count = list.page_count();
                        view! {
                            <div class="table-wrap">
                                <table class="data responsive">
                                    <thead><tr>
                                        <th scope="col">"Name"</th><th scope="col">"Email"</th>
                                        <th scope="col">"Role"</th><th scope="col">"Status"</th>
                                        <th scope="col">"Joined"</th><th scope="col">"Last sign-in"</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.items.into_iter().map(|u| view! { <UserRow user=u set_role set_disabled/> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager base="/admin/users" keep page=list.page page_count total=list.total noun=("person", "people")/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <section class="panel">
            <h2>"Add a person"</h2>
            <p class="muted small">"Creates the account now with a first password you hand over. To let people choose their own, send an "
                <a href="/admin/invitations">"invitation"</a>"."</p>
            {move || created().map(|u| view! {
                <div class="alert alert-success" role="status"><p>{format!("Added {} as {}.", u.email, u.role.label().to_lowercase())}</p></div>
            })}
            <FormAlert error=create_error/>
            <ActionForm action=create>
                <div class="grid-2">
                    <Field label="Name" name="name" error=create_error maxlength=limits::NAME_MAX required=true/>
                    <Field label="Email" name="email" kind="email" error=create_error maxlength=limits::EMAIL_MAX required=true/>
                    <SelectField label="Role" name="role" options=role_options() error=create_error selected="viewer".to_string()/>
                    <Field label="First password" name="password" kind="password" error=create_error
                        autocomplete="new-password" maxlength=limits::PASSWORD_MAX required=true/>
                </div>
                <button type="submit" class="button primary" disabled=move || create.pending().get()>"Add person"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    set_role: ServerAction<SetRole>,
    set_disabled: ServerAction<SetDisabled>,
) -> impl IntoView {
    let role_label = format!("Role for {}", user.email);
    let current = user.role;
    let (role_user_id, status_user_id) = (user.id.to_string(), user.id.to_string());
    view! {
        <tr data-user=user.email.clone()>
            <td data-label="Name">{user.name.clone()}</td>
            <td data-label="Email">{user.email.clone()}</td>
            <td data-label="Role">
                <ActionForm action=set_role>
                    <div class="inline-form">
                        <input type="hidden" name="user_id" value=role_user_id/>
                        <select name="role" aria-label=role_label>
                            {domain::types::Role::ALL.iter().map(|r| view! {
                                <option value=r.as_str() selected=*r == current>{r.label()}</option>
                            }).collect_view()}
                        </select>
                        <button type="submit" class="button secondary small">"Save"</button>
                    </div>
                </ActionForm>
            </td>
            <td data-label="Status">
                <ActionForm action=set_disabled>
                    <div class="inline-form">
                        <input type="hidden" name="user_id" value=status_user_id/>
                        <input type="hidden" name="disabled" value=if user.disabled { "false" } else { "true" }/>
                        <span class=if user.disabled { "badge badge-muted" } else { "badge badge-ok" }>
                            {if user.disabled { "Disabled" } else { "Active" }}
                        </span>
                        <button type="submit" class="button secondary small">
                            {if user.disabled { "Re-enable" } else { "Disable" }}
                        </button>
                    </div>
                </ActionForm>
            </td>
            <td data-label="Joined">{format_date(user.created_at)}</td>
            <td data-label="Last sign-in">{user.last_login_at.map(format_time).unwrap_or_else(|| "Never".into())}</td>
        </tr>
    }
}
