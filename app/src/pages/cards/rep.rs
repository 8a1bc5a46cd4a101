//! The rep view: a published card for reading on a phone mid-call. Objections are one
//! tap away (each a collapsible, linkable `#objection-<id>`), answers copy with one
//! tap, and every answer can be rated. The page is server-rendered; the presence line
//! and the objection list's tools (copying, opening a linked answer) are islands, and
//! rating is a plain form that comes back to the answer.
use domain::types::{card_limits, CardId, RepCard, RepObjection, UserId};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::{card_id_param, ExportLinks};
use crate::api::cards::{read_card, SendFeedback};
use crate::components::error::{ErrorPanel, FormAlert};
use crate::components::form::textarea_text;
use crate::components::format::format_date;
use crate::components::presence::PresenceBar;
use crate::error::AppError;
use crate::me;

#[component]
pub fn RepViewPage() -> impl IntoView {
    let id = card_id_param();
    let reader = me().map(|v| v.id);
    // Rating an answer is a plain form: the server answers with this page again, at the
    // answer (which shows the vote), or with the error in the address.
    let feedback = ServerAction::<SendFeedback>::new();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                match read_card(id).await {
                    Ok(card) => view! { <RepView card reader feedback/> }.into_any(),
                    Err(error) => view! { <Title text="Battlecard"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RepView(
    mut card: RepCard,
    reader: Option<UserId>,
    feedback: ServerAction<SendFeedback>,
) -> impl IntoView {
    let refused = feedback.value().get_untracked().and_then(Result::err);
    let edit = card.can_edit.then(|| format!("/cards/{}/edit", card.id));
    let card_id = card.id.clone();
    let objections = std::mem::take(&mut card.objections);
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
                <PresenceBar card_id=card.id.clone() editing=false me=reader/>
                <div class="rep-actions">
                    <ExportLinks id=card.id.clone() published=card.published/>
                    {edit.map(|href| view! { <a class="button secondary small" href=href>"Edit"</a> })}
                </div>
            </header>
            {(!objections.is_empty()).then(|| view! {
                <nav class="rep-jump" aria-label="Sections">
                    <a href="#objections">"Objections"</a>
                    {card.sections.iter().map(|s| view! { <a href=format!("#section-{}", s.key.as_str())>{s.label.clone()}</a> }).collect_view()}
                </nav>
            })}
            {(!objections.is_empty()).then(|| view! {
                <section id="objections" class="rep-objections" aria-labelledby="objections-heading">
                    <h2 id="objections-heading">"Objection handling"</h2>
                    {objections.into_iter().map(|o| {
                        // A refused rating comes back to its own answer only.
                        let error = refused.clone().filter(|e| e.value("objection_id") == Some(o.id.to_string()));
                        view! { <ObjectionItem card_id=card_id.clone() objection=o rateable=card.published error/> }
                    }).collect_view()}
                    <ObjectionTools/>
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

/// What the objection list does in the browser, for every answer at once: copy an
/// answer in one tap (each "Copy answer" button names its answer in `data-copy`), and
/// open the objection named in the address (`#objection-…`), now and whenever the
/// address's fragment changes. One island for the list rather than one per answer:
/// nothing to hydrate per objection.
#[island]
fn ObjectionTools() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let open = || {
            let hash = window().location().hash().unwrap_or_default();
            let Some(id) = hash
                .strip_prefix('#')
                .filter(|h| h.starts_with("objection-"))
            else {
                return;
            };
            if let Some(element) = document().get_element_by_id(id) {
                let _ = element.set_attribute("open", "");
                element.scroll_into_view();
            }
        };
        open();
        let _ = window_event_listener(leptos::ev::hashchange, move |_| open());
        let _ = window_event_listener(leptos::ev::click, |ev| {
            let button = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("button[data-copy]").ok().flatten());
            if let Some(button) = button {
                copy_answer(button);
            }
        });
    }
}

/// Copies the answer `button` names, as the rep sees it; the button says "Copied" for
/// two seconds.
#[cfg(feature = "hydrate")]
fn copy_answer(button: web_sys::Element) {
    use wasm_bindgen::JsCast;
    let answer = button.get_attribute("data-copy").unwrap_or_default();
    let text = document()
        .get_element_by_id(&answer)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .map(|e| e.inner_text())
        .unwrap_or_default();
    let navigator = window().navigator();
    // The clipboard API exists only on https (and localhost); elsewhere offer the text
    // to copy by hand rather than fail.
    let has_clipboard =
        web_sys::js_sys::Reflect::has(&navigator, &"clipboard".into()).unwrap_or(false);
    if !has_clipboard {
        let _ = window().prompt_with_message_and_default("Copy the answer:", &text);
        return;
    }
    let clipboard = navigator.clipboard();
    leptos::task::spawn_local(async move {
        let done = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await;
        if done.is_ok() {
            button.set_text_content(Some("Copied"));
            let button = send_wrapper::SendWrapper::new(button);
            set_timeout(
                move || button.set_text_content(Some(COPY_LABEL)),
                std::time::Duration::from_secs(2),
            );
        }
    });
}

const COPY_LABEL: &str = "Copy answer";

/// One objection: the question opens to the answer, with copying, a link to it and
/// (on a published card) whether it helped. Opened when `error` (a refused rating of
/// this answer) is shown in it.
#[component]
fn ObjectionItem(
    card_id: CardId,
    objection: RepObjection,
    /// False on a preview: reps rate published answers only.
    rateable: bool,
    error: Option<AppError>,
) -> impl IntoView {
    let RepObjection {
        id,
        objection: question,
        answer_html,
        my_vote: vote,
        ..
    } = objection;
    let anchor = format!("objection-{id}");
    let answer_id = format!("answer-{id}");
    let open = error.is_some();
    let comment = error
        .as_ref()
        .and_then(|e| e.value("comment"))
        .unwrap_or_default();
    view! {
        <details class="objection" id=anchor.clone() open=open>
            <summary><span class="objection-q">{question}</span></summary>
            <div class="objection-body">
                <div class="prose" id=answer_id.clone() inner_html=answer_html></div>
                <div class="objection-tools">
                    <button type="button" class="button secondary small" data-copy=answer_id.clone()>{COPY_LABEL}</button>
                    <a class="small" href=format!("#{anchor}")>"Link to this answer"</a>
                </div>
                {rateable.then(|| view! {
                // A plain form: this part of the page is not an island, so an
                // `ActionForm` would only cost more to render.
                <form method="post" action=SendFeedback::url() class="feedback">
                    <input type="hidden" name="card_id" value=card_id.to_string()/>
                    <input type="hidden" name="objection_id" value=id.to_string()/>
                    <p class="feedback-q" role="status">{match vote {
                        Some(true) => "You said this helped. Thanks!",
                        Some(false) => "You said this didn't help. Thanks — editors will see it.",
                        None => "Did this answer help?",
                    }}</p>
                    // Only a refused rating has a message (and so a signal to hold it).
                    {error.map(|e| view! { <FormAlert error=Signal::stored(Some(e))/> })}
                    <details class="feedback-comment" open=!comment.is_empty()>
                        <summary class="small">"Add a comment"</summary>
                        <label class="visually-hidden" for=format!("comment-{id}")>"Comment"</label>
                        <textarea id=format!("comment-{id}") name="comment" rows="2"
                            maxlength=card_limits::COMMENT_MAX placeholder="What did the buyer say?">{textarea_text(&comment)}</textarea>
                    </details>
                    <div class="feedback-buttons">
                        <button type="submit" name="helpful" value="true" class="button small"
                            class:selected=vote == Some(true) aria-pressed=(vote == Some(true)).to_string()>"👍 Helped"</button>
                        <button type="submit" name="helpful" value="false" class="button small"
                            class:selected=vote == Some(false) aria-pressed=(vote == Some(false)).to_string()>"👎 Didn't help"</button>
                    </div>
                </form>
                })}
            </div>
        </details>
    }
}
