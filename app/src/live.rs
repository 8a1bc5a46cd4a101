//! The tab's live connection to `/ws`: opened on every page of a signed-in person, reopened
//! with growing, jittered delays (1 s doubling to 30 s) when it drops, and not reopened
//! when the server says the session ended. Events land in signals that components read:
//! job progress by job id and presence by card id. Announcing a card is remembered and
//! repeated after a reconnect.
use std::collections::HashMap;

use domain::types::{CardId, ClientMessage, Event, JobId, JobState, PresenceEntry};
use leptos::prelude::*;

/// The latest word on a job, from its live events.
#[derive(Clone, Debug, PartialEq)]
pub struct JobLive {
    pub percent: u8,
    pub step: String,
    /// Set once the job has finished: its state, message and link.
    pub finished: Option<(JobState, String, Option<String>)>,
}

/// A notification on screen until dismissed.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub id: u32,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
}

#[derive(Clone, Copy)]
pub struct Live {
    pub jobs: RwSignal<HashMap<JobId, JobLive>>,
    pub presence: RwSignal<HashMap<CardId, Vec<PresenceEntry>>>,
    /// Notifications not yet dismissed, oldest first.
    pub notifications: RwSignal<Vec<Notice>>,
    pub connected: RwSignal<bool>,
    watching: StoredValue<Option<(CardId, bool)>>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    socket: SocketSlot,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    failures: StoredValue<u32>,
}

