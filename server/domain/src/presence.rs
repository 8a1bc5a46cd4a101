//! Who is looking at or editing a card right now. Each open tab that announces a card
//! holds an entry with an expiry that its socket renews on every heartbeat, so a tab
//! whose instance died disappears by itself. In process without Redis; in a Redis
//! hash per card (one field per tab) with Redis, so every instance sees every tab.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use fred::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache::Cache;
use crate::time::now_ms;
use crate::types::{CardId, PresenceEntry, UserId};

/// How long a tab stays present without a renewal.
pub const PRESENCE_TTL: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Held {
    entry: PresenceEntry,
    expires_at: i64,
}

#[derive(Clone)]
pub struct Presence(Store);

#[derive(Clone)]
enum Store {
    /// Card → tab → what the tab holds.
    Memory(Arc<Mutex<HashMap<CardId, HashMap<String, Held>>>>),
    Redis {
        pool: fred::clients::Pool,
        prefix: String,
    },
}

impl Presence {
    /// Presence kept where the cache keeps its counters.
    pub fn for_cache(cache: &Cache) -> Self {
        match cache {
            Cache::Memory(_) => Presence(Store::Memory(Arc::default())),
            Cache::Redis { pool, prefix } => Presence(Store::Redis {
                pool: pool.clone(),
                prefix: prefix.clone(),
            }),
        }
    }

    /// Records (or renews) that tab `tab` shows `card_id`.
    pub async fn join(
        &self,
        card_id: &CardId,
        tab: &str,
        entry: PresenceEntry,
    ) -> anyhow::Result<()> {
        let held = Held {
            entry,
            expires_at: now_ms() + PRESENCE_TTL.as_millis() as i64,
        };
        match &self.0 {
            Store::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                map.entry(card_id.clone())
                    .or_default()
                    .insert(tab.to_string(), held);
                Ok(())
            }
            Store::Redis { pool, prefix } => {
                let key = format!("{prefix}presence:{card_id}");
                let value = serde_json::to_string(&held)?;
                let _: i64 = pool
                    .hset(&key, (tab, value))
                    .await
                    .context("Failed to record presence")?;
                // The whole hash goes when its last tab stops renewing.
                let _: bool = pool
                    .pexpire(&key, PRESENCE_TTL.as_millis() as i64, None)
                    .await
                    .context("Failed to record presence")?;
                Ok(())
            }
        }
    }

    /// Removes tab `tab` from `card_id`.
    pub async fn leave(&self, card_id: &CardId, tab: &str) -> anyhow::Result<()> {
        match &self.0 {
            Store::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(tabs) = map.get_mut(card_id) {
                    tabs.remove(tab);
                    if tabs.is_empty() {
                        map.remove(card_id);
                    }
                }
                Ok(())
            }
            Store::Redis { pool, prefix } => {
                let _: i64 = pool
                    .hdel(format!("{prefix}presence:{card_id}"), tab)
                    .await
                    .context("Failed to remove presence")?;
                Ok(())
            }
        }
    }

    /// Everyone present on `card_id`, one entry per person (editing if any of their
    /// tabs edits), sorted by name. Expired tabs are dropped on the way.
    pub async fn people(&self, card_id: &CardId) -> anyhow::Result<Vec<PresenceEntry>> {
        let now = now_ms();
        let held: Vec<Held> = match &self.0 {
            Store::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                let Some(tabs) = map.get_mut(card_id) else {
                    return Ok(Vec::new());
                };
                tabs.retain(|_, h| h.expires_at > now);
                tabs.values().cloned().collect()
            }
            Store::Redis { pool, prefix } => {
                let key = format!("{prefix}presence:{card_id}");
                let tabs: HashMap<String, String> = pool
                    .hgetall(&key)
                    .await
                    .context("Failed to read presence")?;
                let mut live = Vec::new();
                let mut expired = Vec::new();
                for (tab, value) in tabs {
                    match serde_json::from_str::<Held>(&value) {
                        Ok(h) if h.expires_at > now => live.push(h),
                        _ => expired.push(tab),
                    }
                }
                if !expired.is_empty() {
                    let _: i64 = pool.hdel(&key, expired).await.unwrap_or(0);
                }
                live
            }
        };
        Ok(merge(held.into_iter().map(|h| h.entry)))
    }
}

fn merge(entries: impl Iterator<Item = PresenceEntry>) -> Vec<PresenceEntry> {
    let mut by_user: HashMap<UserId, PresenceEntry> = HashMap::new();
    for e in entries {
        by_user
            .entry(e.user_id.clone())
            .and_modify(|p| p.editing |= e.editing)
            .or_insert(e);
    }
    let mut people: Vec<PresenceEntry> = by_user.into_values().collect();
    people.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
    people
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(user: &str, editing: bool) -> PresenceEntry {
        PresenceEntry {
            user_id: user.into(),
            name: user.to_uppercase(),
            editing,
        }
    }

    #[tokio::test]
    async fn tabs_of_one_person_merge_and_leave() {
        let p = Presence(Store::Memory(Arc::default()));
        let card = CardId::from("c");
        p.join(&card, "t1", entry("dana", false)).await.unwrap();
        p.join(&card, "t2", entry("dana", true)).await.unwrap();
        p.join(&card, "t3", entry("ann", false)).await.unwrap();
        let people = p.people(&card).await.unwrap();
        assert_eq!(people, vec![entry("ann", false), entry("dana", true)]);
        p.leave(&card, "t2").await.unwrap();
        p.leave(&card, "t3").await.unwrap();
        assert_eq!(p.people(&card).await.unwrap(), vec![entry("dana", false)]);
        assert!(p.people(&CardId::from("other")).await.unwrap().is_empty());
    }
}
