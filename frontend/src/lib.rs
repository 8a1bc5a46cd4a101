//! The browser entry: hydrates the server-rendered page. Hydration is asynchronous
//! because each page's code is a separate WASM chunk (see `app::routes`): the chunk of
//! the page the server rendered is fetched before that part of the page hydrates.
#![forbid(unsafe_code)]

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // A marker the browser tests wait for before they interact.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
