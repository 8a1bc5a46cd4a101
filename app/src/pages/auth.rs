//! Sign-in and sign-up. Both are plain HTML forms that work before (or without) the
//! WASM bundle; sign-up becomes an in-page submission once its island has loaded.
use domain::types::{limits, Role, SignupContext, SignupMode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{load_signup_context, Login, Signup};
use crate::components::error::{ErrorPanel, FormAlert};
use crate::components::form::{last_error, Field};
use crate::preload::ChunkHints;

#[component]
pub fn LoginPage() -> impl IntoView {
    let next = use_query_map()
        .read_untracked()
        .get("next")
        .unwrap_or_default();
    view! {
        <Title text="Sign in"/>
        <section class="auth-card">
            <h1>"Sign in"</h1>
            <p class="muted">"Battlecards, competitor intelligence and what wins deals."</p>
            <LoginForm next/>
            <p class="muted center">"No account yet? " <a href="/signup">"Create one"</a></p>
        </section>
    }
}

/// The sign-in form; `next` is where to go after signing in. A plain form: the server
/// answers with the next page, or with this one showing the error and the email.
#[component]
fn LoginForm(next: String) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = last_error(login.value());
    view! {
            <FormAlert error/>
            <ActionForm action=login>
                <input type="hidden" name="next" value=next/>
                <Field label="Email" name="email" kind="email" error autocomplete="username"
                    maxlength=limits::EMAIL_MAX required=true/>
                <Field label="Password" name="password" kind="password" error
                    autocomplete="current-password" maxlength=limits::PASSWORD_MAX required=true/>
                <button type="submit" class="button primary block" disabled=move || login.pending().get()>
                    {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let invite = use_query_map().read_untracked().get("invite");
    view! {
        <Title text="Create your account"/>
        <section class="auth-card">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {Suspend::new(async move {
                    match load_signup_context(invite.clone()).await {
                        Ok(ctx) => view! { <ChunkHints island="signup_form"/><SignupForm ctx token=invite/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The sign-up form for what `ctx` allows, with the invitation `token` from the link.
#[island(lazy)]
fn SignupForm(ctx: SignupContext, token: Option<String>) -> impl IntoView {
    let signup = ServerAction::<Signup>::new();
    let error = last_error(signup.value());
    let (heading, intro) = if ctx.first_user {
        (
            "Set up Outrival",
            "You are creating the first account. It becomes the administrator.".to_string(),
        )
    } else if let Some(inv) = &ctx.invitation {
        (
            "Join your team",
            format!("You have been invited as {}.", with_article(inv.role)),
        )
    } else if ctx.mode == SignupMode::Open {
        (
            "Create your account",
            "New accounts start as viewers; an admin can change that.".to_string(),
        )
    } else {
        (
            "Create your account",
            "Sign-up is by invitation. Paste the code from your invitation link below.".to_string(),
        )
    };
    let invalid_link =
        token.as_deref().is_some_and(|t| !t.trim().is_empty()) && ctx.invitation.is_none();
    let show_invite = !ctx.first_user && (ctx.mode == SignupMode::Invite || token.is_some());
    let invited_email = ctx.invitation.as_ref().and_then(|i| i.email.clone());
    let email_locked = invited_email.is_some();
    view! {
        <h1>{heading}</h1>
        <p class="muted">{intro}</p>
        {invalid_link.then(|| view! {
            <div class="alert alert-error" role="alert">
                <p>"This invitation link is invalid, expired or already used. Ask an admin for a new one."</p>
            </div>
        })}
        <FormAlert error/>
        <ActionForm action=signup>
            <Field label="Your name" name="name" error autocomplete="name" maxlength=limits::NAME_MAX required=true/>
            <Field label="Email" name="email" kind="email" error autocomplete="username"
                maxlength=limits::EMAIL_MAX required=true value=invited_email.unwrap_or_default() readonly=email_locked/>
            <Field label="Password" name="password" kind="password" error autocomplete="new-password"
                maxlength=limits::PASSWORD_MAX required=true
                hint="At least 12 characters. Not your email, not a common password."/>
            <Field label="Repeat password" name="password_confirm" kind="password" error
                autocomplete="new-password" maxlength=limits::PASSWORD_MAX required=true/>
            {if show_invite {
                view! {
                    <Field label="Invitation code" name="invite" error value=token.clone().unwrap_or_default()
                        autocomplete="off" maxlength=200 hint="The part after invite= in your invitation link."/>
                }.into_any()
            } else {
                view! { <input type="hidden" name="invite" value=token.clone().unwrap_or_default()/> }.into_any()
            }}
            <button type="submit" class="button primary block" disabled=move || signup.pending().get()>
                {move || if signup.pending().get() { "Creating your account…" } else { "Create account" }}
            </button>
        </ActionForm>
        <p class="muted center">"Already have an account? " <a href="/login">"Sign in"</a></p>
    }
}

fn with_article(role: Role) -> String {
    match role {
        Role::Admin => "an admin".into(),
        Role::Editor => "an editor".into(),
        Role::Viewer => "a viewer".into(),
    }
}
