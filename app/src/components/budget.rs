//! How much of the AI budgets is used: one meter per budget.
use domain::types::BudgetLine;
use leptos::prelude::*;

#[component]
pub fn BudgetMeters(lines: Vec<BudgetLine>) -> impl IntoView {
    view! {
        <ul class="budgets">
            {lines.into_iter().map(|l| {
                let full = l.limit == 0 || l.used >= l.limit;
                view! {
                    <li class:full=full>
                        <span class="small">{l.label.clone()}": "<strong>{l.describe()}</strong></span>
                        <meter min="0" max="100" low="70" high="90" optimum="0" value=l.percent() aria-label=l.label.clone()></meter>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
