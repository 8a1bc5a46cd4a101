//! In-process copies of rows that this process alone writes (a deployment without
//! Redis is one instance), so that reading them again costs no query. Every write drops
//! the row's copy and moves a counter on; a read stores what it read only if the counter
//! has not moved since it began, so a read that raced a write can never keep the old
//! row. Bounded: when full it starts over, which costs one query per row in use.
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

pub struct Copies<V> {
    kept: Mutex<Kept<V>>,
    max: usize,
}

struct Kept<V> {
    rows: HashMap<String, V>,
    writes: u64,
}

impl<V: Clone> Copies<V> {
    pub fn new(max: usize) -> Self {
        Self {
            kept: Mutex::new(Kept {
                rows: HashMap::new(),
                writes: 0,
            }),
            max,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Kept<V>> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The copy of `key` if there is one that `usable` accepts, else how many writes
    /// there have been so far (to hand back to `put_if_unwritten`).
    pub fn get(&self, key: &str, usable: impl FnOnce(&V) -> bool) -> Result<V, u64> {
        let kept = self.lock();
        kept.rows
            .get(key)
            .filter(|v| usable(v))
            .cloned()
            .ok_or(kept.writes)
    }

    /// Keeps what a read found, unless a write happened after `writes_before`.
    pub fn put_if_unwritten(&self, key: String, value: V, writes_before: u64) {
        let mut kept = self.lock();
        if kept.writes != writes_before {
            return;
        }
        if kept.rows.len() >= self.max {
            kept.rows.clear();
        }
        kept.rows.insert(key, value);
    }

    /// Call after every write to the row of `key`.
    pub fn written(&self, key: &str) {
        let mut kept = self.lock();
        kept.writes += 1;
        kept.rows.remove(key);
    }
}

impl<V> std::fmt::Debug for Copies<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Copies")
            .field("max", &self.max)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let copies = Copies::new(10);
        let before = copies.get("a", |_| true).unwrap_err();
        copies.written("a");
        copies.put_if_unwritten("a".into(), 1, before);
        assert!(
            copies.get("a", |_| true).is_err(),
            "the older read was dropped"
        );

        let before = copies.get("a", |_| true).unwrap_err();
        copies.put_if_unwritten("a".into(), 2, before);
        assert_eq!(
            copies.get("a", |_| true),
            Ok(2),
            "a read with no write meanwhile is kept"
        );
        assert!(
            copies.get("a", |v| *v > 2).is_err(),
            "a copy the caller rejects is not used"
        );
        copies.written("a");
        assert!(copies.get("a", |_| true).is_err(), "a write drops the copy");
    }

    #[test]
    fn a_full_store_starts_over() {
        let copies = Copies::new(2);
        for key in ["a", "b", "c"] {
            copies.put_if_unwritten(key.into(), 0, 0);
        }
        assert!(copies.get("a", |_| true).is_err());
        assert_eq!(copies.get("c", |_| true), Ok(0));
    }
}
