//! A competitor's sources: web pages (fetched on demand, refreshed with a button) and
//! pasted notes. Each opens its latest snapshot — the exact text AI drafts cite.
use domain::types::{source_limits, CompetitorId, SourceKind, SourceStatus, SourceView};
use leptos::prelude::*;

use super::host;
use crate::api::sources::{list_sources, AddNoteSource, AddUrlSource, RefreshSource, RemoveSource};
use crate::components::error::FormAlert;
use crate::components::form::{last_error, Field, TextAreaField};
use crate::components::format::format_time;
use crate::components::job::JobProgress;

/// The panel answers in place (adding, refreshing, removing, live fetch progress): an
/// island on the server-rendered competitor page.
#[island(lazy)]
pub fn SourcesPanel(competitor_id: CompetitorId, can_edit: bool) -> impl IntoView {
    let add_url = ServerAction::<AddUrlSource>::new();
    let add_note = ServerAction::<AddNoteSource>::new();
    let refresh = ServerAction::<RefreshSource>::new();
    let remove = ServerAction::<RemoveSource>::new();
    // A finished fetch changes a source's status: reload the list then.
    let finished = RwSignal::new(0u32);
    let sources = Resource::new(
        {
            let id = competitor_id.clone();
            move || {
                (
                    id.clone(),
                    add_url.version().get(),
                    add_note.version().get(),
                    refresh.version().get(),
                    remove.version().get(),
                    finished.get(),
                )
            }
        },
        |(id, ..)| list_sources(id),
    );
    let url_error = last_error(add_url.value());
    let note_error = last_error(add_note.value());
    let row_error = Signal::derive(move || {
        last_error(refresh.value())
            .get()
            .or_else(|| last_error(remove.value()).get())
    });
    let on_finish = Callback::new(move |_| finished.update(|n| *n += 1));
    // A form that worked is emptied for the next source.
    let url_form = NodeRef::<leptos::html::Form>::new();
    let note_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(add_url.value().get(), Some(Ok(_))) {
            if let Some(form) = url_form.get() {
                form.reset();
            }
        }
    });
    Effect::new(move |_| {
        if matches!(add_note.value().get(), Some(Ok(_))) {
            if let Some(form) = note_form.get() {
                form.reset();
            }
        }
    });
    view! {
        <section class="panel" aria-labelledby="sources-heading">
            <h2 id="sources-heading">"Sources"</h2>
            <p class="muted small">"Pages and notes the AI drafts from. Every fetch keeps a snapshot, so citations always point at the exact text."</p>
            <FormAlert error=row_error/>
            <Suspense fallback=|| view! { <p class="muted small">"Loading sources…"</p> }>
                {move || Suspend::new(async move {
                    match sources.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted small">"No sources yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="source-list">
                                {list.into_iter().map(|s| view! { <SourceRow source=s can_edit refresh remove on_finish/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="error-text small">{e.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {can_edit.then(|| {
                let (id, id_note) = (competitor_id.to_string(), competitor_id.to_string());
                view! {
                    <ActionForm action=add_url attr:class="source-add" node_ref=url_form>
                        <input type="hidden" name="competitor_id" value=id/>
                        <FormAlert error=url_error/>
                        <Field label="Add a web page" name="url" kind="url" error=url_error maxlength=source_limits::URL_MAX required=true
                            hint="For example their pricing or features page. Fetched once now; refresh it whenever you like."/>
                        <button type="submit" class="button secondary" disabled=move || add_url.pending().get()>"Add page"</button>
                    </ActionForm>
                    <details class="source-note">
                        <summary>"Paste a note instead"</summary>
                        <ActionForm action=add_note node_ref=note_form>
                            <input type="hidden" name="competitor_id" value=id_note/>
                            <FormAlert error=note_error/>
                            <Field label="Title" name="title" id="field-note-title" error=note_error maxlength=source_limits::TITLE_MAX required=true
                                hint="Where it came from, e.g. “Call notes, Globex deal”"/>
                            <TextAreaField label="Text" name="text" error=note_error rows=6/>
                            <button type="submit" class="button secondary" disabled=move || add_note.pending().get()>"Add note"</button>
                        </ActionForm>
                    </details>
                }
            })}
        </section>
    }
}

#[component]
fn SourceRow(
    source: SourceView,
    can_edit: bool,
    refresh: ServerAction<RefreshSource>,
    remove: ServerAction<RemoveSource>,
    on_finish: Callback<domain::types::JobState>,
) -> impl IntoView {
    let snapshot_href = source.snapshot_id.as_ref().map(|snap| {
        format!(
            "/competitors/{}/sources/snapshots/{snap}",
            source.competitor_id
        )
    });
    let title = if source.title.is_empty() {
        source.url.clone()
    } else {
        source.title.clone()
    };
    let (status_class, status_label) = match source.status {
        SourceStatus::Ready => ("badge status-published", "Ready"),
        SourceStatus::Pending => ("badge badge-muted", "Waiting"),
        SourceStatus::Error => ("badge status-error", "Failed"),
    };
    let detail = match (source.kind, source.fetched_at) {
        (SourceKind::Note, Some(at)) => {
            format!("Note · {} words · {}", source.words, format_time(at))
        }
        (SourceKind::Web, Some(at)) => format!(
            "{} · {} words · fetched {}",
            host(&source.url),
            source.words,
            format_time(at)
        ),
        (_, None) => host(&source.url),
    };
    let id = source.id.clone();
    let id_remove = source.id.clone();
    let is_web = source.kind == SourceKind::Web;
    let busy = source.job.as_ref().is_some_and(|j| !j.state.is_finished());
    view! {
        <li class="source" data-status=format!("{:?}", source.status).to_lowercase()>
            <div class="source-head">
                {match snapshot_href {
                    Some(href) => view! { <a href=href class="source-title">{title}</a> }.into_any(),
                    None => view! { <span class="source-title">{title}</span> }.into_any(),
                }}
                <span class=status_class>{status_label}</span>
            </div>
            <p class="muted small">{detail}</p>
            {source.last_error.clone().map(|e| view! { <p class="error-text small">{e}</p> })}
            {source.job.clone().filter(|j| !j.state.is_finished()).map(|job| view! {
                <JobProgress job on_finish link_text="Open the snapshot"/>
            })}
            {can_edit.then(|| view! {
                <div class="source-actions">
                    {(is_web && !busy).then(|| {
                        let id = id.clone();
                        view! { <button type="button" class="button secondary small" disabled=move || refresh.pending().get()
                            on:click=move |_| { refresh.dispatch(RefreshSource { id: id.clone() }); }>"Refresh"</button> }
                    })}
                    <button type="button" class="link-button small" disabled=move || remove.pending().get()
                        on:click=move |_| { remove.dispatch(RemoveSource { id: id_remove.clone() }); }>"Remove"</button>
                </div>
            })}
        </li>
    }
}
