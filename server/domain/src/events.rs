//! Live events. Any part of the server publishes an [`Envelope`]: an [`Event`] and who
//! may see it. Every instance's WebSocket connections listen on one local broadcast
//! and pick out what their user may receive. Without Redis that broadcast is the whole
//! bus; with Redis, publishing goes to a Redis channel and each instance relays what
//! arrives on it to its local broadcast, so a job on instance A reaches a socket on B.
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use fred::clients::SubscriberClient;
use fred::prelude::*;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::types::{CardId, Event, UserId};

/// Who may receive an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", content = "id", rename_all = "snake_case")]
pub enum Audience {
    /// One person (all of their tabs).
    User(UserId),
    /// Tabs that announced they show this card (each checked when it announced).
    Card(CardId),
    /// Administrators.
    Admins,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub audience: Audience,
    pub event: Event,
}

/// Local buffer per instance; a socket that falls this far behind skips ahead.
const LOCAL_CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct Events {
    local: broadcast::Sender<Arc<Envelope>>,
    redis: Option<RedisLink>,
}

#[derive(Clone)]
struct RedisLink {
    publisher: fred::clients::Pool,
    channel: String,
    /// Kept so the subscription lives as long as the bus.
    _subscriber: SubscriberClient,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.redis {
            Some(link) => write!(f, "Events::Redis({:?})", link.channel),
            None => f.write_str("Events::InProcess"),
        }
    }
}

impl Events {
    /// A bus for one instance.
    pub fn in_process() -> Self {
        let (local, _) = broadcast::channel(LOCAL_CAPACITY);
        Self { local, redis: None }
    }

    /// A bus shared by every instance using the same Redis and prefix.
    pub async fn redis(
        url: &str,
        publisher: fred::clients::Pool,
        prefix: &str,
    ) -> anyhow::Result<Self> {
        let (local, _) = broadcast::channel(LOCAL_CAPACITY);
        let config = Config::from_url(url).context("REDIS_URL is not a valid Redis URL")?;
        let subscriber = Builder::from_config(config)
            .with_connection_config(|c| c.connection_timeout = Duration::from_secs(5))
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2))
            .build_subscriber_client()
            .context("Failed to build the Redis subscriber")?;
        tokio::time::timeout(Duration::from_secs(10), subscriber.init())
            .await
            .context("Timed out connecting the Redis subscriber")?
            .context("Failed to connect the Redis subscriber")?;
        let channel = format!("{prefix}events");
        let mut messages = subscriber.message_rx();
        let relay = local.clone();
        tokio::spawn(async move {
            loop {
                match messages.recv().await {
                    Ok(message) => {
                        let Some(text) = message.value.as_str() else {
                            continue;
                        };
                        match serde_json::from_str::<Envelope>(&text) {
                            Ok(envelope) => {
                                let _ = relay.send(Arc::new(envelope));
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "ignored an unreadable event from Redis")
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "the Redis event relay fell behind");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        subscriber.manage_subscriptions();
        subscriber
            .subscribe(channel.as_str())
            .await
            .context("Failed to subscribe to the Redis event channel")?;
        Ok(Self {
            local,
            redis: Some(RedisLink {
                publisher,
                channel,
                _subscriber: subscriber,
            }),
        })
    }

    /// Sends an event to everyone in its audience, on every instance. Never blocks on
    /// slow receivers; a failure to reach Redis is logged, not returned (a live update
    /// is a courtesy; the state it reports is in the database).
    pub async fn publish(&self, audience: Audience, event: Event) {
        let envelope = Envelope { audience, event };
        match &self.redis {
            None => {
                let _ = self.local.send(Arc::new(envelope));
            }
            Some(link) => {
                let text = match serde_json::to_string(&envelope) {
                    Ok(t) => t,
                    Err(e) => {
                        tracing::error!(error = %e, "failed to encode an event");
                        return;
                    }
                };
                let sent: Result<i64, _> = link
                    .publisher
                    .next()
                    .publish(link.channel.as_str(), text)
                    .await;
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "failed to publish an event to Redis");
                }
            }
        }
    }

    /// Every event that reaches this instance from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.local.subscribe()
    }

    pub fn is_redis(&self) -> bool {
        self.redis.is_some()
    }
}
