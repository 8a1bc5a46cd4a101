//! `/ws`: one WebSocket per tab carrying live events. The session cookie authenticates
//! it (no signed-in user → 401), the Origin must be ours (403 otherwise), and each
//! socket forwards only what its user may see: their own job events, admin events to
//! admins, and presence for the one card the tab announced (checked when announced).
//! The server pings every [`HEARTBEAT`]; a socket silent for [`SILENCE_LIMIT`] is
//! closed, and so is one whose session has ended (sign-out, password change,
//! disabled account) by the next re-check.
use std::time::Duration;

use app::error::ErrorCode;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use domain::accounts::CurrentUser;
use domain::events::{Audience, Envelope};
use domain::sessions::{SessionAuth, AUTH_KEY};
use domain::types::{CardId, ClientMessage, Event, PresenceEntry, Role};
use domain::Services;
use http::{header, HeaderMap};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;
use tower_sessions::session::Id;
use tower_sessions::session_store::SessionStore;
use tower_sessions::Session;

use crate::error::HttpError;
use crate::middleware::csrf::same_origin;
use crate::startup::AppState;

/// How often the server pings (and renews presence).
const HEARTBEAT: Duration = Duration::from_secs(20);
/// A socket that sent nothing (not even a pong) for this long is closed.
const SILENCE_LIMIT: Duration = Duration::from_secs(60);
/// How often the session behind a socket is checked again.
const SESSION_RECHECK: Duration = Duration::from_secs(30);
/// Largest message a browser may send (they are tiny JSON commands).
const MAX_MESSAGE: usize = 16 * 1024;

pub async fn socket(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    session: Session,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, HttpError> {
    let Some(Extension(user)) = user else {
        return Err(HttpError::new(
            ErrorCode::SignInRequired,
            "Sign in to receive live updates.",
        ));
    };
    // Browsers always send Origin on a WebSocket handshake; a page on another site must
    // not ride on this user's cookie.
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let ours = origin
            .to_str()
            .is_ok_and(|o| same_origin(o, host, &state.public_origin));
        if !ours {
            tracing::warn!(origin = ?origin, "refused a WebSocket from another origin");
            return Err(HttpError::new(
                ErrorCode::OriginRejected,
                "This connection came from another site and was refused.",
            ));
        }
    }
    let upgrade = upgrade.map_err(HttpError::unreadable)?;
    let auth = session.get::<SessionAuth>(AUTH_KEY).await.ok().flatten();
    let session_id = session.id();
    let services = state.services.clone();
    Ok(upgrade
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        // Messages are tiny; the 128 KiB default buffers made an idle socket cost
        // ~128 KiB of memory.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .on_upgrade(move |socket| async move {
            let connection = Connection {
                services,
                user,
                tab: uuid::Uuid::new_v4().simple().to_string(),
                watching: None,
                login: auth.zip(session_id),
            };
            connection.run(socket).await;
        }))
}

struct Connection {
    services: Services,
    user: CurrentUser,
    /// This socket's own id (a person may have several tabs).
    tab: String,
    /// The card this tab shows, and whether it edits it.
    watching: Option<(CardId, bool)>,
    /// The session to re-check (absent only if the store gave no id).
    login: Option<(SessionAuth, Id)>,
}

