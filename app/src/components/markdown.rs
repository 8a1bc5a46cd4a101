//! A Markdown text area with a live preview beside it (below it on narrow screens).
//! The preview is rendered by the server's sanitiser — the same HTML reps will see.
use leptos::prelude::*;

use crate::api::cards::preview_markdown;
use crate::components::form::{described_by, textarea_text};
use crate::error::AppError;

/// Waits this long after the last keystroke before asking for a preview.
const PREVIEW_DELAY_MS: u64 = 300;

#[component]
pub fn MarkdownField(
    /// Unique in the page; the textarea's id.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    #[prop(into, optional)] hint: Option<String>,
    #[prop(into)] value: Signal<String>,
    /// The server's HTML of the text the field starts with, shown until it changes:
    /// opening a page of these fields asks the server for no preview. Without it, a
    /// field starting with text asks for its preview once the page is interactive.
    #[prop(default = None)]
    initial_preview: Option<String>,
    on_input: Callback<String>,
    #[prop(into)] error: Signal<Option<String>>,
    maxlength: usize,
    #[prop(default = 6)] rows: u32,
) -> impl IntoView {
    let start = value.get_untracked();
    let known = initial_preview.is_some() || start.trim().is_empty();
    let preview = RwSignal::new(Ok::<String, AppError>(initial_preview.unwrap_or_default()));
    // The text the preview shows, when known.
    let previewed = StoredValue::new(known.then_some(start));
    let generation = StoredValue::new(0u64);
    // Effects run only in the browser: each change waits for a pause in typing, then
    // asks for the preview; an answer overtaken by newer text is dropped.
    Effect::new(move |_| {
        let text = value.get();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let current = move || generation.try_get_value() == Some(mine);
        set_timeout(
            move || {
                if !current() || previewed.with_value(|p| p.as_deref() == Some(text.as_str())) {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let html = preview_markdown(text.clone()).await;
                    if current() {
                        previewed.set_value(Some(text));
                        preview.set(html);
                    }
                });
            },
            std::time::Duration::from_millis(PREVIEW_DELAY_MS),
        );
    });
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let has_hint = hint.is_some();
    let described = described_by(has_hint.then(|| hint_id.clone()), error_id.clone(), error);
    view! {
        <div class="md-field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <div class="md-panes">
                <textarea
                    id=id.clone()
                    rows=rows
                    maxlength=maxlength
                    prop:value=move || value.get()
                    on:input=move |ev| on_input.run(event_target_value(&ev))
                    aria-invalid=move || error.get().is_some().then_some("true")
                    aria-describedby=described
                >{textarea_text(&value.get_untracked())}</textarea>
                <div class="md-preview" aria-label="Preview" role="region" aria-live="off">
                    {move || match preview.get() {
                        Ok(html) if html.is_empty() => view! { <p class="muted small">"Preview appears here."</p> }.into_any(),
                        Ok(html) => view! { <div class="prose" inner_html=html></div> }.into_any(),
                        Err(e) => view! { <p class="muted small">{format!("No preview: {}", e.message)}</p> }.into_any(),
                    }}
                </div>
            </div>
            {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}
