//! The browser entry. Pages are rendered on the server; this starts the islands in them
//! (the parts that answer input in place, see `app::preload`). The page's script calls
//! `hydrate` once the bundle is compiled and then hydrates each island on the page.
#![forbid(unsafe_code)]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    app::start_islands();
}
