//! One stored snapshot of a source: the exact text citations point at. `?hl=START-END`
//! (character offsets) highlights the cited words, marked `#cited` so that a link
//! ending in that fragment opens at them.
use domain::types::{Claim, CompetitorId, SnapshotId, SnapshotView};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::ai::SummariseSnapshot;
use crate::api::sources::read_snapshot;
use crate::components::error::ErrorPanel;
use crate::components::format::format_time;
use crate::components::job::JobProgress;
use crate::pages::cards::draft::ClaimItem;
use crate::pages::{query_param, route_param};
use crate::preload::ChunkHints;

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
    let id = SnapshotId::from(route_param("snap"));
    let range = highlight(Some(query_param("hl")));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                match read_snapshot(id).await {
                    Ok(s) => view! { <Snapshot snapshot=s range/> }.into_any(),
                    Err(error) => view! { <Title text="Snapshot"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Snapshot(snapshot: SnapshotView, range: Option<(usize, usize)>) -> impl IntoView {
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
        {(!s.summary.is_empty() || s.can_edit).then(|| view! {
            <ChunkHints island="summary"/>
            <Summary id=s.id.clone() competitor=s.competitor_id.clone() claims=s.summary_claims.clone() can_edit=s.can_edit/>
        })}
        {range.is_some().then(|| view! { <p class="muted small">"The cited words are highlighted."</p> })}
        <pre class="snapshot-text">{body}</pre>
    }
}

/// The AI summary of this snapshot, each point checked against the text below; editors
/// can ask for one (or a new one). When the job is done the page shows the new summary.
#[island(lazy)]
fn Summary(
    id: SnapshotId,
    competitor: CompetitorId,
    claims: Vec<Claim>,
    can_edit: bool,
) -> impl IntoView {
    let summarise = ServerAction::<SummariseSnapshot>::new();
    let error = crate::components::form::last_error(summarise.value());
    let on_finish = Callback::new(move |state| {
        #[cfg(feature = "hydrate")]
        if state == domain::types::JobState::Succeeded {
            let _ = window().location().reload();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = state;
    });
    let has_summary = !claims.is_empty();
    view! {
        <section class="panel" aria-labelledby="summary-heading">
            <h2 id="summary-heading">"Summary"</h2>
            {if has_summary {
                view! {
                    <ul class="claims">
                        {claims.into_iter().map(|c| view! {
                            <ClaimItem claim=c competitor=competitor.clone()/>
                        }).collect_view()}
                    </ul>
                }.into_any()
            } else {
                view! { <p class="muted small">"No summary yet."</p> }.into_any()
            }}
            <crate::components::error::FormAlert error/>
            {can_edit.then(|| view! {
                <button type="button" class="button secondary" disabled=move || summarise.pending().get()
                    on:click=move |_| { summarise.dispatch(SummariseSnapshot { snapshot_id: id.clone(), regenerate: Some(has_summary) }); }>
                    {if has_summary { "Summarise again" } else { "Summarise with AI" }}
                </button>
            })}
            {move || summarise.value().get().and_then(Result::ok).map(|job| view! {
                <JobProgress job on_finish link_text="Show"/>
            })}
        </section>
    }
}
