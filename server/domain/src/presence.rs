//! Who is looking at or editing a card right now. Each open tab that announces a card
//! holds a field in the card's presence map, with an expiry that its socket renews on
//! every heartbeat, so a tab whose instance died disappears by itself. The map lives in
//! the deployment's cache, so every instance sees every tab.
use std::collections::HashMap;
use std::time::Duration;

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

#[derive(Clone, Debug)]
pub struct Presence(Cache);

fn key(card_id: &CardId) -> String {
    format!("presence:{card_id}")
}

impl Presence {
    pub fn new(cache: Cache) -> Self {
        Presence(cache)
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
        // The whole map goes when its last tab stops renewing.
        self.0
            .field_put(
                &key(card_id),
                tab,
                serde_json::to_vec(&held)?.into(),
                PRESENCE_TTL,
            )
            .await
    }

    /// Removes tab `tab` from `card_id`.
    pub async fn leave(&self, card_id: &CardId, tab: &str) -> anyhow::Result<()> {
        self.0.field_remove(&key(card_id), &[tab.to_string()]).await
    }

    /// Everyone present on `card_id`, one entry per person (editing if any of their
    /// tabs edits), sorted by name. Expired tabs are dropped on the way.
    pub async fn people(&self, card_id: &CardId) -> anyhow::Result<Vec<PresenceEntry>> {
        let now = now_ms();
        let key = key(card_id);
        let mut live = Vec::new();
        let mut expired = Vec::new();
        for (tab, value) in self.0.fields(&key).await? {
            match serde_json::from_slice::<Held>(&value) {
                Ok(h) if h.expires_at > now => live.push(h.entry),
                _ => expired.push(tab),
            }
        }
        if let Err(e) = self.0.field_remove(&key, &expired).await {
            tracing::warn!(error = ?e, "failed to drop expired presence");
        }
        Ok(merge(live.into_iter()))
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
        let p = Presence::new(Cache::in_process(Default::default()));
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
