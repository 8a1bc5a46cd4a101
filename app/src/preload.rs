//! The `<link rel="preload">` hints for the WASM chunks a server-rendered page needs,
//! so the browser fetches them while the main bundle is still compiling.
//!
//! leptos_axum writes these hints itself, but as one `leptos_meta::Link` component per
//! chunk: 54–210 components on every page, about a tenth of the server's time per
//! request (perf, the sign-in page and the card editor). Here the same hints are written
//! as one string at the end of the body (`preload` and `modulepreload` links are allowed
//! there), and the list leptos_axum works from is emptied so it writes nothing. The shell
//! is rendered on the server only, so nothing here is hydrated.
use std::collections::HashSet;
use std::fmt::Write;

use leptos::prelude::*;
use leptos::tachys::html::InertElement;
use leptos::{PrefetchLazyFn, WasmSplitManifest};

/// Renders, after the app, the hints for every chunk the rendered routes loaded.
#[component]
pub fn ChunkPreloads() -> impl IntoView {
    // The page's root owner: the chunk list is provided there after the app is built.
    let owner = Owner::current();
    move || {
        let html = owner
            .as_ref()
            .and_then(|owner| owner.with(preload_links))
            .unwrap_or_default();
        InertElement::new(html)
    }
}

/// Takes the chunks the page loaded and writes their links, or `None` when this is not
/// a split build (no manifest) or nothing was loaded lazily.
fn preload_links() -> Option<String> {
    let loaded = use_context::<PrefetchLazyFn>()?;
    let manifest = use_context::<WasmSplitManifest>()?;
    let manifest = manifest.0.try_read_value()?;
    let (pkg_path, chunks_of, split_js) = &*manifest;
    let loaded = std::mem::take(&mut *loaded.0.try_write_value()?);
    if loaded.is_empty() {
        return None;
    }
    let mut seen = HashSet::new();
    let mut html = String::with_capacity(4096);
    let chunks = loaded
        .iter()
        .flat_map(|key| chunks_of.get(*key).into_iter().flatten());
    for chunk in chunks.filter(|chunk| seen.insert(chunk.as_str())) {
        let _ = write!(
            html,
            r#"<link rel="preload" href="{pkg_path}/{chunk}.wasm" as="fetch" type="application/wasm" crossorigin>"#
        );
    }
    let _ = write!(
        html,
        r#"<link rel="modulepreload" href="{pkg_path}/{split_js}" crossorigin>"#
    );
    Some(html)
}
