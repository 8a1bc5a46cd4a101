//! How a failure looks on a page: a sentence, what to do next, and a reference.
use leptos::prelude::*;

use crate::error::{AppError, ErrorCode};

/// A failed load, shown in place of the content it was for.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let title = match error.code {
        ErrorCode::Unauthenticated => "Your session has ended",
        ErrorCode::Forbidden => "You do not have access to this page",
        ErrorCode::NotFound => "Not found",
        ErrorCode::Unavailable => "Outrival is unreachable",
        _ => "Something went wrong",
    };
    let sign_in = (error.code == ErrorCode::Unauthenticated)
        .then(|| view! { <p><a class="button" href="/login">"Sign in again"</a></p> });
    view! {
        <section class="panel error-panel" role="alert">
            <h2>{title}</h2>
            <p>{error.message.clone()}</p>
            {sign_in}
            <RequestRef request_id=error.request_id.clone()/>
        </section>
    }
}

/// The request id, for quoting to an admin.
#[component]
pub fn RequestRef(request_id: Option<String>) -> impl IntoView {
    request_id.map(|id| {
        view! { <p class="muted small">"Reference: " <code class="request-id">{id}</code></p> }
    })
}

/// A form-level message above the fields (e.g. wrong password, locked out).
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| e.code != ErrorCode::Validation || e.fields.is_empty())
            .map(|e| {
                view! {
                    <div class="alert alert-error" role="alert">
                        <p>{e.message.clone()}</p>
                        <RequestRef request_id=e.request_id.clone()/>
                    </div>
                }
            })
    }
}
