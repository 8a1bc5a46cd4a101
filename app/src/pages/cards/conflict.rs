//! The conflict screen: someone saved this card while you were editing. Parts only
//! one of you changed are merged automatically; for each part you both changed, both
//! texts are shown and you write (or pick) the merged text. Nothing is overwritten
//! until you save the merge.
use domain::types::merge::{set_part, three_way};
use domain::types::{CardContent, ConflictInfo};
use leptos::prelude::*;

use super::editor::{EditorState, Stored};
use crate::components::form::textarea_text;
use crate::components::format::format_time;

/// The conflict screen, its code (and the merge's) loaded only when a save conflicts:
/// with `--split` it is a chunk of its own, which the editor does not need to start.
#[leptos::lazy]
pub async fn conflict_screen(
    base: CardContent,
    info: ConflictInfo,
    state: EditorState,
    conflict: RwSignal<Option<(CardContent, ConflictInfo)>>,
    on_resolved: Callback<()>,
) -> AnyView {
    view! { <ConflictView base info state conflict on_resolved/> }.into_any()
}

#[component]
fn ConflictView(
    base: CardContent,
    info: ConflictInfo,
    state: EditorState,
    conflict: RwSignal<Option<(CardContent, ConflictInfo)>>,
    on_resolved: Callback<()>,
) -> impl IntoView {
    let mine = state.draft.get_untracked();
    let merge = three_way(&base, &mine, &info.theirs);
    let resolutions: Vec<RwSignal<String>> = merge
        .conflicts
        .iter()
        .map(|c| RwSignal::new(c.mine.clone()))
        .collect();
    let theirs_stored = Stored {
        version: info.version,
        content: info.theirs.clone(),
        status: state.stored.with_untracked(|s| s.status),
        published_version: state.stored.with_untracked(|s| s.published_version),
        by: info.by.clone(),
        at: info.at,
        status_by: state.stored.with_untracked(|s| s.status_by.clone()),
        status_at: state.stored.with_untracked(|s| s.status_at),
    };
    let save_merge = {
        let (merged, conflicts, stored) = (
            merge.content.clone(),
            merge.conflicts.clone(),
            theirs_stored.clone(),
        );
        let resolutions = resolutions.clone();
        move |_| {
            let mut content = merged.clone();
            for (c, value) in conflicts.iter().zip(&resolutions) {
                set_part(&mut content, &c.part, value.get_untracked());
            }
            state.stored.set(stored.clone());
            state.draft.set(content);
            conflict.set(None);
            on_resolved.run(());
        }
    };
    let discard_mine = {
        let stored = theirs_stored.clone();
        move |_| {
            state.draft.set(stored.content.clone());
            state.stored.set(stored.clone());
            conflict.set(None);
        }
    };
    let count = merge.conflicts.len();
    view! {
        <section class="panel conflict" role="alert" aria-labelledby="conflict-heading">
            <h1 id="conflict-heading">"Someone else saved this card"</h1>
            <p>{format!("{} saved version {} at {} while you were editing. Your changes are not lost: ", info.by, info.version, format_time(info.at))}
                {if count == 0 {
                    "they don't overlap with theirs, so both can be kept.".to_string()
                } else {
                    format!("{count} part{} changed on both sides — choose or write the text to keep.", if count == 1 { "" } else { "s" })
                }}
            </p>
            {(!merge.taken_from_theirs.is_empty()).then(|| view! {
                <p class="small">"Kept from their version: "{merge.taken_from_theirs.join(", ")}"."</p>
            })}
            {merge.conflicts.into_iter().zip(resolutions).enumerate().map(|(i, (c, value))| {
                let (mine, theirs) = (c.mine.clone(), c.theirs.clone());
                let id = format!("merge-{i}");
                view! {
                    <div class="conflict-part">
                        <h2>{c.label.clone()}</h2>
                        <div class="conflict-sides">
                            <div>
                                <h3>{format!("Their version ({})", info.by)}</h3>
                                <pre class="conflict-text theirs" tabindex="0" aria-label="Their version">{c.theirs.clone()}</pre>
                                <button type="button" class="button secondary small" on:click=move |_| value.set(theirs.clone())>"Use theirs"</button>
                            </div>
                            <div>
                                <h3>"Your version"</h3>
                                <pre class="conflict-text mine" tabindex="0" aria-label="Your version">{c.mine.clone()}</pre>
                                <button type="button" class="button secondary small" on:click=move |_| value.set(mine.clone())>"Use mine"</button>
                            </div>
                        </div>
                        <label for=id.clone()>"Merged text to save"</label>
                        <textarea id=id rows="6" prop:value=move || value.get()
                            on:input=move |ev| value.set(event_target_value(&ev))>{textarea_text(&value.get_untracked())}</textarea>
                    </div>
                }
            }).collect_view()}
            <div class="form-actions">
                <button type="button" class="button primary" on:click=save_merge>"Save merged version"</button>
                <button type="button" class="button secondary" on:click=discard_mine>"Discard my changes"</button>
            </div>
        </section>
    }
}
