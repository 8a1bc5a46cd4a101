//! Reviewing an AI draft: every claim with its sources (hover or tap to see the quote,
//! follow it to the highlighted snapshot), which claims failed verification, how the
//! draft differs from the card, and Accept (a new version) or Discard. Rendered on the
//! server only: Accept and Discard are plain forms, answered by the page again.
use crate::pages::route_param;
use domain::types::{Claim, CompetitorId, DraftId, DraftStatus, DraftView, SectionKey};
use leptos::prelude::*;
use leptos_meta::Title;

use super::history::DiffView;
use crate::api::ai::{load_draft, AcceptDraft, DiscardDraft};
use crate::components::error::{ErrorPanel, FormAlert};
use crate::components::form::last_error;
use crate::components::format::format_time;

#[component]
pub fn DraftPage() -> impl IntoView {
    let id = DraftId::from(route_param("draft"));
    let accept = ServerAction::<AcceptDraft>::new();
    let discard = ServerAction::<DiscardDraft>::new();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the draft…"</p> }>
            {Suspend::new(async move {
                match load_draft(id).await {
                    Ok(d) => view! { <Draft draft=d accept discard/> }.into_any(),
                    Err(error) => view! { <Title text="AI draft"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Pricing", "Objection 2", "One-line summary".
fn place_label(place: &str) -> String {
    if place == "summary" {
        return "One-line summary".into();
    }
    if let Some(n) = place
        .strip_prefix("objection:")
        .and_then(|n| n.parse::<usize>().ok())
    {
        return format!("Objection {}", n + 1);
    }
    SectionKey::ALL
        .into_iter()
        .find(|k| k.as_str() == place)
        .map(|k| k.label().to_string())
        .unwrap_or_else(|| place.to_string())
}

#[component]
fn Draft(
    draft: DraftView,
    accept: ServerAction<AcceptDraft>,
    discard: ServerAction<DiscardDraft>,
) -> impl IntoView {
    let d = draft;
    let accept_error = last_error(accept.value());
    let discard_error = last_error(discard.value());
    let editor_href = format!("/cards/{}/edit", d.card_id);
    let stale = d.card_version != d.base_version;
    let (accept_id, discard_id) = (d.id.to_string(), d.id.to_string());
    let total = d.claims.len();
    let competitor = d.competitor_id.clone();
    // Claims grouped by where they sit, in the order the draft gives them.
    let mut groups: Vec<(String, Vec<Claim>)> = Vec::new();
    for claim in d.claims.clone() {
        match groups.iter_mut().find(|(p, _)| *p == claim.place) {
            Some((_, list)) => list.push(claim),
            None => groups.push((claim.place.clone(), vec![claim])),
        }
    }
    let status_text = match d.status {
        DraftStatus::Pending => "Waiting for review".to_string(),
        DraftStatus::Accepted => format!(
            "Accepted as version {}",
            d.accepted_version.unwrap_or_default()
        ),
        DraftStatus::Discarded => "Discarded".to_string(),
    };
    view! {
        <Title text=format!("AI draft: {}", d.card_title)/>
        <p class="crumbs"><a href=format!("/competitors/{}", d.competitor_id)>{d.competitor_name.clone()}</a>" · "<a href=editor_href.clone()>{d.card_title.clone()}</a></p>
        <div class="page-head">
            <h1>"AI draft"</h1>
            <span class="badge badge-muted">{status_text}</span>
        </div>
        <p class="muted small">
            {format!("{} · asked by {} · {} · {} ({})", d.agent.label(), d.created_by, format_time(d.created_at), d.provider, d.model)}
        </p>
        {d.notes.iter().map(|n| view! { <p class="notice small">{n.clone()}</p> }).collect_view()}
        <p class="claim-summary" data-unverified=d.unverified>
            {format!("{total} claims, each with its source. ")}
            {if d.unverified == 0 {
                view! { <span class="ok-text">"Every citation was found in its stored page."</span> }.into_any()
            } else {
                view! { <span class="error-text">{if d.unverified == 1 {
                    "1 could not be verified and is marked below; publishing it needs an editor's override.".to_string()
                } else {
                    format!("{} could not be verified and are marked below; publishing them needs an editor's override.", d.unverified)
                }}</span> }.into_any()
            }}
        </p>
        {(!d.keywords.is_empty()).then(|| view! {
            <p class="tags">{d.keywords.iter().map(|k| view! { <span class="tag tag-quiet">{k.clone()}</span> }).collect_view()}</p>
        })}
        <FormAlert error=accept_error/>
        <FormAlert error=discard_error/>
        {match d.status {
            DraftStatus::Accepted => view! {
                <p class="notice" role="status">"Accepted as a new version. "<a href=editor_href.clone()>"Open the editor"</a></p>
            }.into_any(),
            DraftStatus::Pending => view! {
                <div class="draft-actions">
                    <ActionForm action=accept>
                        <input type="hidden" name="id" value=accept_id.clone()/>
                        <button type="submit" class="button primary" disabled=stale>"Accept as new version"</button>
                    </ActionForm>
                    <ActionForm action=discard>
                        <input type="hidden" name="id" value=discard_id.clone()/>
                        <button type="submit" class="button secondary">"Discard"</button>
                    </ActionForm>
                </div>
            }.into_any(),
            DraftStatus::Discarded => view! { <p><a href=editor_href.clone()>"Back to the editor"</a></p> }.into_any(),
        }}
        <section class="panel" aria-labelledby="claims-heading">
            <h2 id="claims-heading">"Claims and sources"</h2>
            {groups.into_iter().map(|(place, claims)| view! {
                <h3 class="claim-place">{place_label(&place)}</h3>
                <ul class="claims">
                    {claims.into_iter().map(|c| view! { <ClaimItem claim=c competitor=competitor.clone()/> }).collect_view()}
                </ul>
            }).collect_view()}
        </section>
        <section class="panel" aria-labelledby="diff-heading">
            <h2 id="diff-heading">"Changes to the card"</h2>
            {if d.diff.sections.is_empty() {
                view! { <p class="muted">"The draft is the same as the card."</p> }.into_any()
            } else {
                view! { <DiffView diff=d.diff.clone()/> }.into_any()
            }}
        </section>
    }
}

/// One claim with its verification badge and its citations (tap to open each).
#[component]
pub fn ClaimItem(claim: Claim, competitor: CompetitorId) -> impl IntoView {
    let verified = claim.verified;
    view! {
        <li class="claim" class:unverified=!verified>
            <p>
                {if verified {
                    view! { <span class="badge status-published" title="Every citation was found in its stored page">"Verified"</span> }.into_any()
                } else {
                    view! { <span class="badge status-error" title="A citation was not found in its stored page">"Unverified"</span> }.into_any()
                }}
                " "{claim.text.clone()}
            </p>
            {claim.citations.into_iter().enumerate().map(|(n, c)| {
                let href = format!("/competitors/{competitor}/sources/snapshots/{}?hl={}-{}#cited", c.snapshot_id, c.start, c.end);
                let source = if c.source_title.is_empty() { "Unknown source".to_string() } else { c.source_title.clone() };
                view! {
                    <details class="citation" class:failed=!c.verified>
                        <summary title=c.quote.clone()>{format!("Source {}: {source}", n + 1)}</summary>
                        <blockquote>{c.quote.clone()}</blockquote>
                        {if c.verified {
                            view! { <a class="small" href=href>"Open the page with these words highlighted"</a> }.into_any()
                        } else {
                            view! { <p class="error-text small">"These words are not in the stored page."</p> }.into_any()
                        }}
                    </details>
                }
            }).collect_view()}
        </li>
    }
}
