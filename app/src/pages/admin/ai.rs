//! The AI page for admins: which provider writes drafts, whether it answers right now,
//! the circuit breaker, and everyone's use against the budgets.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::ai::ai_status;
use crate::components::budget::BudgetMeters;
use crate::components::error::ErrorPanel;
use crate::components::guard::AdminOnly;

#[component]
pub fn AiAdminPage() -> impl IntoView {
    view! { <AdminOnly><AiAdmin/></AdminOnly> }
}

#[component]
fn AiAdmin() -> impl IntoView {
    view! {
        <Title text="AI"/>
        <div class="page-head">
            <h1>"AI"</h1>
            <p class="muted">"Who writes drafts, whether it answers, and what has been used. Settings come from the AI_* configuration variables."</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Checking the provider…"</p> }>
            {Suspend::new(async move {
                match ai_status(Some(true)).await {
                    Ok(s) => {
                        let (state, class) = match (s.provider.as_str(), s.answers, s.breaker_open) {
                            ("builtin", _, _) => ("The built-in engine runs inside Outrival and always answers.".to_string(), "ok-text"),
                            (_, _, true) => ("Paused after repeated failures: the built-in engine stands in until it recovers.".to_string(), "error-text"),
                            (_, Some(true), _) => ("Answers.".to_string(), "ok-text"),
                            (_, _, _) => (format!("Does not answer: {}.", s.answer_detail.clone().unwrap_or_default()), "error-text"),
                        };
                        view! {
                            <section class="panel" aria-labelledby="provider-heading">
                                <h2 id="provider-heading">"Provider"</h2>
                                <dl class="facts">
                                    <dt>"Active"</dt>
                                    <dd data-testid="ai-provider">{if s.provider == "builtin" { "Built-in engine (offline, deterministic)".to_string() } else { "OpenAI-compatible API".to_string() }}</dd>
                                    <dt>"Model"</dt><dd>{s.model.clone()}</dd>
                                    <dt>"State"</dt><dd class=class data-testid="ai-state">{state}</dd>
                                    <dt>"External API"</dt>
                                    <dd>{if s.external_configured { "Configured: admins can pick it per request in the editor." } else { "Not configured (AI_BASE_URL)." }}</dd>
                                </dl>
                            </section>
                            <section class="panel" aria-labelledby="budget-heading">
                                <h2 id="budget-heading">"Budgets"</h2>
                                <BudgetMeters lines=s.month.clone().unwrap_or_default()/>
                                <BudgetMeters lines=s.today.clone()/>
                                <p class="muted small">{format!("Each person may ask for {} AI drafts per hour.", s.per_user_per_hour)}</p>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