impl Live {
    fn new() -> Self {
        Self {
            jobs: RwSignal::new(HashMap::new()),
            presence: RwSignal::new(HashMap::new()),
            notifications: RwSignal::new(Vec::new()),
            connected: RwSignal::new(false),
            watching: StoredValue::new(None),
            socket: new_slot(),
            failures: StoredValue::new(0),
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn apply(&self, event: Event) {
        match event {
            Event::JobProgress {
                job_id,
                percent,
                step,
            } => self.jobs.update(|jobs| {
                let entry = jobs.entry(job_id).or_insert(JobLive {
                    percent,
                    step: step.clone(),
                    finished: None,
                });
                // Never move backwards, even if a late event arrives out of turn.
                if entry.finished.is_none() && percent >= entry.percent {
                    entry.percent = percent;
                    entry.step = step;
                }
            }),
            Event::JobFinished {
                job_id,
                state,
                message,
                link,
            } => self.jobs.update(|jobs| {
                let entry = jobs.entry(job_id).or_insert(JobLive {
                    percent: 0,
                    step: String::new(),
                    finished: None,
                });
                if state == JobState::Succeeded {
                    entry.percent = 100;
                }
                entry.finished = Some((state, message, link));
            }),
            Event::Presence { card_id, people } => self.presence.update(|p| {
                p.insert(card_id, people);
            }),
            Event::Notification { title, body, link } => self.notifications.update(|n| {
                let id = n.last().map_or(1, |last| last.id + 1);
                n.push(Notice {
                    id,
                    title,
                    body,
                    link,
                });
                // A handful at most; the oldest go first.
                if n.len() > 3 {
                    n.remove(0);
                }
            }),
        }
    }

    /// Announces that this tab shows `card_id` (or nothing), editing or not.
    pub fn watch(&self, card_id: Option<CardId>, editing: bool) {
        let message = ClientMessage::Watch {
            card_id: card_id.clone(),
            editing,
        };
        self.watching.set_value(card_id.map(|card| (card, editing)));
        self.send(&message);
    }

    fn send(&self, message: &ClientMessage) {
        #[cfg(feature = "hydrate")]
        if let Ok(text) = serde_json::to_string(message) {
            self.socket.with_value(|s| {
                if let Some(c) = s {
                    if c.ws.ready_state() == web_sys::WebSocket::OPEN {
                        let _ = c.ws.send_with_str(&text);
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = message;
    }
}

// The browser's socket is not `Send`; on the server (which never opens one) a local
// slot would be dropped on another thread at the end of the request, so it is plain.
#[cfg(feature = "hydrate")]
type SocketSlot = StoredValue<Option<client::Connection>, LocalStorage>;
#[cfg(not(feature = "hydrate"))]
type SocketSlot = StoredValue<Option<client::Connection>>;

fn new_slot() -> SocketSlot {
    #[cfg(feature = "hydrate")]
    return StoredValue::new_local(None);
    #[cfg(not(feature = "hydrate"))]
    StoredValue::new(None)
}

/// The tab's live connection. In the browser there is one for the page, shared by its
/// islands; on the server each caller gets a quiet one, so islands render their state
/// before any event.
pub fn use_live() -> Live {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static LIVE: std::cell::OnceCell<Live> = const { std::cell::OnceCell::new() };
        }
        LIVE.with(|cell| {
            *cell.get_or_init(|| {
                // Owned by no island: it lives as long as the page.
                let owner = Owner::new_root(None);
                let live = owner.with(Live::new);
                std::mem::forget(owner);
                live
            })
        })
    }
    #[cfg(not(feature = "hydrate"))]
    Live::new()
}

/// Notifications that arrive over the live connection, each with a Dismiss button. On
/// every page of a signed-in person; it opens the connection.
#[island]
pub fn LiveNotifications() -> impl IntoView {
    let live = use_live();
    #[cfg(feature = "hydrate")]
    client::connect(live);
    view! {
        // A live region without the `status` role: pages have their own status lines.
        <div class="toasts" aria-live="polite">
            <For each=move || live.notifications.get() key=|n| n.id let:n>
                <div class="toast">
                    <p><strong>{n.title.clone()}</strong></p>
                    <p class="small">{n.body.clone()}</p>
                    {n.link.clone().map(|href| view! { <a class="small" href=href>"Details"</a> })}
                    <button type="button" class="link-button small"
                        on:click=move |_| live.notifications.update(|all| all.retain(|x| x.id != n.id))>"Dismiss"</button>
                </div>
            </For>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use std::time::Duration;

    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    use super::*;

    /// Closed by the server because the session ended: reconnecting cannot help.
    const SESSION_ENDED: u16 = 4401;

    pub struct Connection {
        pub ws: WebSocket,
        _open: Closure<dyn FnMut()>,
        _message: Closure<dyn FnMut(MessageEvent)>,
        _close: Closure<dyn FnMut(CloseEvent)>,
    }

    pub fn connect(live: Live) {
        if live.socket.with_value(|s| s.is_some()) {
            return;
        }
        let location = window().location();
        let scheme = match location.protocol().ok().as_deref() {
            Some("https:") => "wss",
            _ => "ws",
        };
        let host = location.host().unwrap_or_default();
        let Ok(ws) = WebSocket::new(&format!("{scheme}://{host}/ws")) else {
            retry_later(live);
            return;
        };
        let open = Closure::<dyn FnMut()>::new(move || {
            live.failures.set_value(0);
            live.connected.set(true);
            if let Some((card, editing)) = live.watching.get_value() {
                live.send(&ClientMessage::Watch {
                    card_id: Some(card),
                    editing,
                });
            }
        });
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(text) = e.data().as_string() {
                if let Ok(event) = serde_json::from_str::<Event>(&text) {
                    live.apply(event);
                }
            }
        });
        let close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            live.connected.set(false);
            let code = e.code();
            // The connection owns this very closure: drop it only after it returns.
            set_timeout(
                move || {
                    live.socket.set_value(None);
                    if code != SESSION_ENDED {
                        retry_later(live);
                    }
                },
                Duration::ZERO,
            );
        });
        ws.set_onopen(Some(open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(close.as_ref().unchecked_ref()));
        live.socket.set_value(Some(Connection {
            ws,
            _open: open,
            _message: message,
            _close: close,
        }));
    }

    fn retry_later(live: Live) {
        let failures = live.failures.get_value().saturating_add(1);
        live.failures.set_value(failures);
        let ceiling = (1_000u64 << failures.min(5)).min(30_000);
        // Jitter spreads reconnects after a restart across half the delay.
        let delay = ceiling / 2 + (js_sys::Math::random() * (ceiling / 2) as f64) as u64;
        set_timeout(move || connect(live), Duration::from_millis(delay));
    }
}

#[cfg(not(feature = "hydrate"))]
mod client {
    /// The server never opens sockets; this only keeps the field's type.
    pub struct Connection;
}
