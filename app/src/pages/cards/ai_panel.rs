//! The editor's AI panel: ask for a draft of the whole card, a refresh of one section
//! or answers to the objections; watch the job's progress; open the draft to review.
//! Drafts are written against the saved version, so unsaved changes block asking.
use domain::types::{Agent, CardId, SectionKey, UnverifiedClaims};
use leptos::prelude::*;

use crate::api::ai::{ai_status, RequestDraft};
use crate::components::budget::BudgetMeters;
use crate::components::error::FormAlert;
use crate::components::form::last_error;
use crate::components::job::JobProgress;

/// The AI panel, once the editor answers input. Its code (the requests, the budgets,
/// the provider choice) is a chunk of its own with `--split`, fetched only once the
/// page is interactive: typing and saving never wait for it. Until then, and on the
/// server, the panel's place shows that it is loading.
#[component]
pub fn AiPanelLater(card_id: CardId, dirty: Memo<bool>) -> impl IntoView {
    let started = RwSignal::new(false);
    // Effects run in the browser only.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| crate::preload::when_interactive(move || started.set(true)));
    move || {
        if started.get() {
            let card_id = card_id.clone();
            view! {
                <Suspense fallback=AiPanelLoading>
                    {Suspend::new(ai_panel(card_id.clone(), dirty))}
                </Suspense>
            }
            .into_any()
        } else {
            AiPanelLoading().into_any()
        }
    }
}

#[leptos::lazy]
async fn ai_panel(card_id: CardId, dirty: Memo<bool>) -> AnyView {
    view! { <AiPanel card_id dirty/> }.into_any()
}

/// The panel's place while its code loads.
#[allow(non_snake_case)]
fn AiPanelLoading() -> impl IntoView {
    view! {
        <section class="panel ai-panel" aria-labelledby="ai-heading" aria-busy="true">
            <h2 id="ai-heading">"Draft with AI"</h2>
            <p class="muted small" role="status">"Loading…"</p>
        </section>
    }
}

#[component]
fn AiPanel(card_id: CardId, dirty: Memo<bool>) -> impl IntoView {
    let request = ServerAction::<RequestDraft>::new();
    // Budgets change with every request: reload them after each one.
    let status = Resource::new(move || request.version().get(), |_| ai_status(None));
    let error = last_error(request.value());
    let section = RwSignal::new(SectionKey::Overview.as_str().to_string());
    let regenerate = RwSignal::new(false);
    let provider = RwSignal::new(String::new());
    let ask = move |agent: Agent| {
        let card_id = card_id.clone();
        move |_| {
            request.dispatch(RequestDraft {
                card_id: card_id.clone(),
                agent: agent.as_str().into(),
                section: (agent == Agent::SectionRefresher).then(|| section.get_untracked()),
                provider: Some(provider.get_untracked()).filter(|p| !p.is_empty()),
                regenerate: Some(regenerate.get_untracked()),
            });
        }
    };
    let blocked = move || dirty.get() || request.pending().get();
    view! {
        <section class="panel ai-panel" aria-labelledby="ai-heading">
            <h2 id="ai-heading">"Draft with AI"</h2>
            <p class="muted small">"Writes from this competitor's sources. Every claim cites the page it came from; you review the draft before anything changes."</p>
            {move || dirty.get().then(|| view! { <p class="notice small">"Save your changes first: drafts are written against the saved version."</p> })}
            <FormAlert error/>
            <div class="ai-actions">
                <button type="button" class="button primary" disabled=blocked on:click=ask(Agent::BattlecardWriter)>"Draft the whole card"</button>
                <button type="button" class="button secondary" disabled=blocked on:click=ask(Agent::ObjectionHandler)>"Answer the objections"</button>
            </div>
            <div class="ai-refresh">
                <label for="ai-section">"Refresh one section"</label>
                <select id="ai-section" on:change=move |e| section.set(event_target_value(&e))>
                    {SectionKey::ALL.into_iter().filter(|k| *k != SectionKey::WhyWeWin).map(|k| view! {
                        <option value=k.as_str()>{k.label()}</option>
                    }).collect_view()}
                </select>
                <button type="button" class="button secondary" disabled=blocked on:click=ask(Agent::SectionRefresher)>"Refresh"</button>
            </div>
            <Suspense>
                {move || Suspend::new(async move {
                    status.await.ok().map(|s| {
                        let admin = s.month.is_some();
                        view! {
                            {(admin && s.external_configured).then(|| view! {
                                <div class="ai-provider">
                                    <label for="ai-provider">"Provider for this request"</label>
                                    <select id="ai-provider" prop:value=move || provider.get() on:change=move |e| provider.set(event_target_value(&e))>
                                        <option value="">{format!("Default ({})", if s.provider == "builtin" { "built-in engine" } else { "OpenAI-compatible" })}</option>
                                        <option value="builtin">"Built-in engine"</option>
                                        <option value="openai">{format!("OpenAI-compatible ({})", if s.provider == "openai" { s.model.clone() } else { "configured model".into() })}</option>
                                    </select>
                                </div>
                            })}
                            <details class="ai-budget">
                                <summary class="small">"Your AI budget"</summary>
                                <BudgetMeters lines=s.today.clone()/>
                            </details>
                        }
                    })
                })}
            </Suspense>
            <label class="small regenerate">
                <input type="checkbox" prop:checked=move || regenerate.get() on:change=move |e| regenerate.set(event_target_checked(&e))/>
                " Regenerate (ignore the saved answer for the same sources)"
            </label>
            {move || request.value().get().and_then(Result::ok).map(|job| view! {
                <JobProgress job link_text="Review the draft"/>
            })}
        </section>
    }
}

/// The warning an editor sees while the saved version has unverified AI claims.
#[component]
pub fn UnverifiedWarning(unverified: Signal<UnverifiedClaims>) -> impl IntoView {
    move || {
        let u = unverified.get();
        (u.count > 0).then(|| view! {
            <div class="notice unverified-warning" role="note">
                <p><strong>{format!("{} AI claim{} on this version could not be verified.", u.count, if u.count == 1 { "" } else { "s" })}</strong>
                " Edit or remove them, or publish with the override."</p>
                <ul class="small">{u.examples.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
            </div>
        })
    }
}
