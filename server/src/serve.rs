//! The HTTP/1.1 connection loop (what `axum::serve` does, plus a limit on how slowly a
//! client may send its request head, which `axum::serve` cannot set), so slow clients
//! cannot hold connections open. The time to send a body and be answered is limited
//! by the router's request timeout (REQUEST_TIMEOUT).
//!
//! HTTP/2 is not offered: browsers speak it only over TLS, which a proxy in front
//! ends, and detecting it first would wait on a silent client without a limit.
use std::future::Future;
use std::io;
use std::pin::pin;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting,
/// lets the requests in flight finish and closes idle connections. Every request
/// carries `ConnectInfo<SocketAddr>` (the peer's address).
///
/// `header_timeout` bounds the wait for a request head, from the moment the server
/// starts reading one (so it also closes connections idle between requests).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    // Connections watch this; they drop their receiver when they end.
    let (stop, stopping) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
        };
        let service = router
            .clone()
            .map_request(move |mut req: http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req.map(axum::body::Body::new)
            });
        let connection = http
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let mut connection = pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(peer = %peer, error = %e, "connection ended with an error");
            }
            drop(stopping);
        });
    }
    drop(listener);
    drop(stopping);
    let _ = stop.send(());
    stop.closed().await;
}

/// Accept fails when a client gave up before we took it (try the next one) or when
/// the process is out of file descriptors (wait for some to close).
async fn accept_failed(e: io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "failed to accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
