//! Creating and editing a competitor. Plain forms that also work before the page's
//! script has loaded; on success the server sends the browser to the competitor page.
use crate::pages::route_param;
use domain::types::competitor_limits as limits;
use domain::types::{Competitor, CompetitorId};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::competitors::{get_competitor, CreateCompetitor, UpdateCompetitor};
use crate::components::error::{ErrorPanel, FormAlert};
use crate::components::form::{last_error, Field, TextAreaField};
use crate::error::AppError;

#[component]
pub fn NewCompetitorPage() -> impl IntoView {
    let create = ServerAction::<CreateCompetitor>::new();
    let error = last_error(create.value());
    view! {
        <Title text="New competitor"/>
        <div class="page-head"><h1>"New competitor"</h1></div>
        <section class="panel form-panel">
            <FormAlert error/>
            <ActionForm action=create>
                <CompetitorFields error competitor=None/>
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=move || create.pending().get()>"Add competitor"</button>
                    <a class="button secondary" href="/competitors">"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn EditCompetitorPage() -> impl IntoView {
    let id = CompetitorId::from(route_param("id"));
    view! {
        <Title text="Edit competitor"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                match get_competitor(id).await {
                    Ok(c) => view! { <EditForm competitor=c/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(competitor: Competitor) -> impl IntoView {
    let update = ServerAction::<UpdateCompetitor>::new();
    let error = last_error(update.value());
    let back = format!("/competitors/{}", competitor.id);
    view! {
        <div class="page-head"><h1>{format!("Edit {}", competitor.name)}</h1></div>
        <section class="panel form-panel">
            <FormAlert error/>
            <ActionForm action=update>
                <input type="hidden" name="id" value=competitor.id.to_string()/>
                <CompetitorFields error competitor=Some(competitor)/>
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=move || update.pending().get()>"Save changes"</button>
                    <a class="button secondary" href=back>"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn CompetitorFields(
    error: Signal<Option<AppError>>,
    competitor: Option<Competitor>,
) -> impl IntoView {
    let (name, website, description, tags, keywords) = match competitor {
        Some(c) => (
            c.name,
            c.website,
            c.description,
            c.tags.join(", "),
            c.keywords.join("\n"),
        ),
        None => Default::default(),
    };
    view! {
        <div class="grid-2">
            <Field label="Name" name="name" error value=name maxlength=limits::NAME_MAX required=true/>
            <Field label="Website" name="website" error value=website maxlength=limits::WEBSITE_MAX
                hint="For example acme.com"/>
        </div>
        <TextAreaField label="Description" name="description" error value=description
            maxlength=limits::DESCRIPTION_MAX rows=4 hint="Who they are and who they sell to. Markdown is not needed here."/>
        <Field label="Tags" name="tags" error value=tags hint="Separate with commas: enterprise, crm"/>
        <TextAreaField label="Monitoring keywords" name="keywords" error value=keywords rows=3
            hint="One per line or comma-separated: product names, executives, pricing terms to watch for."/>
    }
}
