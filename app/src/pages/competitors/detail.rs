//! The competitor page: who they are, the battlecards about them, what to watch,
//! and what happened lately.
use crate::pages::route_param;
use domain::types::card_limits;
use domain::types::{BattlecardSummary, CardStatus, CompetitorDetail, CompetitorId};
use leptos::prelude::*;
use leptos_meta::Title;

use super::sources::SourcesPanel;
use super::{host, Initials};
use crate::api::cards::CreateCard;
use crate::api::competitors::{load_competitor, SetCompetitorArchived};
use crate::components::error::{ErrorPanel, FormAlert};
use crate::components::form::{last_error, Field};
use crate::components::format::{format_date, format_time};
use crate::preload::ChunkHints;

#[component]
pub fn CompetitorPage() -> impl IntoView {
    let id = CompetitorId::from(route_param("id"));
    // Archiving is a plain form: the page comes back with the new state (or the error).
    let archive = ServerAction::<SetCompetitorArchived>::new();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                match load_competitor(id).await {
                    Ok(d) => view! { <Detail detail=d archive/> }.into_any(),
                    Err(error) => view! { <Title text="Competitor"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(detail: CompetitorDetail, archive: ServerAction<SetCompetitorArchived>) -> impl IntoView {
    let c = detail.competitor.clone();
    let can_edit = detail.can_edit;
    let archive_error = last_error(archive.value());
    let edit_href = format!("/competitors/{}/edit", c.id);
    let new_card = (can_edit && !c.archived).then(|| c.id.clone());
    let sources_for = c.id.clone();
    let description = (!c.description.is_empty()).then(|| {
        c.description
            .split("\n\n")
            .map(|p| view! { <p>{p.to_string()}</p> })
            .collect_view()
    });
    view! {
        <Title text=c.name.clone()/>
        <p class="crumbs"><a href="/competitors">"Competitors"</a></p>
        <div class="page-head competitor-head">
            <div class="competitor-title">
                <Initials competitor=c.clone()/>
                <div>
                    <h1>{c.name.clone()}{c.archived.then(|| view! { <span class="badge badge-muted">"Archived"</span> })}</h1>
                    {(!c.website.is_empty()).then(|| view! {
                        <a class="muted" href=c.website.clone() rel="noopener noreferrer nofollow" target="_blank">{host(&c.website)}</a>
                    })}
                </div>
            </div>
            {can_edit.then(|| view! {
                <div class="head-actions">
                    <a class="button secondary" href=edit_href>"Edit"</a>
                    <ActionForm action=archive>
                        <input type="hidden" name="id" value=c.id.to_string()/>
                        <input type="hidden" name="archived" value=if c.archived { "false" } else { "true" }/>
                        <button type="submit" class="button secondary">{if c.archived { "Restore" } else { "Archive" }}</button>
                    </ActionForm>
                </div>
            })}
        </div>
        <FormAlert error=archive_error/>
        {description.map(|d| view! { <section class="prose description">{d}</section> })}
        {(!c.tags.is_empty()).then(|| view! {
            <p class="tags">{c.tags.iter().map(|t| view! { <a class="tag" href=format!("/competitors?tag={}", crate::pages::urlencode(&t.to_lowercase()))>{t.clone()}</a> }).collect_view()}</p>
        })}
        <div class="detail-grid">
            <section class="panel" aria-labelledby="cards-heading">
                <h2 id="cards-heading">"Battlecards"</h2>
                <CardList cards=detail.cards.clone() can_edit/>
                {new_card.map(|competitor_id| view! { <NewCard competitor_id/> })}
            </section>
            <div class="side">
                <ChunkHints island="sources_panel"/>
                <SourcesPanel competitor_id=sources_for can_edit=can_edit && !c.archived/>
                <section class="panel" aria-labelledby="watch-heading">
                    <h2 id="watch-heading">"Website and keywords"</h2>
                    {if c.website.is_empty() && c.keywords.is_empty() {
                        view! { <p class="muted small">"No website or keywords yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain-list">
                                {(!c.website.is_empty()).then(|| view! {
                                    <li><span class="muted small">"Website "</span>
                                        <a href=c.website.clone() rel="noopener noreferrer nofollow" target="_blank">{c.website.clone()}</a></li>
                                })}
                            </ul>
                            {(!c.keywords.is_empty()).then(|| view! {
                                <p class="muted small">"Monitoring keywords"</p>
                                <p class="tags">{c.keywords.iter().map(|k| view! { <span class="tag tag-quiet">{k.clone()}</span> }).collect_view()}</p>
                            })}
                        }.into_any()
                    }}
                </section>
                <section class="panel" aria-labelledby="activity-heading">
                    <h2 id="activity-heading">"Recent activity"</h2>
                    {if detail.activity.is_empty() {
                        view! { <p class="muted small">"Nothing yet."</p> }.into_any()
                    } else {
                        view! {
                            <ol class="activity">
                                {detail.activity.into_iter().map(|a| view! {
                                    <li>
                                        <p><strong>{a.actor}</strong>" "{a.action}</p>
                                        {(!a.detail.is_empty()).then(|| view! { <p class="small">{a.detail}</p> })}
                                        <p class="muted small">{format_time(a.at)}</p>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }}
                </section>
            </div>
        </div>
    }
}

/// A status badge for a card.
#[component]
pub fn StatusBadge(status: CardStatus) -> impl IntoView {
    view! { <span class=format!("badge status-{}", status.as_str())>{status.label()}</span> }
}

#[component]
fn CardList(cards: Vec<BattlecardSummary>, can_edit: bool) -> impl IntoView {
    if cards.is_empty() {
        return view! { <p class="muted">"No battlecards yet."</p> }.into_any();
    }
    view! {
        <ul class="card-list">
            {cards.into_iter().map(|card| {
                let href = if can_edit { format!("/cards/{}/edit", card.id) } else { format!("/cards/{}", card.id) };
                let read = (can_edit && card.published_version.is_some() && card.status != CardStatus::Archived)
                    .then(|| format!("/cards/{}", card.id));
                let live_note = match (card.status, card.published_version) {
                    (CardStatus::Draft | CardStatus::InReview, Some(v)) => Some(format!("Version {v} is live")),
                    _ => None,
                };
                view! {
                    <li>
                        <div>
                            <a class="card-link" href=href>{card.title.clone()}</a>
                            {(!card.summary.is_empty()).then(|| view! { <p class="muted small">{card.summary.clone()}</p> })}
                            <p class="muted small">
                                {can_edit.then(|| view! { <StatusBadge status=card.status/>" " })}
                                {live_note.map(|n| format!("{n} · "))}
                                {format!("updated {} by {}", format_date(card.updated_at), card.updated_by)}
                            </p>
                        </div>
                        {read.map(|r| view! { <a class="button secondary small" href=r>"Rep view"</a> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn NewCard(competitor_id: CompetitorId) -> impl IntoView {
    let create = ServerAction::<CreateCard>::new();
    let error = last_error(create.value());
    view! {
        <ActionForm action=create attr:class="new-card">
            <input type="hidden" name="competitor_id" value=competitor_id.to_string()/>
            <FormAlert error/>
            <Field label="New battlecard title" name="title" error maxlength=card_limits::TITLE_MAX required=true
                hint="For example: Acme for mid-market deals"/>
            <button type="submit" class="button primary" disabled=move || create.pending().get()>"Create battlecard"</button>
        </ActionForm>
    }
}
