//! "Dana is editing · Ann is viewing": who else has this card open right now. The tab
//! announces the card over the live connection when shown and leaves when closed.
use domain::types::{CardId, UserId};
use leptos::prelude::*;

use crate::live::use_live;

/// Who else is on card `card_id`; `me` is the person looking, left out of the list.
#[island]
pub fn PresenceBar(card_id: CardId, editing: bool, me: Option<UserId>) -> impl IntoView {
    let live = use_live();
    #[cfg(not(feature = "hydrate"))]
    let _ = editing;
    #[cfg(feature = "hydrate")]
    {
        let card = card_id.clone();
        Effect::new(move |_| live.watch(Some(card.clone()), editing));
        on_cleanup(move || live.watch(None, false));
    }
    let others = Memo::new(move |_| {
        live.presence.with(|p| {
            p.get(&card_id)
                .map(|people| {
                    people
                        .iter()
                        .filter(|p| Some(&p.user_id) != me.as_ref())
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
}
