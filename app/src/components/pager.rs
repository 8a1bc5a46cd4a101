//! Previous / next links for paginated lists, driven by the `page` query parameter.
use leptos::prelude::*;

#[component]
pub fn Pager(
    /// The path the links point to; `page=` is appended with the other parameters.
    #[prop(into)]
    base: String,
    /// Other query parameters to keep, already encoded ("q=dana&").
    #[prop(into, default = String::new())]
    keep: String,
    page: u32,
    page_count: u32,
    total: u64,
    /// What is counted, singular and plural: ("person", "people").
    noun: (&'static str, &'static str),
) -> impl IntoView {
    let link = move |p: u32| format!("{base}?{keep}page={p}");
    let (prev, next) = (link(page.saturating_sub(1).max(1)), link(page + 1));
    view! {
        <nav class="pager" aria-label="Pagination">
            <span class="muted">
                {format!("{total} {}", if total == 1 { noun.0 } else { noun.1 })}
                {(page_count > 1).then(|| format!(" · page {page} of {page_count}"))}
            </span>
            <span class="pager-links">
                {(page > 1).then(|| view! { <a class="button secondary" href=prev rel="prev">"← Previous"</a> })}
                {(page < page_count).then(|| view! { <a class="button secondary" href=next rel="next">"Next →"</a> })}
            </span>
        </nav>
    }
}
