//! A counter of changes to what readers see — competitors, battlecards and answer
//! feedback — bumped by this process after each such write. A rendered page stamped
//! with the counter is current for as long as the counter has not moved, which holds
//! exactly when this process is the only writer (no Redis: one instance).
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct ContentRevision(Arc<AtomicU64>);

impl ContentRevision {
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Call after the write has committed.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}
