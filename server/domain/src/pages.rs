//! Rendered pages, kept so that reading a page nobody changed costs no rendering.
//!
//! A page is kept under the version of everything pages show (`page_version`, which
//! database triggers bump on every write to a table a page reads, whichever instance or
//! worker writes it), who it was rendered for, and its address. A request reads the
//! version first, so a write is seen by the very next request on every instance, and no
//! write path has to remember to invalidate anything: a kept page of an old version is
//! simply never asked for again, and goes when the size bound needs the room.
//!
//! Card views have a version of their own (`page_version.views`): reps read cards all
//! day, and a page that shows no view counts must not be rendered again for each batch
//! of views. A page whose rendering reads view counts says so ([`PageEffects::
//! shows_view_counts`]); it is kept with the views version it was rendered at, and a
//! newer one renders it again.
//!
//! Pages are kept in this process in both deployment modes: the key says exactly what
//! the page shows, so a copy is as correct on one instance as on many, and serving it
//! costs no round trip. What a page does each time it is served (recording that a card
//! was read) is kept with it as [`PageEffect`]s and done again on every serve.
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;

use crate::types::{CardId, UserId};
pub use crate::versions::Versions;

/// What serving a page does besides sending it, done again whenever a kept copy is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageEffect {
    /// The reader read this (published) card.
    CardViewed(CardId),
}

/// The effects a page's rendering asked for, and whether it read view counts. The
/// server puts one in each request it may keep the page of; rendering adds to it.
#[derive(Clone, Debug, Default)]
pub struct PageEffects(Arc<Mutex<Rendered>>);

#[derive(Debug, Default)]
struct Rendered {
    effects: Vec<PageEffect>,
    shows_view_counts: bool,
}

impl PageEffects {
    pub fn push(&self, effect: PageEffect) {
        self.lock().effects.push(effect);
    }

    /// The page shows card view counts: a later batch of views makes it stale.
    pub fn shows_view_counts(&self) {
        self.lock().shows_view_counts = true;
    }

    /// (the effects, whether the page shows view counts)
    pub fn take(&self) -> (Vec<PageEffect>, bool) {
        let mut rendered = self.lock();
        (
            std::mem::take(&mut rendered.effects),
            rendered.shows_view_counts,
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rendered> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One rendered page, ready to send: its body (compressed in an encoding the first time
/// a client asks for it), the hashes of its inline scripts (its Content-Security-Policy
/// allows exactly those), and its effects.
#[derive(Debug)]
pub struct Page {
    /// The response's headers (names and values), apart from its length and encoding.
    pub headers: Vec<(String, Vec<u8>)>,
    pub identity: Bytes,
    pub gzip: OnceLock<Bytes>,
    pub brotli: OnceLock<Bytes>,
    /// `sha256-…` sources for the Content-Security-Policy.
    pub script_hashes: Vec<String>,
    pub effects: Vec<PageEffect>,
    /// The views version it was rendered at, if it shows view counts.
    pub views: Option<i64>,
}

impl Page {
    /// Whether the page is still what a rendering at `versions` would show (the pages
    /// version is in its key already).
    pub fn is_current(&self, versions: Versions) -> bool {
        self.views.is_none_or(|views| views == versions.views)
    }
}

impl Page {
    fn weight(&self) -> u32 {
        // The compressed bodies come later; a page's weight counts them as they will
        // be (gzip about a quarter of the page, brotli a fifth).
        let bytes = self.identity.len() * 3 / 2
            + self
                .headers
                .iter()
                .map(|(n, v)| n.len() + v.len())
                .sum::<usize>()
            + self.script_hashes.iter().map(String::len).sum::<usize>()
            + 256;
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }
}

/// Where a page is kept: the version it shows, for whom, at which address.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct PageKey {
    version: i64,
    reader: Option<UserId>,
    address: String,
}

/// The kept pages.
#[derive(Clone)]
pub struct PageCache {
    /// `None` when keeping pages is turned off (every page is rendered).
    pages: Option<moka::future::Cache<PageKey, Arc<Page>>>,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("enabled", &self.pages.is_some())
            .finish()
    }
}

impl PageCache {
    /// Keeps at most `max_bytes` of pages (least used go first); 0 keeps none.
    pub fn new(max_bytes: u64) -> Self {
        let pages = (max_bytes > 0).then(|| {
            moka::future::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &PageKey, page: &Arc<Page>| {
                    page.weight()
                        .saturating_add(u32::try_from(key.address.len()).unwrap_or(u32::MAX))
                })
                .build()
        });
        PageCache { pages }
    }

    pub fn enabled(&self) -> bool {
        self.pages.is_some()
    }

    /// The key of the page at `address` (path and query) for `reader` at `version`.
    pub fn key(version: i64, reader: Option<&UserId>, address: &str) -> PageKey {
        PageKey {
            version,
            reader: reader.cloned(),
            address: address.to_string(),
        }
    }

    /// The kept page, or the one `render` makes (kept when it is `Ok`). Concurrent
    /// callers with the same key wait for one rendering instead of each rendering.
    /// `Err` is `render`'s error, shared by everyone who waited for it.
    pub async fn get_or_render<E, F>(&self, key: PageKey, render: F) -> Result<Arc<Page>, Arc<E>>
    where
        E: Send + Sync + 'static,
        F: Future<Output = Result<Arc<Page>, E>> + Send,
    {
        match &self.pages {
            Some(pages) => pages.try_get_with(key, render).await,
            None => render.await.map_err(Arc::new),
        }
    }

    /// Keeps `page` under `key`, replacing what was kept.
    pub async fn put(&self, key: PageKey, page: Arc<Page>) {
        if let Some(pages) = &self.pages {
            pages.insert(key, page).await;
        }
    }
}
