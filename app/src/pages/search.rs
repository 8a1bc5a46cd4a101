//! Search results: competitors, cards, sections and objections, best first, with the
//! matching words highlighted.
use crate::pages::query_param;
use domain::types::{SearchHit, HIT_END, HIT_START};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::search::search;
use crate::components::error::ErrorPanel;
use crate::pages::competitors::detail::StatusBadge;

#[component]
pub fn SearchPage() -> impl IntoView {
    let q = query_param("q");
    view! {
        <Title text="Search"/>
        <div class="page-head"><h1>"Search"</h1></div>
        <form method="get" action="/search" class="search search-page" role="search">
            <label for="search-page-q" class="visually-hidden">"Search"</label>
            <input id="search-page-q" type="search" name="q" value=q.clone() maxlength="200"
                placeholder="Competitors, cards, objections…"/>
            <button type="submit" class="button primary">"Search"</button>
        </form>
        <Suspense fallback=|| view! { <p class="muted">"Searching…"</p> }>
            {Suspend::new(async move {
                match search(q).await {
                    Ok(r) if r.query.trim().is_empty() => view! {
                        <p class="muted">"Type a competitor, a phrase from a card, or an objection."</p>
                    }.into_any(),
                    Ok(r) if r.hits.is_empty() => view! {
                        <section class="panel empty"><p>{format!("Nothing matches “{}”.", r.query)}</p>
                        <p class="muted small">"Try fewer or shorter words; the start of a word is enough."</p></section>
                    }.into_any(),
                    Ok(r) => view! {
                        <p class="muted" role="status">{format!("{} result{} for “{}”", r.hits.len(), if r.hits.len() == 1 { "" } else { "s" }, r.query)}</p>
                        <ol class="hits">{r.hits.into_iter().map(|hit| view! { <Hit hit/> }).collect_view()}</ol>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Hit(hit: SearchHit) -> impl IntoView {
    view! {
        <li class="hit">
            <p class="muted small">{hit.label.clone()}{hit.status.map(|s| view! { " " <StatusBadge status=s/> })}</p>
            <h2><a href=hit.url.clone()><Marked text=hit.title.clone()/></a></h2>
            {(!hit.snippet.is_empty()).then(|| view! { <p class="snippet"><Marked text=hit.snippet.clone()/></p> })}
        </li>
    }
}

/// Text with the search engine's markers turned into `<mark>` — every piece is
/// still escaped text; only the markers become elements.
#[component]
fn Marked(text: String) -> impl IntoView {
    let markers: Vec<char> = text
        .chars()
        .filter(|c| *c == HIT_START || *c == HIT_END)
        .collect();
    let mut pieces = text.split([HIT_START, HIT_END]);
    let mut out = vec![(false, pieces.next().unwrap_or_default().to_string())];
    for (marker, piece) in markers.into_iter().zip(pieces) {
        out.push((marker == HIT_START, piece.to_string()));
    }
    out.into_iter()
        .filter(|(_, t)| !t.is_empty())
        .map(|(m, t)| {
            if m {
                view! { <mark>{t}</mark> }.into_any()
            } else {
                t.into_any()
            }
        })
        .collect_view()
}
