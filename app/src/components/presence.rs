//! "Dana is editing · Ann is viewing": who else has this card open right now. The tab
//! announces the card over the live connection when shown and leaves when closed.
use domain::types::CardId;
use leptos::prelude::*;

use crate::live::use_live;
use crate::Me;

#[component]
pub fn PresenceBar(card_id: CardId, editing: bool) -> impl IntoView {
    let Some(live) = use_live() else {
        return ().into_any();
    };
    let me = use_context::<Me>();
    #[cfg(not(feature = "hydrate"))]
    let _ = editing;
    #[cfg(feature = "hydrate")]
    {
        let card = card_id.clone();
        Effect::new(move |_| live.watch(Some(card.clone()), editing));
        on_cleanup(move || live.watch(None, false));
    }
    let others = Memo::new(move |_| {
        let my_id = me
            .and_then(|m| m.0.get())
            .and_then(Result::ok)
            .flatten()
            .map(|v| v.id);
        live.presence.with(|p| {
            p.get(&card_id)
                .map(|people| {
                    people
                        .iter()
                        .filter(|p| Some(&p.user_id) != my_id.as_ref())
                        .map(|p| {
                            format!(
                                "{} is {}",
                                p.name,
                                if p.editing { "editing" } else { "viewing" }
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <p class="presence small" aria-live="polite" data-testid="presence">
            {move || {
                let others = others.get();
                (!others.is_empty()).then(|| view! { <span class="presence-dot" aria-hidden="true"></span>{others.join(" · ")} })
            }}
        </p>
    }
    .into_any()
}
