//! The objection list in the editor: add, edit, move up and down, remove; with the
//! reps' "helped / didn't help" counts and comments on each answer.
use domain::types::card_limits as limits;
use domain::types::{Objection, ObjectionFeedback, ObjectionId, OBJECTIONS_LABEL};
use leptos::prelude::*;

use super::editor::EditorState;
use crate::components::format::format_date;
use crate::components::markdown::MarkdownField;

/// A fresh id for an objection added in the browser (the server accepts any short
/// run of letters, digits and dashes, and keeps it stable from then on).
fn new_objection_id() -> ObjectionId {
    #[cfg(feature = "hydrate")]
    {
        let a = (web_sys::js_sys::Math::random() * 1e15) as u64;
        let b = web_sys::js_sys::Date::now() as u64;
        ObjectionId::from(format!("{:x}{:x}", a, b & 0xffff_ffff))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        ObjectionId::default()
    }
}

#[component]
pub fn ObjectionsEditor(state: EditorState, feedback: Vec<ObjectionFeedback>) -> impl IntoView {
    let feedback = StoredValue::new(feedback);
    let ids = Memo::new(move |_| {
        state.draft.with(|d| {
            d.objections
                .iter()
                .map(|o| o.id.clone())
                .collect::<Vec<_>>()
        })
    });
    let add = move |_| {
        let id = new_objection_id();
        state.draft.update(|d| {
            d.objections.push(Objection {
                id: id.clone(),
                ..Default::default()
            })
        });
        // Put the cursor in the new objection.
        request_animation_frame(move || {
            if let Some(input) = document().get_element_by_id(&format!("objection-{id}-text")) {
                use leptos::wasm_bindgen::JsCast;
                if let Ok(input) = input.dyn_into::<web_sys::HtmlElement>() {
                    let _ = input.focus();
                }
            }
        });
    };
    let list_error = state.field_error("objections".into());
    view! {
        <section class="editor-section objections-editor" id="objections" aria-labelledby="objections-heading">
            <h2 id="objections-heading">{OBJECTIONS_LABEL}</h2>
            <p class="hint">"What buyers say, and what the rep answers. Reps see these first; keep answers short."</p>
            {move || list_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <ol class="objection-rows">
                <For each=move || ids.get().into_iter().enumerate() key=|(_, id)| id.clone() let:((index, id))>
                    <ObjectionRow state id=id.clone() index feedback=feedback.with_value(|f| f.iter().find(|f| f.objection_id == id).cloned())/>
                </For>
            </ol>
            {move || ids.with(Vec::is_empty).then(|| view! { <p class="muted">"No objections yet."</p> })}
            <button type="button" class="button secondary" on:click=add
                disabled=move || ids.with(|i| i.len() >= limits::OBJECTIONS_MAX)>"Add objection"</button>
        </section>
    }
}

#[component]
fn ObjectionRow(
    state: EditorState,
    id: ObjectionId,
    index: usize,
    feedback: Option<ObjectionFeedback>,
) -> impl IntoView {
    let id = StoredValue::new(id);
    let position = Memo::new(move |_| {
        state.draft.with(|d| {
            d.objections
                .iter()
                .position(|o| o.id == id.get_value())
                .unwrap_or(index)
        })
    });
    let count = Memo::new(move |_| state.draft.with(|d| d.objections.len()));
    let field = move |get: fn(&Objection) -> &String| {
        Signal::derive(move || {
            state.draft.with(|d| {
                d.objections
                    .iter()
                    .find(|o| o.id == id.get_value())
                    .map(|o| get(o).clone())
                    .unwrap_or_default()
            })
        })
    };
    let update = move |set: fn(&mut Objection, String), value: String| {
        state.draft.update(|d| {
            if let Some(o) = d.objections.iter_mut().find(|o| o.id == id.get_value()) {
                set(o, value);
            }
        })
    };
    let shift = move |by: isize| {
        state.draft.update(|d| {
            let from = position.get_untracked();
            let to = from as isize + by;
            if to >= 0 && (to as usize) < d.objections.len() {
                d.objections.swap(from, to as usize);
            }
        })
    };
    let remove = move |_| {
        state
            .draft
            .update(|d| d.objections.retain(|o| o.id != id.get_value()))
    };
    let text = field(|o| &o.objection);
    let answer = field(|o| &o.answer);
    let error = move |part: &'static str| {
        Signal::derive(move || {
            state
                .errors
                .get()
                .and_then(|e| e.field(&format!("objections.{}.{part}", position.get())))
        })
    };
    let text_error = error("objection");
    let text_id = format!("objection-{}-text", id.get_value());
    let number = move || format!("Objection {}", position.get() + 1);
    view! {
        <li class="objection-row" id=format!("objection-{}", id.get_value())>
            <div class="objection-row-head">
                <strong>{number}</strong>
                <div class="row-tools">
                    <button type="button" class="button secondary small" on:click=move |_| shift(-1)
                        disabled=move || position.get() == 0 aria-label=move || format!("Move {} up", number())>"↑"</button>
                    <button type="button" class="button secondary small" on:click=move |_| shift(1)
                        disabled=move || { position.get() + 1 >= count.get() } aria-label=move || format!("Move {} down", number())>"↓"</button>
                    <button type="button" class="button secondary small danger" on:click=remove
                        aria-label=move || format!("Remove {}", number())>"Remove"</button>
                </div>
            </div>
            <div class="field" class:has-error=move || text_error.get().is_some()>
                <label for=text_id.clone()>"Objection"</label>
                <input id=text_id.clone() type="text" maxlength=limits::OBJECTION_MAX placeholder="“You're more expensive than Acme.”"
                    prop:value=move || text.get()
                    on:input=move |ev| update(|o, v| o.objection = v, event_target_value(&ev))/>
                {move || text_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <MarkdownField
                id=format!("objection-{}-answer", id.get_value())
                label="Answer"
                value=answer
                initial_preview=state.loaded_preview(
                    |c| c.objections.iter().find(|o| o.id == id.get_value()).map(|o| o.answer.as_str()),
                    |p| p.answer(&id.get_value()),
                )
                on_input=Callback::new(move |v: String| update(|o, v| o.answer = v, v))
                error=error("answer")
                maxlength=limits::ANSWER_MAX
                rows=4
            />
            {feedback.map(|f| view! { <FeedbackSummary feedback=f/> })}
        </li>
    }
}

#[component]
fn FeedbackSummary(feedback: ObjectionFeedback) -> impl IntoView {
    view! {
        <div class="feedback-summary" data-feedback=feedback.objection_id.to_string()>
            <p class="small">
                <span class="badge status-published">{format!("👍 {} helped", feedback.helped)}</span>" "
                <span class="badge badge-muted">{format!("👎 {} didn't help", feedback.not_helped)}</span>
            </p>
            {(!feedback.comments.is_empty()).then(|| view! {
                <ul class="comments">
                    {feedback.comments.into_iter().map(|c| view! {
                        <li class="small">
                            <span>{if c.helpful { "👍 " } else { "👎 " }}</span>
                            <q>{c.comment}</q>
                            <span class="muted">{format!(" — {}, {}", c.by, format_date(c.at))}</span>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}
