//! Slow clients are cut off. These run on Tokio's paused clock, which moves on by
//! itself whenever nothing is ready to run: each limit is checked to the second, and a
//! client trickling bytes for a minute takes no time at all. What runs is the server's
//! own connection loop (`serve`, the request-head limit) and its request deadline, with
//! the limits of a deployment (HTTP_HEADER_TIMEOUT 10 s, REQUEST_TIMEOUT 30 s).
use std::net::SocketAddr;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, Instant};

const HEAD_LIMIT: Duration = Duration::from_secs(10);
const ANSWER_LIMIT: Duration = Duration::from_secs(30);

async fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = Router::new()
        .route("/", get(|| async { "ok" }))
        .route("/echo", post(|body: String| async move { body }))
        .layer(axum::middleware::from_fn_with_state(
            ANSWER_LIMIT,
            server::middleware::deadline::answer_within,
        ));
    tokio::spawn(server::serve::serve(
        listener,
        router,
        HEAD_LIMIT,
        std::future::pending(),
    ));
    addr
}

/// Everything `stream` says until it closes (or ten minutes pass on the clock).
async fn answer(stream: &mut (impl AsyncRead + Unpin)) -> String {
    let mut seen = Vec::new();
    let read = async {
        let mut buf = [0u8; 1024];
        while let Ok(n @ 1..) = stream.read(&mut buf).await {
            seen.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(600), read)
        .await
        .expect("the server closes the connection");
    String::from_utf8_lossy(&seen).into_owned()
}

/// Writes `bytes` one at a time, `every` apart, until the server stops listening.
fn trickle(
    mut write: tokio::net::tcp::OwnedWriteHalf,
    bytes: Vec<u8>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for byte in bytes {
            if write.write_all(&[byte]).await.is_err() {
                return;
            }
            sleep(every).await;
        }
        // Keep the connection open (half-closed writes would end the request).
        std::future::pending::<()>().await;
    })
}

fn assert_took(started: Instant, limit: Duration, what: &str) {
    let took = started.elapsed();
    assert!(
        took >= limit && took < limit + Duration::from_secs(1),
        "{what}: cut off after {took:?}, the limit is {limit:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_request_head_must_arrive_within_the_limit() {
    let addr = serve().await;

    // Half a request head, then silence.
    let mut half = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    half.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let said = answer(&mut half).await;
    assert!(!said.contains("200 OK"), "{said}");
    assert_took(started, HEAD_LIMIT, "a half-sent head");

    // A connection that never says anything.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    assert_eq!(answer(&mut silent).await, "");
    assert_took(started, HEAD_LIMIT, "a silent connection");

    // A head byte by byte, a byte a second: longer than the limit in all.
    let (mut read, write) = TcpStream::connect(addr).await.unwrap().into_split();
    let started = Instant::now();
    let head = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: yes\r\n\r\n".to_vec();
    let sender = trickle(write, head, Duration::from_secs(1));
    let said = answer(&mut read).await;
    assert!(!said.contains("200 OK"), "{said}");
    assert_took(started, HEAD_LIMIT, "a trickled head");
    sender.abort();

    // A head that is slow but complete within the limit is served.
    let (mut read, write) = TcpStream::connect(addr).await.unwrap().into_split();
    let head = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec();
    assert!(head.len() * 200 < HEAD_LIMIT.as_millis() as usize);
    let sender = trickle(write, head, Duration::from_millis(200));
    let said = answer(&mut read).await;
    assert!(said.starts_with("HTTP/1.1 200 OK"), "{said}");
    assert!(said.ends_with("ok"), "{said}");
    sender.abort();
}

#[tokio::test(start_paused = true)]
async fn a_request_must_arrive_and_be_answered_within_the_limit() {
    let addr = serve().await;
    let head = |length: usize| {
        format!(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n\
             Content-Length: {length}\r\nConnection: close\r\n\r\n"
        )
    };

    // A body trickled a byte a second, 100 bytes: 408 in the one error shape, at the limit.
    let (mut read, mut write) = TcpStream::connect(addr).await.unwrap().into_split();
    let started = Instant::now();
    write.write_all(head(100).as_bytes()).await.unwrap();
    let sender = trickle(write, vec![b'a'; 100], Duration::from_secs(1));
    let said = answer(&mut read).await;
    assert!(said.starts_with("HTTP/1.1 408"), "{said}");
    assert!(
        said.contains(r#""code":"request_timeout""#),
        "the one error shape: {said}"
    );
    assert_took(started, ANSWER_LIMIT, "a trickled body");
    sender.abort();

    // The same pace for 20 bytes finishes within the limit: answered in full.
    let (mut read, mut write) = TcpStream::connect(addr).await.unwrap().into_split();
    write.write_all(head(20).as_bytes()).await.unwrap();
    let sender = trickle(write, vec![b'b'; 20], Duration::from_secs(1));
    let said = answer(&mut read).await;
    assert!(said.starts_with("HTTP/1.1 200 OK"), "{said}");
    assert!(said.ends_with(&"b".repeat(20)), "{said}");
    sender.abort();
}
