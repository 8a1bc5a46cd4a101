//! The rep view: a published card for reading on a phone mid-call. Objections are one
//! tap away (each a collapsible, linkable `#objection-<id>`), answers copy with one
//! tap, and every answer can be rated.
use domain::types::{card_limits, CardId, RepCard, RepObjection};
use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use super::{card_id_param, ExportLinks};
use crate::api::cards::{read_card, SendFeedback};
use crate::components::error::{ErrorPanel, FormAlert};
use crate::components::form::last_error;
use crate::components::format::format_date;
use crate::components::presence::PresenceBar;
use crate::error::AppError;

/// How the card travels inside the page for hydration: without its rendered HTML and
/// plain texts, which the page's markup already holds — hydration leaves `inner_html`
/// content as the server wrote it — so the card is not sent twice. A card fetched
/// later (navigating between cards) comes whole from `read_card`.
struct WithoutBodies;

type CardResult = Result<RepCard, AppError>;

impl Encoder<CardResult> for WithoutBodies {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(card: &CardResult) -> Result<String, Self::Error> {
        let Ok(card) = card else {
            return serde_json::to_string(card);
        };
        let mut card = card.clone();
        for section in &mut card.sections {
            section.html.clear();
        }
        for objection in &mut card.objections {
            objection.answer_html.clear();
            objection.answer_text.clear();
        }
        serde_json::to_string(&CardResult::Ok(card))
    }
}

impl Decoder<CardResult> for WithoutBodies {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<CardResult, Self::Error> {
        serde_json::from_str(encoded)
    }
}

