//! Your account: who you are, and changing your password.
use domain::types::limits;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::ChangePassword;
use crate::components::error::FormAlert;
use crate::components::form::{last_error, Field};
use crate::me;
use crate::preload::ChunkHints;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account"/>
        <div class="page-head"><h1>"Your account"</h1></div>
        <div class="columns">
            <section class="panel">
                <h2>"Profile"</h2>
                {me().map(|user| view! {
                    <dl class="facts">
                        <dt>"Name"</dt><dd>{user.name}</dd>
                        <dt>"Email"</dt><dd>{user.email}</dd>
                        <dt>"Role"</dt><dd>{user.role.label()}</dd>
                    </dl>
                })}
            </section>
            <ChunkHints island="change_password_form"/>
            <ChangePasswordForm/>
        </div>
    }
}

/// Changing the password; the form empties and says so when it worked.
#[island(lazy)]
fn ChangePasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = last_error(change.value());
    let done = move || matches!(change.value().get(), Some(Ok(())));
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if done() {
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    view! {
            <section class="panel">
                <h2>"Change password"</h2>
                <p class="muted small">"Changing it signs you out on every other device."</p>
                {move || done().then(|| view! {
                    <div class="alert alert-success" role="status">
                        <p>"Password changed. Your other sessions have been signed out."</p>
                    </div>
                })}
                <FormAlert error/>
                <ActionForm action=change node_ref=form>
                    <Field label="Current password" name="current_password" kind="password" error
                        autocomplete="current-password" maxlength=limits::PASSWORD_MAX required=true/>
                    <Field label="New password" name="new_password" kind="password" error
                        autocomplete="new-password" maxlength=limits::PASSWORD_MAX required=true
                        hint="At least 12 characters. Not your email, not a common password."/>
                    <Field label="Repeat new password" name="new_password_confirm" kind="password" error
                        autocomplete="new-password" maxlength=limits::PASSWORD_MAX required=true/>
                    <button type="submit" class="button primary" disabled=move || change.pending().get()>
                        "Change password"
                    </button>
                </ActionForm>
            </section>
    }
}
