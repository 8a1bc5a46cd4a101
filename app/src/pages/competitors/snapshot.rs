//! One stored snapshot of a source: the exact text citations point at. `?hl=START-END`
//! (character offsets) highlights the cited words and scrolls to them.
use domain::types::{SnapshotId, SnapshotView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::ai::SummariseSnapshot;
use crate::api::sources::read_snapshot;
use crate::components::error::ErrorPanel;
use crate::components::format::format_time;
use crate::components::job::JobProgress;
use crate::pages::cards::draft::ClaimItem;

/// The highlight range from `?hl=12-80`, if well formed.
fn highlight(query: Option<String>) -> Option<(usize, usize)> {
    let (a, b) = query?
        .split_once('-')
        .map(|(a, b)| (a.parse().ok(), b.parse().ok()))?;
    match (a, b) {
        (Some(a), Some(b)) if a < b => Some((a, b)),
        _ => None,
    }
}

#[component]
pub fn SnapshotPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| SnapshotId::from(params.read().get("snap").unwrap_or_default()));
    let range = Memo::new(move |_| highlight(query.read().get("hl")));
    let summarised = RwSignal::new(0u32);
    let snapshot = Resource::new(
        move || (id.get(), summarised.get()),
        |(id, _)| read_snapshot(id),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match snapshot.await {
                    Ok(s) => view! { <Snapshot snapshot=s range=range.get_untracked() summarised/> }.into_any(),
                    Err(error) => view! { <Title text="Snapshot"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Snapshot(
    snapshot: SnapshotView,
    range: Option<(usize, usize)>,
    summarised: RwSignal<u32>,
) -> impl IntoView {
    let s = snapshot;
    let chars: Vec<char> = s.text.chars().collect();
    let range = range.map(|(a, b)| (a.min(chars.len()), b.min(chars.len())));
    let body = match range {
        Some((a, b)) if a < b => {
            let before: String = chars[..a].iter().collect();
            let cited: String = chars[a..b].iter().collect();
            let after: String = chars[b..].iter().collect();
            view! { {before}<mark id="cited">{cited}</mark>{after} }.into_any()
        }
        _ => view! { {s.text.clone()} }.into_any(),
    };
    #[cfg(feature = "hydrate")]
    if range.is_some() {
        request_animation_frame(|| {
            if let Some(mark) = document().get_element_by_id("cited") {
                mark.scroll_into_view();
            }
        });
    }
    let title = if s.title.is_empty() {
        s.url.clone()
    } else {
        s.title.clone()
    };
    let competitor_href = format!("/competitors/{}", s.competitor_id);
    view! {
        <Title text=format!("Snapshot: {title}")/>
        <p class="crumbs"><a href=competitor_href>{s.competitor_name.clone()}</a>" · Sources"</p>
        <div class="page-head">
            <h1>{title}</h1>
        </div>
        <dl class="facts small">
            {(!s.url.is_empty()).then(|| view! {
                <dt>"Address"</dt>
                <dd><a href=s.final_url.clone() rel="noopener noreferrer nofollow" target="_blank">{s.final_url.clone()}</a></dd>
            })}
            <dt>{if s.url.is_empty() { "Written" } else { "Fetched" }}</dt>
            <dd>{format_time(s.fetched_at)}{s.http_status.map(|c| format!(" · HTTP {c}"))}</dd>
            <dt>"SHA-256"</dt>
            <dd><code class="hash">{s.content_hash.clone()}</code></dd>
        </dl>
        {(!s.latest).then(|| view! {
            <p class="notice small">"An older snapshot: the source has been fetched again since. Citations keep pointing here."</p>
        })}
        <Summary snapshot=s.clone() summarised/>
        {range.is_some().then(|| view! { <p class="muted small">"The cited words are highlighted."</p> })}
        <pre class="snapshot-text">{body}</pre>
    }
}

/// The AI summary of this snapshot, each point checked against the text below; editors
/// can ask for one (or a new one).
#[component]
fn Summary(snapshot: SnapshotView, summarised: RwSignal<u32>) -> impl IntoView {
    let summarise = ServerAction::<SummariseSnapshot>::new();
    let error = crate::components::form::last_error(summarise.value());
    let on_finish = Callback::new(move |_| summarised.update(|n| *n += 1));
    let id = snapshot.id.clone();
    let has_summary = !snapshot.summary.is_empty();
    let editor = snapshot.can_edit;
    (has_summary || editor).then(|| view! {
        <section class="panel" aria-labelledby="summary-heading">
            <h2 id="summary-heading">"Summary"</h2>
            {if has_summary {
                view! {
                    <ul class="claims">
                        {snapshot.summary_claims.clone().into_iter().map(|c| view! {
                            <ClaimItem claim=c competitor=snapshot.competitor_id.clone()/>
                        }).collect_view()}
                    </ul>
                }.into_any()
            } else {
                view! { <p class="muted small">"No summary yet."</p> }.into_any()
            }}
            <crate::components::error::FormAlert error/>
            {editor.then(|| view! {
                <button type="button" class="button secondary" disabled=move || summarise.pending().get()
                    on:click=move |_| { summarise.dispatch(SummariseSnapshot { snapshot_id: id.clone(), regenerate: Some(has_summary) }); }>
                    {if has_summary { "Summarise again" } else { "Summarise with AI" }}
                </button>
            })}
            {move || summarise.value().get().and_then(Result::ok).map(|job| view! {
                <JobProgress job on_finish link_text="Show"/>
            })}
        </section>
    })
}
