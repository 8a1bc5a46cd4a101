//! The competitor list: search, tag filter, sort, archived, pages.
use domain::types::{CompetitorList, CompetitorSort, Role};
use leptos::prelude::*;
use leptos_meta::Title;

use super::{host, Initials};
use crate::api::competitors::list_competitors;
use crate::components::error::ErrorPanel;
use crate::components::format::format_date;
use crate::components::pager::Pager;
use crate::me;
use crate::pages::{page_param, query_param, urlencode};

#[component]
pub fn CompetitorsPage() -> impl IntoView {
    let (q, tag, sort) = (query_param("q"), query_param("tag"), query_param("sort"));
    let archived = query_param("archived");
    let page = page_param();
    let editor = me().is_some_and(|v| v.role.at_least(Role::Editor));
    view! {
        <Title text="Competitors"/>
        <div class="page-head">
            <h1>"Competitors"</h1>
            {editor.then(|| view! { <a class="button primary" href="/competitors/new">"New competitor"</a> })}
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                let keep = keep_params(&q, &tag, &sort, &archived);
                let (sort_by, archived) = (CompetitorSort::parse(&sort), archived == "true");
                match list_competitors(q.clone(), tag.clone(), sort, archived, page).await {
                    Ok(list) => view! {
                        <Filters list=list.clone() q tag sort=sort_by archived/>
                        <Results list keep/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn keep_params(q: &str, tag: &str, sort: &str, archived: &str) -> String {
    [
        ("q", q),
        ("tag", tag),
        ("sort", sort),
        ("archived", archived),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}&", urlencode(v)))
    .collect()
}

#[component]
fn Filters(
    list: CompetitorList,
    q: String,
    tag: String,
    sort: CompetitorSort,
    archived: bool,
) -> impl IntoView {
    view! {
        <form method="get" action="/competitors" class="filters" role="search" aria-label="Filter competitors">
            <div class="field">
                <label for="competitor-q">"Search"</label>
                <input id="competitor-q" type="search" name="q" value=q maxlength="100" placeholder="Name, description or tag"/>
            </div>
            <div class="field">
                <label for="competitor-tag">"Tag"</label>
                <select id="competitor-tag" name="tag">
                    <option value="" selected=tag.is_empty()>"All tags"</option>
                    {list.tags.into_iter().map(|t| {
                        let selected = t == tag.to_lowercase();
                        view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="competitor-sort">"Sort by"</label>
                <select id="competitor-sort" name="sort">
                    {CompetitorSort::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=s == sort>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <label class="checkbox">
                <input type="checkbox" name="archived" value="true" checked=archived/>
                "Archived"
            </label>
            <button type="submit" class="button secondary">"Apply"</button>
        </form>
    }
}

#[component]
fn Results(list: CompetitorList, keep: String) -> impl IntoView {
    let page = list.page;
    let page_count = page.page_count();
    if page.items.is_empty() {
        return view! {
            <section class="panel empty">
                <p>"No competitors match."</p>
                <p class="muted small">"Clear the filters, or add a competitor to start a battlecard."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <ul class="competitor-grid">
            {page.items.into_iter().map(|row| {
                let c = row.competitor;
                let href = format!("/competitors/{}", c.id);
                let cards = match row.cards { 1 => "1 battlecard".to_string(), n => format!("{n} battlecards") };
                view! {
                    <li class="competitor-tile">
                        <Initials competitor=c.clone()/>
                        <div class="tile-body">
                            <h2><a href=href>{c.name.clone()}</a></h2>
                            {(!c.website.is_empty()).then(|| view! { <p class="muted small">{host(&c.website)}</p> })}
                            <p class="tags">{c.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</p>
                            <p class="muted small">{cards}" · updated "{format_date(c.updated_at)}
                                {c.archived.then_some(" · archived")}</p>
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
        <Pager base="/competitors" keep page=page.page page_count total=page.total noun=("competitor", "competitors")/>
    }
    .into_any()
}
