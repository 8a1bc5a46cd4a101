//! How a page's code reaches the browser. Pages are rendered on the server only; the
//! parts that answer input in place are Leptos islands (`#[island]`). The browser
//! bundle holds the islands every page may show (the menu, live notifications), and each
//! larger island is a WASM chunk of its own (`#[island(lazy)]`, built with
//! `cargo leptos build --split`), fetched only by a page that shows it.
//!
//! Leptos' `HydrationScripts` starts the islands at the browser's next idle moment and
//! says nothing when they are done; [`IslandScripts`] starts them at once, hydrates
//! them together (each lazy one as soon as its chunk arrives) and then marks the page
//! `data-hydrated`, which the browser tests wait for. [`ChunkHints`], placed before a
//! lazy island, names its chunks, so the browser fetches them while the main module is
//! still compiling.
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

use leptos::prelude::*;
use leptos::tachys::html::InertElement;

/// What starts the islands: the bundle's preload links and an inline module script.
/// The three are the same on every page, so they are written once per process.
#[component]
pub fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    static PARTS: OnceLock<(String, String, String)> = OnceLock::new();
    let (js, wasm, script) = PARTS.get_or_init(|| {
        let bundle = format!("/{}/{}", options.site_pkg_dir, options.output_name);
        let script = format!("({})({bundle:?});", include_str!("islands.js").trim_end());
        (format!("{bundle}.js"), format!("{bundle}.wasm"), script)
    });
    let nonce = leptos::nonce::use_nonce();
    view! {
        <link rel="modulepreload" href=js.as_str()/>
        <link rel="preload" href=wasm.as_str() r#as="fetch" r#type="application/wasm" crossorigin=""/>
        <script type="module" nonce=nonce>{script.as_str()}</script>
    }
}

/// Where the chunks live, for the hints of one page.
#[derive(Clone)]
struct Hinted {
    pkg: String,
    manifest: Option<&'static HashMap<String, Vec<String>>>,
}

/// Readies the chunk hints for one page; call it at the root of the document.
pub fn provide_chunk_hints(options: &LeptosOptions) {
    provide_context(Hinted {
        pkg: format!("/{}", options.site_pkg_dir),
        manifest: manifest(options),
    });
}

/// The `<link rel="preload">` hints for the chunks of the lazy island `island` (its
/// function name in snake case) and for the split loader. Place it once per page, just
/// before the (first) island: written in the body, the hints start the downloads while
/// the main module is still compiling. It keeps no state, because the server may render
/// a suspended part of the page twice.
#[component]
pub fn ChunkHints(island: &'static str) -> impl IntoView {
    let html = use_context::<Hinted>()
        .and_then(|hinted| hint_links(island, &hinted))
        .unwrap_or_default();
    InertElement::new(html)
}

/// The split build's manifest: each split function's chunks. `None` when the bundle
/// is not split (a plain `cargo build`).
fn manifest(options: &LeptosOptions) -> Option<&'static HashMap<String, Vec<String>>> {
    static MANIFEST: OnceLock<Option<HashMap<String, Vec<String>>>> = OnceLock::new();
    MANIFEST
        .get_or_init(|| {
            let path = std::path::Path::new(options.site_root.as_ref())
                .join(options.site_pkg_dir.as_ref())
                .join("__wasm_split_manifest.json");
            let text = std::fs::read_to_string(path).ok()?;
            serde_json::from_str(&text).ok()
        })
        .as_ref()
}

fn hint_links(island: &str, hinted: &Hinted) -> Option<String> {
    // A lazy island's loader is split as `<name>_loader_<hash of its place>`.
    let chunks = hinted.manifest?.iter().find_map(|(key, chunks)| {
        key.strip_prefix(island)
            .and_then(|rest| rest.strip_prefix("_loader_"))
            .filter(|hash| hash.bytes().all(|b| b.is_ascii_digit()))
            .map(|_| chunks)
    })?;
    let mut html = format!(
        r#"<link rel="modulepreload" href="{}/__wasm_split.______________________.js">"#,
        hinted.pkg
    );
    for chunk in chunks {
        let _ = write!(
            html,
            r#"<link rel="preload" href="{}/{chunk}.wasm" as="fetch" type="application/wasm" crossorigin="">"#,
            hinted.pkg
        );
    }
    Some(html)
}

/// Runs `f` once the page is interactive: every island has started and the page is
/// marked `data-hydrated` (islands.js then sends `outrival:hydrated`). For a part whose
/// code should not compete with what the page needs to answer input.
#[cfg(feature = "hydrate")]
pub fn when_interactive(f: impl FnOnce() + 'static) {
    let ready = document()
        .body()
        .is_some_and(|body| body.has_attribute("data-hydrated"));
    if ready {
        return f();
    }
    let f = std::cell::Cell::new(Some(f));
    // The page is hydrated once: the listener has nothing left to do after that.
    let _ = window_event_listener_untyped("outrival:hydrated", move |_| {
        if let Some(f) = f.take() {
            f();
        }
    });
}
