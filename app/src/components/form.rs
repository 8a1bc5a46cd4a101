//! Form fields with their label, hint and error in one place.
use leptos::prelude::*;

use crate::error::AppError;

/// The error of the last submission of an action, if it failed.
pub fn last_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(Result::err))
}

/// The `aria-describedby` of a field: its hint, if any, and its error while shown.
pub fn described_by(
    hint_id: Option<String>,
    error_id: String,
    message: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let ids: Vec<&str> = hint_id
            .iter()
            .map(String::as_str)
            .chain(message.get().is_some().then_some(error_id.as_str()))
            .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A labelled input. Shows `error`'s message for `name` and, unless it is a
/// password, keeps what was typed across a failed plain-form submission.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    #[prop(into, default = "text".to_string())] kind: String,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(into, optional)] value: Option<String>,
    #[prop(into, optional)] autocomplete: Option<String>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional)] required: bool,
    #[prop(optional)] readonly: bool,
    #[prop(into, optional)] hint: Option<String>,
    /// The element id, when two forms on one page share a field name.
    #[prop(into, optional)]
    id: Option<String>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| format!("field-{name}"));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let is_password = kind == "password";
    let message = {
        let name = name.clone();
        Signal::derive(move || error.get().and_then(|e| e.field(&name)))
    };
    let initial = {
        let name = name.clone();
        move || {
            if is_password {
                return None;
            }
            error
                .get()
                .and_then(|e| e.value(&name))
                .or_else(|| value.clone())
        }
    };
    let described = described_by(
        hint.is_some().then(|| hint_id.clone()),
        error_id.clone(),
        message,
    );
    view! {
        <div class="field" class:has-error=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id.clone()
                name=name.clone()
                type=kind
                value=initial
                autocomplete=autocomplete
                maxlength=maxlength
                required=required
                readonly=readonly
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=described
            />
            {move || message.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// A labelled select of (value, label) options.
#[component]
pub fn SelectField(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    options: Vec<(String, String)>,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(into, optional)] selected: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let message = {
        let name = name.clone();
        Signal::derive(move || error.get().and_then(|e| e.field(&name)))
    };
    let current = {
        let name = name.clone();
        move || {
            error
                .get()
                .and_then(|e| e.value(&name))
                .or_else(|| selected.clone())
        }
    };
    view! {
        <div class="field" class:has-error=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-invalid=move || message.get().is_some().then_some("true")>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is_selected = {
                            let value = value.clone();
                            let current = current.clone();
                            move || current().as_deref() == Some(value.as_str())
                        };
                        view! { <option value=value selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            {move || message.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// Text for inside `<textarea>`: Leptos writes a textarea's children unescaped on the
/// server, so `</textarea>` in a user's text would end the element. The browser decodes
/// these entities back into exactly what was typed.
pub fn textarea_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A labelled multi-line field; like [`Field`] it shows its error and keeps what was
/// typed across a failed plain-form submission.
#[component]
pub fn TextAreaField(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(into, optional)] value: Option<String>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(default = 4)] rows: u32,
    #[prop(into, optional)] hint: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let message = {
        let name = name.clone();
        Signal::derive(move || error.get().and_then(|e| e.field(&name)))
    };
    let initial = {
        let name = name.clone();
        error
            .get_untracked()
            .and_then(|e| e.value(&name))
            .or(value)
            .unwrap_or_default()
    };
    let described = described_by(
        hint.is_some().then(|| hint_id.clone()),
        error_id.clone(),
        message,
    );
    view! {
        <div class="field" class:has-error=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <textarea
                id=id.clone()
                name=name.clone()
                rows=rows
                maxlength=maxlength
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=described
            >{textarea_text(&initial)}</textarea>
            {move || message.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}
