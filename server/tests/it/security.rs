//! Cross-site requests, security headers, body limits and error hygiene.
use crate::backend_test;
use crate::common::{Backend, TestApp, PASSWORD};

async fn cross_origin_posts_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dana = app.signed_up("Dana", "dana@example.com").await;
    let url = format!("{}/api/auth/logout", app.base);
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let res = dana
            .client
            .post(&url)
            .header("accept", "application/json")
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{header}: {value}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "csrf_rejected");
    }
    assert_eq!(
        dana.get("/").await.status(),
        200,
        "the refused logout did nothing"
    );
    // A login form posted from another site is refused too (no session fixation via CSRF).
    let res = app
        .browser()
        .client
        .post(format!("{}/api/auth/login", app.base))
        .header("origin", "https://evil.example")
        .form(&[("email", "dana@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Same-origin requests pass.
    let res = dana
        .client
        .post(&url)
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
backend_test!(cross_origin_posts_are_refused);

async fn responses_carry_security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.browser().get("/signup").await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"), "no unsafe-inline: {csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );
    let request_id = headers["x-request-id"].to_str().unwrap();
    assert_eq!(request_id.len(), 36, "a UUID request id");
    // Every inline script may run by this response's nonce or its hash, and nothing
    // else inline; a nonce, where a response has one, is never seen again.
    let html = res.text().await.unwrap();
    crate::common::assert_scripts_allowed(&html, &csp);
    let nonce = |csp: &str| {
        csp.split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .map(str::to_string)
    };
    let mut nonces = Vec::new();
    for _ in 0..3 {
        let other = app.browser().served("/signup", "gzip").await;
        nonces.extend(nonce(&other.csp));
    }
    nonces.extend(nonce(&csp));
    let count = nonces.len();
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), count, "no nonce is sent twice");
    // Session cookie attributes.
    let res = app
        .browser()
        .client
        .post(format!("{}/api/auth/signup", app.base))
        .header("accept", "application/json")
        .form(&[
            ("name", "Dana"),
            ("email", "dana@example.com"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("outrival_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
}
backend_test!(responses_carry_security_headers);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_public_url_makes_cookies_secure_and_sends_hsts() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("PUBLIC_URL", "https://outrival.example.com")],
    )
    .await;
    let res = app.browser().get("/login").await;
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let res = app
        .browser()
        .client
        .post(format!("{}/api/auth/signup", app.base))
        .header("accept", "application/json")
        .form(&[
            ("name", "Dana"),
            ("email", "dana@example.com"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Secure"));
}

async fn oversized_bodies_get_413_and_errors_stay_clean(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("REQUEST_BODY_LIMIT", "64KiB")]).await;
    let big = "x".repeat(100 * 1024);
    let res = app
        .browser()
        .client
        .post(format!("{}/api/auth/login", app.base))
        .header("accept", "application/json")
        .form(&[("email", big.as_str()), ("password", "p")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    // Garbage input: no stack trace, SQL or panic text.
    let res = app
        .browser()
        .client
        .post(format!("{}/api/admin/set_disabled", app.base))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user_id=%ZZ&disabled=maybe'; DROP TABLE users;--")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert!((400..500).contains(&status), "{status} {text}");
    for leak in ["panicked", "SELECT", "sqlx", "src/", "RUST_BACKTRACE"] {
        assert!(!text.contains(leak), "response leaks {leak}: {text}");
    }
    let (status, page) = app.browser().page("/signup").await;
    assert_eq!(status, 200, "the app still works: {page}");
}
backend_test!(oversized_bodies_get_413_and_errors_stay_clean);

async fn typed_markup_is_shown_as_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .signed_up("<script>alert(1)</script>", "admin@example.com")
        .await;
    let (status, page) = admin.page("/").await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("<script>alert(1)</script>"),
        "a name is never markup"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}
backend_test!(typed_markup_is_shown_as_text);

/// Signs in through a proxy that reports the client as `forwarded_for`.
async fn login_via_proxy(
    app: &TestApp,
    forwarded_for: &str,
    email: &str,
    password: &str,
) -> (u16, serde_json::Value) {
    let res = app
        .browser()
        .client
        .post(format!("{}/api/auth/login", app.base))
        .header("accept", "application/json")
        .header("origin", &app.base)
        .header("x-forwarded-for", forwarded_for)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

async fn a_forged_forwarded_for_escapes_neither_the_throttle_nor_the_audit_log(backend: Backend) {
    // One proxy in front: it appends the address it saw (203.0.113.7 here); anything
    // before that is whatever the client wrote.
    let app = TestApp::spawn_with(
        backend,
        &[
            ("TRUST_PROXY", "true"),
            ("LOGIN_MAX_FAILURES_PER_IP", "3"),
            ("LOGIN_MAX_FAILURES", "100"),
        ],
    )
    .await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    for (n, expected) in [(1, 401), (2, 401), (3, 429)] {
        let forged = format!("198.51.100.{n}, 203.0.113.7");
        let (status, body) =
            login_via_proxy(&app, &forged, "ann@example.com", "Wrong-Password-99").await;
        assert_eq!(status, expected, "attempt {n}: {body}");
    }
    // Still locked out, whatever the client claims to be, even with the right password.
    let (status, body) = login_via_proxy(
        &app,
        "198.51.100.99, 203.0.113.7",
        "ann@example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(status, 429, "{body}");
    // Another client is not: nor can it be framed by writing the locked address.
    let (status, body) = login_via_proxy(
        &app,
        "203.0.113.7, 203.0.113.8",
        "ann@example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (status, log) = admin.call("/api/admin/audit", &[("page", "1")]).await;
    assert_eq!(status, 200, "{log}");
    let entries = log["items"].as_array().unwrap();
    let ip_of = |action: &str| -> Vec<&str> {
        entries
            .iter()
            .filter(|e| e["action"] == action)
            .map(|e| e["ip"].as_str().unwrap_or_default())
            .collect()
    };
    assert_eq!(ip_of("login_failed"), ["203.0.113.7"; 3], "{log}");
    assert_eq!(ip_of("login"), ["203.0.113.8"], "{log}");
    assert!(!log.to_string().contains("198.51.100."), "{log}");
}
backend_test!(a_forged_forwarded_for_escapes_neither_the_throttle_nor_the_audit_log);
