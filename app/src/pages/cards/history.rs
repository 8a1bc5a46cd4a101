//! A card's history: every version with who and when, a per-section diff between any
//! two, and restoring an old version as a new one. Rendered on the server only: the
//! version pickers and Restore are plain forms.
use domain::types::{CardDiff, CardHistory, DiffKind, DiffLine};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::card_id_param;
use crate::api::cards::{load_card_diff, load_card_history, RestoreVersion};
use crate::components::error::{ErrorPanel, FormAlert};
use crate::components::form::last_error;
use crate::components::format::format_time;

#[component]
pub fn HistoryPage() -> impl IntoView {
    let id = card_id_param();
    let query = use_query_map();
    let number = |name: &str| {
        query
            .read_untracked()
            .get(name)
            .and_then(|v| v.parse::<i64>().ok())
    };
    let (from, to, restored) = (number("from"), number("to"), number("restored"));
    let stale = query.read_untracked().get("stale").is_some();
    // A plain form: the server answers a restore with this page again (see
    // `restore_version`), or with the error in the address.
    let restore = ServerAction::<RestoreVersion>::new();
    view! {
        <Title text="History"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                match load_card_history(id).await {
                    Ok(h) => view! { <History history=h from to restored stale restore/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn History(
    history: CardHistory,
    from: Option<i64>,
    to: Option<i64>,
    /// The version a restore just made, from the address.
    restored: Option<i64>,
    /// A restore was refused: someone saved meanwhile.
    stale: bool,
    restore: ServerAction<RestoreVersion>,
) -> impl IntoView {
    let latest = history.version;
    let to = to.unwrap_or(latest);
    let from = from.unwrap_or((to - 1).max(1));
    let id = history.id.clone();
    let error = last_error(restore.value());
    let outcome = if stale {
        Some(("alert alert-error", "Someone saved a newer version meanwhile, so nothing was restored. Look at the newest version first.".to_string()))
    } else {
        restored
            .filter(|v| *v == latest)
            .map(|v| ("alert alert-success", format!("Restored as version {v}.")))
    };
    let options = history
        .versions
        .iter()
        .map(|v| v.version)
        .collect::<Vec<_>>();
    view! {
        <p class="crumbs">
            <a href=format!("/competitors/{}", history.competitor_id)>{history.competitor_name.clone()}</a>" / "
            <a href=format!("/cards/{id}/edit")>{history.title.clone()}</a>
        </p>
        <div class="page-head"><h1>"History"</h1></div>
        {outcome.map(|(class, m)| view! { <div class=class role="status"><p>{m}</p></div> })}
        <FormAlert error/>
        <div class="history-grid">
            <section class="panel" aria-labelledby="versions-heading">
                <h2 id="versions-heading">"Versions"</h2>
                <ol class="versions">
                    {history.versions.into_iter().map(|v| {
                        let compare = format!("/cards/{id}/history?from={}&to={latest}", v.version);
                        let id = id.clone();
                        view! {
                            <li class:current=v.version == latest>
                                <div>
                                    <strong>{format!("Version {}", v.version)}</strong>
                                    {v.published.then(|| view! { " " <span class="badge status-published">"Published"</span> })}
                                    {(v.version == latest).then(|| view! { " " <span class="badge badge-muted">"Current"</span> })}
                                    <p class="muted small">{format!("{} · {}", v.by, format_time(v.at))}</p>
                                    {(!v.note.is_empty()).then(|| view! { <p class="small">{v.note.clone()}</p> })}
                                </div>
                                {(v.version != latest).then(|| view! {
                                    <div class="version-actions">
                                        <a class="button secondary small" href=compare>"Compare with current"</a>
                                        <ActionForm action=restore>
                                            <input type="hidden" name="id" value=id.to_string()/>
                                            <input type="hidden" name="version" value=v.version/>
                                            <input type="hidden" name="base_version" value=latest/>
                                            <button type="submit" class="button secondary small">"Restore"</button>
                                        </ActionForm>
                                    </div>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
            <section class="panel" aria-labelledby="diff-heading">
                <h2 id="diff-heading">"Changes"</h2>
                <form method="get" class="inline-form diff-pick">
                    <label for="diff-from">"From"</label>
                    <select id="diff-from" name="from">
                        {options.iter().map(|v| { let v = *v; view! { <option value=v selected=v == from>{format!("v{v}")}</option> } }).collect_view()}
                    </select>
                    <label for="diff-to">"to"</label>
                    <select id="diff-to" name="to">
                        {options.iter().map(|v| { let v = *v; view! { <option value=v selected=v == to>{format!("v{v}")}</option> } }).collect_view()}
                    </select>
                    <button type="submit" class="button secondary small">"Compare"</button>
                </form>
                <Suspense fallback=|| view! { <p class="muted">"Comparing…"</p> }>
                    {Suspend::new(async move {
                        match load_card_diff(id, from, to).await {
                            Ok(d) => view! { <DiffView diff=d/> }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

#[component]
pub fn DiffView(diff: CardDiff) -> impl IntoView {
    if diff.sections.is_empty() {
        return view! { <p class="muted">{format!("No differences between version {} and version {}.", diff.from, diff.to)}</p> }.into_any();
    }
    view! {
        <p class="muted small">{format!("Version {} → version {}", diff.from, diff.to)}</p>
        {diff.sections.into_iter().map(|s| view! {
            <div class="diff-section">
                <h3>{s.label}</h3>
                <div class="diff" role="table" aria-label="Changed lines">
                    {s.lines.into_iter().map(|line| view! { <Line line/> }).collect_view()}
                </div>
            </div>
        }).collect_view()}
    }
    .into_any()
}

#[component]
fn Line(line: DiffLine) -> impl IntoView {
    let (class, sign, label) = match line.kind {
        DiffKind::Added => ("diff-line added", "+", "Added"),
        DiffKind::Removed => ("diff-line removed", "−", "Removed"),
        DiffKind::Same => ("diff-line same", " ", "Unchanged"),
        DiffKind::Skipped => ("diff-line skipped", "", "Unchanged lines left out"),
    };
    view! {
        <div class=class role="row">
            <span class="diff-sign" role="cell" aria-label=label>{sign}</span>
            <span class="diff-text" role="cell">
                {line.parts.into_iter().map(|(em, text)| if em {
                    view! { <mark>{text}</mark> }.into_any()
                } else {
                    text.into_any()
                }).collect_view()}
            </span>
        </div>
    }
}