impl Connection {
    async fn run(mut self, mut socket: WebSocket) {
        metrics::gauge!("websocket_connections").increment(1.0);
        let mut events = self.services.events().subscribe();
        let mut heartbeat = tokio::time::interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
        let mut recheck =
            tokio::time::interval_at(Instant::now() + SESSION_RECHECK, SESSION_RECHECK);
        let mut last_heard = Instant::now();
        let close = loop {
            tokio::select! {
                incoming = socket.recv() => {
                    let Some(Ok(message)) = incoming else { break None };
                    last_heard = Instant::now();
                    match message {
                        Message::Text(text) => {
                            if let Err(reason) = self.on_message(text.as_str()).await {
                                break Some((4400, reason));
                            }
                        }
                        Message::Close(_) => break None,
                        Message::Binary(_) => break Some((1003, "Send JSON text messages.")),
                        Message::Ping(_) | Message::Pong(_) => {}
                    }
                }
                event = events.recv() => match event {
                    Ok(envelope) => match self.may_receive(&envelope).await {
                        Delivery::Send => {
                            if !send(&mut socket, &envelope.event).await {
                                break None;
                            }
                        }
                        Delivery::Skip => {}
                        Delivery::SignedOut => {
                            break Some((4401, "Your session has ended. Sign in again."));
                        }
                    },
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::warn!(skipped, "a WebSocket fell behind and skipped events");
                    }
                    Err(RecvError::Closed) => break Some((1012, "The server is restarting.")),
                },
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > SILENCE_LIMIT {
                        break Some((1001, "No answer to pings."));
                    }
                    if socket.send(Message::Ping(Default::default())).await.is_err() {
                        break None;
                    }
                    self.renew_presence().await;
                }
                _ = recheck.tick() => {
                    if !self.still_signed_in().await {
                        break Some((4401, "Your session has ended. Sign in again."));
                    }
                }
            }
        };
        if let Some((code, reason)) = close {
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code,
                    reason: Utf8Bytes::from_static(reason),
                })))
                .await;
        }
        self.unwatch().await;
        metrics::gauge!("websocket_connections").decrement(1.0);
    }

    /// Whether this socket's user may receive `envelope` now. Events for admins and for
    /// a watched card are checked against the user's role and the card's visibility as
    /// they stand at delivery, not as they stood when the socket opened or the card was
    /// watched: a demoted admin gets no admin events, and a card that became invisible
    /// (archived, unpublished) is unwatched.
    async fn may_receive(&mut self, envelope: &Envelope) -> Delivery {
        match &envelope.audience {
            Audience::User(id) => Delivery::only_if(*id == self.user.id),
            Audience::Admins => {
                if self.user.role != Role::Admin {
                    return Delivery::Skip;
                }
                if !self.refresh_user().await {
                    return Delivery::SignedOut;
                }
                Delivery::only_if(self.user.role == Role::Admin)
            }
            Audience::Card(id) => {
                if self.watching.as_ref().is_none_or(|(card, _)| card != id) {
                    return Delivery::Skip;
                }
                if !self.refresh_user().await {
                    return Delivery::SignedOut;
                }
                let visible = self
                    .services
                    .battlecards()
                    .check_visible(&self.user, id)
                    .await;
                match visible {
                    Ok(()) => {
                        // A demoted editor no longer shows as editing.
                        if let Some((_, editing)) = &mut self.watching {
                            *editing &= self.user.role.at_least(Role::Editor);
                        }
                        Delivery::Send
                    }
                    Err(domain::Error::Unexpected(e)) => {
                        tracing::warn!(error = ?e, "could not re-check a watched card");
                        Delivery::Skip
                    }
                    Err(_) => {
                        self.unwatch().await;
                        Delivery::Skip
                    }
                }
            }
        }
    }

    /// Reloads the user behind this socket (role, disabled); false when the session no
    /// longer signs anyone in. A store hiccup keeps the user as they were.
    async fn refresh_user(&mut self) -> bool {
        let Some((auth, _)) = &self.login else {
            return true;
        };
        match self.services.accounts().authenticate(auth).await {
            Ok(Some(user)) if user.id == self.user.id => {
                self.user = user;
                true
            }
            Ok(_) => false,
            Err(e) => {
                tracing::warn!(error = ?e, "could not re-check a WebSocket's user");
                true
            }
        }
    }

    /// Handles one command from the browser; `Err` closes the socket with the reason.
    async fn on_message(&mut self, text: &str) -> Result<(), &'static str> {
        let message: ClientMessage =
            serde_json::from_str(text).map_err(|_| "That message is not understood.")?;
        match message {
            ClientMessage::Ping => Ok(()),
            ClientMessage::Watch { card_id, editing } => {
                let editing = editing && self.user.role.at_least(Role::Editor);
                match card_id {
                    None => self.unwatch().await,
                    Some(card) => {
                        if self.watching.as_ref().is_some_and(|(c, _)| *c != card) {
                            self.unwatch().await;
                        }
                        // A card the user may not see is ignored, exactly like a card
                        // that does not exist: they get no presence for it.
                        if self
                            .services
                            .battlecards()
                            .check_visible(&self.user, &card)
                            .await
                            .is_ok()
                        {
                            self.watching = Some((card, editing));
                            self.renew_presence().await;
                            self.announce().await;
                        }
                    }
                }
                Ok(())
            }
        }
    }

    async fn renew_presence(&self) {
        let Some((card, editing)) = &self.watching else {
            return;
        };
        let entry = PresenceEntry {
            user_id: self.user.id.clone(),
            name: self.user.name.clone(),
            editing: *editing,
        };
        if let Err(e) = self.services.presence().join(card, &self.tab, entry).await {
            tracing::warn!(error = ?e, "failed to record presence");
        }
    }

    async fn unwatch(&mut self) {
        if self.watching.is_none() {
            return;
        }
        if let Some((card, _)) = &self.watching {
            if let Err(e) = self.services.presence().leave(card, &self.tab).await {
                tracing::warn!(error = ?e, "failed to remove presence");
            }
        }
        self.announce().await;
        self.watching = None;
    }

    /// Tells everyone on the watched card who is there now.
    async fn announce(&self) {
        let Some((card, _)) = &self.watching else {
            return;
        };
        match self.services.presence().people(card).await {
            Ok(people) => {
                let event = Event::Presence {
                    card_id: card.clone(),
                    people,
                };
                self.services
                    .events()
                    .publish(Audience::Card(card.clone()), event)
                    .await;
            }
            Err(e) => tracing::warn!(error = ?e, "failed to read presence"),
        }
    }

    /// Whether the session behind this socket still signs this user in.
    async fn still_signed_in(&mut self) -> bool {
        let Some((auth, id)) = &self.login else {
            return true;
        };
        match self.services.sessions().load(id).await {
            Ok(Some(record)) => {
                let current = record
                    .data
                    .get(AUTH_KEY)
                    .and_then(|v| serde_json::from_value::<SessionAuth>(v.clone()).ok());
                if current.as_ref() != Some(auth) {
                    return false;
                }
            }
            Ok(None) => return false,
            // A store hiccup is not a sign-out; try again at the next check.
            Err(e) => {
                tracing::warn!(error = %e, "could not re-check a WebSocket's session");
                return true;
            }
        }
        self.refresh_user().await
    }
}

/// What to do with an event on its way to a socket.
enum Delivery {
    Send,
    Skip,
    /// The socket's session no longer signs its user in: close it.
    SignedOut,
}

impl Delivery {
    fn only_if(allowed: bool) -> Self {
        if allowed {
            Delivery::Send
        } else {
            Delivery::Skip
        }
    }
}

async fn send(socket: &mut WebSocket, event: &Event) -> bool {
    match serde_json::to_string(event) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "failed to encode an event");
            true
        }
    }
}
