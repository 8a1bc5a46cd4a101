//! Invitations and the sign-up policy.
use domain::types::{limits, InvitationState, SignupMode};
use leptos::prelude::*;
use leptos_meta::Title;

use super::{page_param, role_options};
use crate::api::admin::{
    get_account_settings, list_invitations, CreateInvitation, RevokeInvitation, SetSignupMode,
};
use crate::components::error::{ErrorPanel, FormAlert};
use crate::components::form::{last_error, Field, SelectField};
use crate::components::format::{format_date, format_time};
use crate::components::guard::AdminOnly;
use crate::components::pager::Pager;
use crate::preload::ChunkHints;

#[component]
pub fn InvitationsPage() -> impl IntoView {
    let page = page_param();
    view! { <Title text="Invitations"/><AdminOnly><ChunkHints island="invitations"/><Invitations page/></AdminOnly> }
}

/// Creating links (shown once), revoking them and the sign-up policy, all answering in
/// place; `page` comes from the address.
#[island(lazy)]
fn Invitations(page: u32) -> impl IntoView {
    let page = Memo::new(move |_| page);
    let create = ServerAction::<CreateInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let set_mode = ServerAction::<SetSignupMode>::new();
    let invitations = Resource::new(
        move || (page.get(), create.version().get(), revoke.version().get()),
        |(page, ..)| list_invitations(page),
    );
    let settings = Resource::new(move || set_mode.version().get(), |_| get_account_settings());
    let create_error = last_error(create.value());
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <div class="page-head"><h1>"Invitations"</h1></div>
        <div class="columns">
            <section class="panel">
                <h2>"Invite someone"</h2>
                <p class="muted small">"Create a link and send it to them. It works once and expires in 7 days."</p>
                {move || created().map(|inv| view! {
                    <div class="alert alert-success" role="status">
                        <p>{format!("Invitation created for {}. Send this link:", inv.email.clone().unwrap_or_else(|| "anyone with the link".into()))}</p>
                        <label class="visually-hidden" for="invite-link">"Invitation link"</label>
                        <input id="invite-link" class="copy-field" readonly value=inv.link.clone()/>
                    </div>
                })}
                <FormAlert error=create_error/>
                <ActionForm action=create>
                    <Field label="Email (optional)" name="email" kind="email" error=create_error
                        maxlength=limits::EMAIL_MAX hint="Only this address can use the link."/>
                    <SelectField label="Role" name="role" options=role_options() error=create_error selected="viewer".to_string()/>
                    <button type="submit" class="button primary" disabled=move || create.pending().get()>"Create invitation link"</button>
                </ActionForm>
            </section>
            <section class="panel">
                <h2>"Who may sign up"</h2>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match settings.await {
                            Ok(s) => view! {
                                <ActionForm action=set_mode>
                                    <fieldset class="choices">
                                        <legend class="visually-hidden">"Sign-up mode"</legend>
                                        <label><input type="radio" name="mode" value="invite" checked=s.signup_mode == SignupMode::Invite/>
                                            " By invitation only"</label>
                                        <label><input type="radio" name="mode" value="open" checked=s.signup_mode == SignupMode::Open/>
                                            " Anyone can sign up (as a viewer)"</label>
                                    </fieldset>
                                    <button type="submit" class="button secondary">"Save"</button>
                                </ActionForm>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
        <section class="panel">
            <h2>"All invitations"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match invitations.await {
                        Ok(list) => {
                            let page_count = list.page_count();
                            view! {
                                <div class="table-wrap">
                                    <table class="data responsive">
                                        <thead><tr>
                                            <th scope="col">"For"</th><th scope="col">"Role"</th><th scope="col">"State"</th>
                                            <th scope="col">"Created"</th><th scope="col">"Expires"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                        </tr></thead>
                                        <tbody>
                                            {list.items.into_iter().map(|inv| {
                                                let pending = inv.state == InvitationState::Pending;
                                                view! {
                                                    <tr>
                                                        <td data-label="For">{inv.email.clone().unwrap_or_else(|| "Anyone with the link".into())}</td>
                                                        <td data-label="Role">{inv.role.label()}</td>
                                                        <td data-label="State">{inv.state.label()}</td>
                                                        <td data-label="Created">{format!("{} by {}", format_date(inv.created_at), inv.created_by)}</td>
                                                        <td data-label="Expires">{format_time(inv.expires_at)}</td>
                                                        <td>{pending.then(|| view! {
                                                            <ActionForm action=revoke>
                                                                <input type="hidden" name="id" value=inv.id.to_string()/>
                                                                <button type="submit" class="button secondary small">"Revoke"</button>
                                                            </ActionForm>
                                                        })}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <Pager base="/admin/invitations" page=list.page page_count total=list.total noun=("invitation", "invitations")/>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
