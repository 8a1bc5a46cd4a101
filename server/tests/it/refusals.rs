//! Every endpoint outside Leptos — downloads, the live socket, CSRF and session
//! refusals, metrics, a wrong method — refuses in the one error shape,
//! `{"error":{"code","message","request_id"}}`, quoting the request id its response
//! header carries.
use reqwest::RequestBuilder;
use serde_json::Value;

use crate::backend_test;
use crate::common::cards::{new_card, new_competitor};
use crate::common::{Backend, TestApp};

/// Sends `request` and asserts a refusal in the standard shape with `status` and `code`.
async fn assert_refusal(what: &str, request: RequestBuilder, status: u16, code: &str) {
    let res = request.send().await.expect("request");
    let got = res.status().as_u16();
    let request_id = res
        .headers()
        .get("x-request-id")
        .unwrap_or_else(|| panic!("{what}: no x-request-id"))
        .to_str()
        .unwrap()
        .to_string();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = res.text().await.unwrap();
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: not JSON ({got}): {text}"));
    assert_eq!(
        (got, body["error"]["code"].as_str()),
        (status, Some(code)),
        "{what}: {body}"
    );
    assert!(
        content_type.starts_with("application/json"),
        "{what}: {content_type}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.len() > 10),
        "{what}: a sentence: {body}"
    );
    assert_eq!(
        body["error"]["request_id"], request_id,
        "{what}: the request id of the response"
    );
}

async fn refusals_outside_leptos_share_one_shape(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("METRICS_TOKEN", "metrics-secret-42")]).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let acme = new_competitor(&admin, "Acme").await;
    let card = new_card(&admin, &acme, "Acme card").await;
    let url = |path: &str| format!("{}{path}", app.base);
    let anonymous = app.browser();

    // Card downloads.
    let get = |path: &str| admin.client.get(url(path));
    assert_refusal(
        "export as txt",
        get(&format!("/cards/{card}/export/txt")),
        404,
        "not_found",
    )
    .await;
    assert_refusal(
        "export of an unknown card",
        get("/cards/no-such-card/export/pdf"),
        404,
        "not_found",
    )
    .await;
    assert_refusal(
        "export with a bad query",
        get(&format!("/cards/{card}/export/pdf?published=maybe")),
        400,
        "bad_request",
    )
    .await;

    // A state-changing request from another site.
    assert_refusal(
        "cross-site post",
        admin
            .client
            .post(url("/api/auth/logout"))
            .header("accept", "application/json")
            .header("origin", "https://evil.example"),
        403,
        "csrf_rejected",
    )
    .await;

    // The live socket: no session, another site, not a WebSocket handshake.
    assert_refusal(
        "anonymous socket",
        anonymous.client.get(url("/ws")),
        401,
        "sign_in_required",
    )
    .await;
    assert_refusal(
        "socket from another site",
        get("/ws").header("origin", "https://evil.example"),
        403,
        "origin_rejected",
    )
    .await;
    assert_refusal("plain GET of /ws", get("/ws"), 400, "bad_request").await;

    // Metrics without (or with the wrong) token.
    assert_refusal(
        "metrics without a token",
        anonymous.client.get(url("/metrics")),
        401,
        "unauthenticated",
    )
    .await;
    assert_refusal(
        "metrics with a wrong token",
        anonymous
            .client
            .get(url("/metrics"))
            .header("authorization", "Bearer guess"),
        401,
        "unauthenticated",
    )
    .await;

    // An address asked with a method it does not take.
    assert_refusal(
        "GET of a server function",
        anonymous
            .client
            .get(url("/api/auth/login"))
            .header("accept", "application/json"),
        405,
        "method_not_allowed",
    )
    .await;
    assert_refusal(
        "POST to /health/live",
        anonymous.client.post(url("/health/live")),
        405,
        "method_not_allowed",
    )
    .await;
}
backend_test!(refusals_outside_leptos_share_one_shape);

/// A session the store cannot read (here: a corrupt record) is the store failing:
/// 503, in the same shape, not a crash and not a silent sign-out.
async fn an_unreadable_session_store_answers_503(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("Ann Admin", "ann@example.com").await;
    // A well-formed session id (base64 of 16 bytes) that the store holds as garbage.
    let id = "QUJDREVGR0hJSktMTU5PUA";
    match &app.redis_prefix {
        None => {
            sqlx::query("INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(b"not a session".to_vec())
                .bind(i64::MAX / 2)
                .execute(app.services().db().pool())
                .await
                .unwrap();
        }
        Some(prefix) => {
            use fred::prelude::*;
            let redis = app.redis().await;
            let _: () = redis
                .set(
                    format!("{prefix}session:{id}"),
                    "not a session",
                    Some(fred::types::Expiration::EX(600)),
                    None,
                    false,
                )
                .await
                .unwrap();
        }
    }
    let browser = app.browser().with_cookie(id);
    assert_refusal(
        "server function with a corrupt session",
        browser
            .client
            .post(url_of(&app, "/api/auth/whoami"))
            .header("accept", "application/json"),
        503,
        "unavailable",
    )
    .await;
    assert_refusal(
        "page with a corrupt session",
        browser.client.get(url_of(&app, "/")),
        503,
        "unavailable",
    )
    .await;
}
backend_test!(an_unreadable_session_store_answers_503);

fn url_of(app: &TestApp, path: &str) -> String {
    format!("{}{path}", app.base)
}