#[component]
pub fn RepViewPage() -> impl IntoView {
    let id = card_id_param();
    let card: Resource<CardResult, WithoutBodies> =
        Resource::new_with_options(move || id.get(), read_card, false);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match card.await {
                    Ok(card) => view! { <RepView card/> }.into_any(),
                    Err(error) => view! { <Title text="Battlecard"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RepView(card: RepCard) -> impl IntoView {
    open_linked_objection();
    let edit = card.can_edit.then(|| format!("/cards/{}/edit", card.id));
    let card_id = card.id.clone();
    view! {
        <Title text=format!("{} · {}", card.competitor_name, card.title)/>
        <article class="rep">
            <header class="rep-head">
                <p class="crumbs"><a href=format!("/competitors/{}", card.competitor_id)>{card.competitor_name.clone()}</a></p>
                <h1>{card.competitor_name.clone()}<span class="rep-title">{card.title.clone()}</span></h1>
                {(!card.summary.is_empty()).then(|| view! { <p class="rep-summary">{card.summary.clone()}</p> })}
                {if card.published {
                    view! { <p class="muted small">{format!("Published {} · version {}", format_date(card.published_at), card.version)}</p> }.into_any()
                } else {
                    view! {
                        <p class="notice" role="status">
                            <strong>"Not published"</strong>" — this is what reps will see once it is. Reps cannot open it yet."
                        </p>
                        <p class="muted small">{format!("Version {}", card.version)}</p>
                    }.into_any()
                }}
                <PresenceBar card_id=card.id.clone() editing=false/>
                <div class="rep-actions">
                    <ExportLinks id=card.id.clone() published=card.published/>
                    {edit.map(|href| view! { <a class="button secondary small" href=href>"Edit"</a> })}
                </div>
            </header>
            {(!card.objections.is_empty()).then(|| view! {
                <nav class="rep-jump" aria-label="Sections">
                    <a href="#objections">"Objections"</a>
                    {card.sections.iter().map(|s| view! { <a href=format!("#section-{}", s.key.as_str())>{s.label.clone()}</a> }).collect_view()}
                </nav>
            })}
            {(!card.objections.is_empty()).then(|| view! {
                <section id="objections" class="rep-objections" aria-labelledby="objections-heading">
                    <h2 id="objections-heading">"Objection handling"</h2>
                    {card.objections.iter().cloned().map(|o| view! { <ObjectionItem card_id=card_id.clone() objection=o rateable=card.published/> }).collect_view()}
                </section>
            })}
            {card.sections.into_iter().map(|s| view! {
                <section class="rep-section" id=format!("section-{}", s.key.as_str())>
                    <h2>{s.label}</h2>
                    <div class="prose" inner_html=s.html></div>
                </section>
            }).collect_view()}
        </article>
    }
}

/// Opens the objection named in the address (`#objection-…`), now and whenever the
/// address's fragment changes.
fn open_linked_objection() {
    let hash = use_location().hash;
    Effect::new(move |_| {
        let hash = hash.get();
        let Some(id) = hash
            .strip_prefix('#')
            .filter(|h| h.starts_with("objection-"))
        else {
            return;
        };
        let id = id.to_string();
        // After an in-app navigation the card is mounted a moment after this runs.
        request_animation_frame(move || {
            if let Some(element) = document().get_element_by_id(&id) {
                let _ = element.set_attribute("open", "");
                element.scroll_into_view();
            }
        });
    });
}

#[component]
fn ObjectionItem(
    card_id: CardId,
    objection: RepObjection,
    /// False on a preview: reps rate published answers only.
    rateable: bool,
) -> impl IntoView {
    let feedback = ServerAction::<SendFeedback>::new();
    let error = last_error(feedback.value());
    let vote = Signal::derive({
        let initial = objection.my_vote;
        move || match feedback.value().get() {
            Some(Ok(helpful)) => Some(helpful),
            _ => initial,
        }
    });
    let copied = RwSignal::new(false);
    let answer_id = format!("answer-{}", objection.id);
    let copy = {
        let answer_id = answer_id.clone();
        move |_| {
            use wasm_bindgen::JsCast;
            // The answer as the rep sees it (after hydration the card's data holds no text).
            let text = document()
                .get_element_by_id(&answer_id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                .map(|e| e.inner_text())
                .unwrap_or_default();
            let navigator = window().navigator();
            // The clipboard API exists only on https (and localhost); elsewhere offer the
            // text to copy by hand rather than fail.
            let has_clipboard =
                web_sys::js_sys::Reflect::has(&navigator, &"clipboard".into()).unwrap_or(false);
            if !has_clipboard {
                let _ = window().prompt_with_message_and_default("Copy the answer:", &text);
                return;
            }
            let clipboard = navigator.clipboard();
            leptos::task::spawn_local(async move {
                let done = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await;
                copied.set(done.is_ok());
                if done.is_ok() {
                    set_timeout(move || copied.set(false), std::time::Duration::from_secs(2));
                }
            });
        }
    };
    let anchor = format!("objection-{}", objection.id);
    view! {
        <details class="objection" id=anchor.clone()>
            <summary><span class="objection-q">{objection.objection.clone()}</span></summary>
            <div class="objection-body">
                <div class="prose" id=answer_id inner_html=objection.answer_html.clone()></div>
                <div class="objection-tools">
                    <button type="button" class="button secondary small" on:click=copy>
                        {move || if copied.get() { "Copied" } else { "Copy answer" }}
                    </button>
                    <a class="small" href=format!("#{anchor}")>"Link to this answer"</a>
                </div>
                {rateable.then(|| view! {
                <ActionForm action=feedback attr:class="feedback">
                    <input type="hidden" name="card_id" value=card_id.to_string()/>
                    <input type="hidden" name="objection_id" value=objection.id.to_string()/>
                    <p class="feedback-q" role="status">{move || match vote.get() {
                        Some(true) => "You said this helped. Thanks!",
                        Some(false) => "You said this didn't help. Thanks — editors will see it.",
                        None => "Did this answer help?",
                    }}</p>
                    <FormAlert error/>
                    <details class="feedback-comment">
                        <summary class="small">"Add a comment"</summary>
                        <label class="visually-hidden" for=format!("comment-{}", objection.id)>"Comment"</label>
                        <textarea id=format!("comment-{}", objection.id) name="comment" rows="2"
                            maxlength=card_limits::COMMENT_MAX placeholder="What did the buyer say?"></textarea>
                    </details>
                    <div class="feedback-buttons">
                        <button type="submit" name="helpful" value="true" class="button small"
                            class:selected=move || vote.get() == Some(true) aria-pressed=move || (vote.get() == Some(true)).to_string()>"👍 Helped"</button>
                        <button type="submit" name="helpful" value="false" class="button small"
                            class:selected=move || vote.get() == Some(false) aria-pressed=move || (vote.get() == Some(false)).to_string()>"👎 Didn't help"</button>
                    </div>
                </ActionForm>
                })}
            </div>
        </details>
    }
}
