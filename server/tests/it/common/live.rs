//! A WebSocket client that behaves like a tab's live connection to `/ws`.
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::Browser;

pub struct Socket {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How a connection attempt or a socket ended.
#[derive(Debug, PartialEq)]
pub enum Refused {
    /// The handshake got an HTTP answer instead of 101.
    Http(u16, String),
    /// The server closed the socket with this code.
    Closed(u16),
}

impl Socket {
    /// Connects to `base`'s `/ws` with `who`'s cookie and `base` as the Origin.
    pub async fn open(base: &str, who: &Browser) -> Socket {
        Socket::try_open(base, who.cookie_header(), Some(base))
            .await
            .expect("the WebSocket opens")
    }

    pub async fn try_open(
        base: &str,
        cookie: Option<String>,
        origin: Option<&str>,
    ) -> Result<Socket, Refused> {
        let mut request = format!("{}/ws", base.replacen("http://", "ws://", 1))
            .into_client_request()
            .expect("ws url");
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("cookie", cookie.parse().unwrap());
        }
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", origin.parse().unwrap());
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((ws, _)) => Ok(Socket { ws }),
            Err(Error::Http(response)) => {
                let body = response
                    .body()
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default();
                Err(Refused::Http(response.status().as_u16(), body))
            }
            Err(e) => panic!("WebSocket handshake failed: {e}"),
        }
    }

    pub async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .expect("send on the WebSocket");
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::text(text.to_string()))
            .await
            .expect("send on the WebSocket");
    }

    /// The next event within `within`: `Ok(None)` if none came, `Err` if the socket
    /// was closed.
    pub async fn next_event(&mut self, within: Duration) -> Result<Option<Value>, Refused> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let next = tokio::time::timeout_at(deadline, self.ws.next()).await;
            match next {
                Err(_) => return Ok(None),
                Ok(None) => return Err(Refused::Closed(1006)),
                Ok(Some(Err(_))) => return Err(Refused::Closed(1006)),
                Ok(Some(Ok(Message::Text(text)))) => {
                    return Ok(Some(serde_json::from_str(&text).expect("events are JSON")))
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Err(Refused::Closed(
                        frame.map(|f: CloseFrame| u16::from(f.code)).unwrap_or(1005),
                    ))
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Events until one satisfies `last` (included), failing after `within`.
    pub async fn events_until(
        &mut self,
        within: Duration,
        last: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_event(left).await {
                Ok(Some(event)) => {
                    let done = last(&event);
                    seen.push(event);
                    if done {
                        return seen;
                    }
                }
                Ok(None) => panic!("the awaited event did not arrive; saw {seen:?}"),
                Err(e) => panic!("the socket ended ({e:?}); saw {seen:?}"),
            }
        }
    }

    /// Asserts nothing arrives for `quiet`.
    pub async fn assert_silent(&mut self, quiet: Duration) {
        match self.next_event(quiet).await {
            Ok(None) => {}
            other => panic!("expected no event, got {other:?}"),
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
