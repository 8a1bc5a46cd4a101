//! The battlecard editor: every section with a live preview, the objection list, save
//! (button or Ctrl/Cmd-S) as a new version, the status workflow, and a warning before
//! leaving with unsaved changes. A save based on an old version opens the conflict
//! screen instead of overwriting anything.
use domain::types::card_limits as limits;
use domain::types::{
    CardContent, CardEditorData, CardId, CardStatus, ConflictInfo, ContentPreview, SaveOutcome,
    SectionKey, UnverifiedClaims, UserId,
};
use leptos::prelude::*;
use leptos_meta::Title;

use super::ai_panel::{AiPanelLater, UnverifiedWarning};
use super::conflict::conflict_screen;
use super::objections::ObjectionsEditor;
use super::{card_id_param, ExportLinks};
use crate::api::cards::{card_for_editing, SaveCard, SetCardStatus};
use crate::components::error::{ErrorPanel, FormAlert};
use crate::components::format::format_time;
use crate::components::markdown::MarkdownField;
use crate::components::presence::PresenceBar;
use crate::error::AppError;
use crate::me;
use crate::pages::competitors::detail::StatusBadge;
use crate::preload::ChunkHints;

#[component]
pub fn EditorPage() -> impl IntoView {
    let id = card_id_param();
    let editor = me().map(|v| v.id);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                match card_for_editing(id).await {
                    Ok(data) => view! {
                        <Title text=format!("Edit · {}", data.content.title)/>
                        <ChunkHints island="editor"/>
                        <Editor data editor/>
                    }.into_any(),
                    Err(error) => view! { <Title text="Battlecard"/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the editor knows about the stored card, besides the text being edited.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    pub version: i64,
    pub content: CardContent,
    pub status: CardStatus,
    pub published_version: Option<i64>,
    pub by: String,
    pub at: i64,
    /// Who moved the card to its status, and when.
    pub status_by: String,
    pub status_at: i64,
}

/// The editor's shared state, handed to the parts of the page.
#[derive(Clone, Copy)]
pub struct EditorState {
    pub draft: RwSignal<CardContent>,
    pub stored: RwSignal<Stored>,
    pub errors: RwSignal<Option<AppError>>,
    /// The loaded version and the server's HTML of it: each field's first preview
    /// while the field still holds the loaded text.
    pub loaded: StoredValue<(CardContent, ContentPreview)>,
}

impl EditorState {
    /// The message for one field from the last failed save.
    pub fn field_error(self, field: String) -> Signal<Option<String>> {
        Signal::derive(move || self.errors.get().and_then(|e| e.field(&field)))
    }

    /// The server's HTML of a field of the loaded version, if the draft still holds
    /// the loaded text there (the editor shows again after a conflict, for example).
    pub fn loaded_preview(
        self,
        text: impl Fn(&CardContent) -> Option<&str>,
        html: impl Fn(&ContentPreview) -> String,
    ) -> Option<String> {
        let draft = self.draft.with_untracked(|d| text(d).map(str::to_owned));
        self.loaded.with_value(|(content, preview)| {
            (draft.is_some() && text(content) == draft.as_deref()).then(|| html(preview))
        })
    }
}

/// The whole editor is one island: everything on it answers input. `editor` is the
/// person editing (left out of the presence line).
#[island(lazy)]
fn Editor(data: CardEditorData, editor: Option<UserId>) -> impl IntoView {
    let state = EditorState {
        draft: RwSignal::new(data.content.clone()),
        stored: RwSignal::new(Stored {
            version: data.version,
            content: data.content.clone(),
            status: data.status,
            published_version: data.published_version,
            by: data.updated_by.clone(),
            at: data.updated_at,
            status_by: data.status_by.clone(),
            status_at: data.status_at,
        }),
        errors: RwSignal::new(None),
        loaded: StoredValue::new((data.content.clone(), data.preview.clone())),
    };
    let dirty = Memo::new(move |_| state.stored.with(|s| state.draft.with(|d| *d != s.content)));
    let conflict = RwSignal::new(None::<(CardContent, ConflictInfo)>);
    let save = ServerAction::<SaveCard>::new();
    let in_flight = StoredValue::new(None::<(CardContent, CardContent)>);
    let id = data.id.clone();
    let unverified = RwSignal::new(data.unverified.clone());

    let save_now = Callback::new({
        let id = id.clone();
        move |_: ()| {
            if save.pending().get_untracked() || conflict.with_untracked(Option::is_some) {
                return;
            }
            let stored = state.stored.get_untracked();
            let content = state.draft.get_untracked();
            in_flight.set_value(Some((stored.content.clone(), content.clone())));
            save.dispatch(SaveCard {
                id: id.clone(),
                base_version: stored.version,
                content,
                note: String::new(),
            });
        }
    });
    Effect::new(move |_| {
        let Some(result) = save.value().get() else {
            return;
        };
        let Some((base, sent)) = in_flight.get_value() else {
            return;
        };
        in_flight.set_value(None);
        match result {
            Ok(SaveOutcome::Saved {
                version,
                status,
                at,
            }) => {
                state.errors.set(None);
                state.stored.update(|s| {
                    if s.status != status {
                        s.status_by = "you".into();
                        s.status_at = at;
                    }
                    s.version = version;
                    s.content = sent;
                    s.status = status;
                    s.by = "you".into();
                    s.at = at;
                });
            }
            Ok(SaveOutcome::Conflict(info)) => conflict.set(Some((base, *info))),
            Err(e) => state.errors.set(Some(e)),
        }
    });
    install_shortcuts_and_guards(dirty, save_now);

    follow_title(state);
    view! {
        <p class="crumbs">
            <a href=format!("/competitors/{}", data.competitor_id)>{data.competitor_name.clone()}</a>
        </p>
        <Show
            when=move || conflict.with(Option::is_none)
            fallback=move || {
                let (base, info) = conflict.get().expect("shown only with a conflict");
                view! {
                    <Suspense fallback=|| view! { <p class="muted" role="status">"Comparing the two versions…"</p> }>
                        {Suspend::new(conflict_screen(base, info, state, conflict, save_now))}
                    </Suspense>
                }
            }
        >
            <Toolbar id=id.clone() state dirty pending=save.pending() on_save=save_now unverified/>
            <PresenceBar card_id=id.clone() editing=true me=editor.clone()/>
            <FormAlert error=Signal::derive(move || state.errors.get())/>
            <UnverifiedWarning unverified=unverified.into()/>
            <div class="editor">
                <HeaderFields state/>
                {SectionKey::ALL[..SectionKey::BEFORE_OBJECTIONS].iter().map(|k| view! { <SectionField key=*k state/> }).collect_view()}
                <ObjectionsEditor state feedback=data.feedback.clone()/>
                {SectionKey::ALL[SectionKey::BEFORE_OBJECTIONS..].iter().map(|k| view! { <SectionField key=*k state/> }).collect_view()}
            </div>
            <AiPanelLater card_id=id.clone() dirty/>
            <p class="muted small">{format!("Read {} times in all, {} in the last 30 days.", data.views_total, data.views_last_30_days)}</p>
        </Show>
    }
}

/// The tab's title follows the card's title as it is typed (the server wrote the first).
fn follow_title(state: EditorState) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |first: Option<()>| {
        let title = state.draft.with(|d| d.title.clone());
        if first.is_some() {
            document().set_title(&format!("Edit · {title} · Outrival"));
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = state;
}

/// Ctrl/Cmd-S saves; leaving the page with unsaved changes asks first (closing the
/// tab, reloading, or following a link), once.
fn install_shortcuts_and_guards(dirty: Memo<bool>, save_now: Callback<()>) {
    #[cfg(feature = "hydrate")]
    {
        use send_wrapper::SendWrapper;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;

        let keys = window_event_listener(leptos::ev::keydown, move |ev| {
            if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("s") {
                ev.prevent_default();
                save_now.run(());
            }
        });
        // Set once the person said yes to leaving by a link: the page then goes without
        // the browser asking again.
        let leaving = StoredValue::new(false);
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if dirty.try_get_untracked().unwrap_or(false) && !leaving.get_value() {
                ev.prevent_default();
                ev.set_return_value("You have unsaved changes.");
            }
        });
        // A link asks in words (the browser's own leave dialog cannot say what is lost).
        let links = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
            if !dirty.try_get_untracked().unwrap_or(false) {
                return;
            }
            let link = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("a[href]").ok().flatten());
            let Some(link) = link else { return };
            let href = link.get_attribute("href").unwrap_or_default();
            if href.starts_with('#') || link.has_attribute("download") {
                return;
            }
            let leave = window()
                .confirm_with_message("You have unsaved changes. Leave without saving?")
                .unwrap_or(true);
            if leave {
                leaving.set_value(true);
            } else {
                ev.prevent_default();
            }
        });
        let _ =
            document().add_event_listener_with_callback("click", links.as_ref().unchecked_ref());
        let links = SendWrapper::new(links);
        on_cleanup(move || {
            keys.remove();
            unload.remove();
            let _ = document()
                .remove_event_listener_with_callback("click", links.as_ref().unchecked_ref());
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (dirty, save_now);
}

#[component]
fn Toolbar(
    id: CardId,
    state: EditorState,
    dirty: Memo<bool>,
    pending: Memo<bool>,
    on_save: Callback<()>,
    unverified: RwSignal<UnverifiedClaims>,
) -> impl IntoView {
    let set_status = ServerAction::<SetCardStatus>::new();
    let override_unverified = RwSignal::new(false);
    Effect::new(move |_| match set_status.value().get() {
        Some(Ok(data)) => {
            state.errors.set(None);
            unverified.set(data.unverified.clone());
            override_unverified.set(false);
            state.stored.update(|s| {
                s.status = data.status;
                s.published_version = data.published_version;
                s.status_by = data.status_by;
                s.status_at = data.status_at;
            });
        }
        Some(Err(e)) => state.errors.set(Some(e)),
        None => {}
    });
    let saved_text = move || {
        if pending.get() {
            "Saving…".to_string()
        } else if dirty.get() {
            "Unsaved changes".to_string()
        } else {
            state.stored.with(|s| {
                format!(
                    "Version {} · saved by {} · {}",
                    s.version,
                    s.by,
                    format_time(s.at)
                )
            })
        }
    };
    let live = move || {
        state
            .stored
            .with(|s| match (s.status, s.published_version) {
                (CardStatus::Published, Some(_)) => Some("Reps see this version.".to_string()),
                (_, Some(v)) => Some(format!("Reps see version {v} until you publish again.")),
                _ => None,
            })
    };
    let history = format!("/cards/{id}/history");
    let rep = format!("/cards/{id}");
    let export_id = id.clone();
    view! {
        <div class="editor-bar" role="region" aria-label="Card status and saving">
            <div class="editor-bar-state">
                {move || view! { <StatusBadge status=state.stored.with(|s| s.status)/> }}
                <span class="muted small status-who">{move || state.stored.with(|s| format!("by {} · {}", s.status_by, format_time(s.status_at)))}</span>
                <span class="small" role="status" aria-live="polite">{saved_text}</span>
                {move || live().map(|t| view! { <span class="muted small">{t}</span> })}
            </div>
            <div class="editor-bar-actions">
                <button type="button" class="button primary" on:click=move |_| on_save.run(())
                    disabled=move || pending.get() || !dirty.get() aria-keyshortcuts="Control+S Meta+S">"Save"</button>
                {move || {
                    let (status, version) = state.stored.with(|s| (s.status, s.version));
                    status.next().iter().map(|to| {
                        let to = *to;
                        let id = id.clone();
                        view! {
                            <button type="button" class="button secondary" data-status=to.as_str()
                                disabled=move || dirty.get() || set_status.pending().get()
                                title=move || if dirty.get() { "Save your changes first" } else { "" }
                                on:click=move |_| {
                                    let forced = (to == CardStatus::Published).then(|| override_unverified.get_untracked());
                                    set_status.dispatch(SetCardStatus { id: id.clone(), status: to.as_str().into(), version, override_unverified: forced });
                                }>
                                {to.action_label()}
                            </button>
                        }
                    }).collect_view()
                }}
                {move || (unverified.with(|u| u.count > 0) && state.stored.with(|s| s.status.next().contains(&CardStatus::Published))).then(|| view! {
                    <label class="override small">
                        <input type="checkbox" prop:checked=move || override_unverified.get()
                            on:change=move |e| override_unverified.set(event_target_checked(&e))/>
                        " Publish with unverified claims"
                    </label>
                })}
                <a class="button secondary small" href=history.clone()>"History"</a>
                {move || state.stored.with(|s| s.published_version.is_some() && s.status != CardStatus::Archived)
                    .then(|| view! { <a class="button secondary small" href=rep.clone()>"Rep view"</a> })}
                <ExportLinks id=export_id/>
            </div>
        </div>
    }
}

#[component]
fn HeaderFields(state: EditorState) -> impl IntoView {
    view! {
        <div class="grid-2">
            <div class="field" class:has-error=move || state.field_error("title".into()).get().is_some()>
                <label for="card-title">"Title"</label>
                <input id="card-title" type="text" maxlength=limits::TITLE_MAX required
                    prop:value=move || state.draft.with(|d| d.title.clone())
                    on:input=move |ev| state.draft.update(|d| d.title = event_target_value(&ev))/>
                {move || state.field_error("title".into()).get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <div class="field" class:has-error=move || state.field_error("summary".into()).get().is_some()>
                <label for="card-summary">"One-line summary"</label>
                <input id="card-summary" type="text" maxlength=limits::SUMMARY_MAX
                    placeholder="What a rep must know in one breath"
                    prop:value=move || state.draft.with(|d| d.summary.clone())
                    on:input=move |ev| state.draft.update(|d| d.summary = event_target_value(&ev))/>
                {move || state.field_error("summary".into()).get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
        </div>
    }
}

#[component]
fn SectionField(key: SectionKey, state: EditorState) -> impl IntoView {
    let value = Signal::derive(move || state.draft.with(|d| d.section(key).to_string()));
    view! {
        <section class="editor-section" id=format!("section-{}", key.as_str())>
            <MarkdownField
                id=format!("section-{}-text", key.as_str())
                label=key.label()
                hint=key.hint()
                value
                initial_preview=state.loaded_preview(|c| Some(c.section(key)), |p| p.section(key))
                on_input=Callback::new(move |text: String| state.draft.update(|d| *d.section_mut(key) = text))
                error=state.field_error(format!("section.{}", key.as_str()))
                maxlength=limits::SECTION_MAX
            />
        </section>
    }
}
