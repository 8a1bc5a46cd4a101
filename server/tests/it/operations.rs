//! Health, readiness, metrics and the error pages.
use crate::backend_test;
use crate::common::{Backend, TestApp, PASSWORD};

async fn health_and_readiness(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.browser();
    let (status, body) = b.page("/health/live").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let res = b.get("/health/ready").await;
    assert_eq!(res.status(), 200);
    let ready: serde_json::Value = res.json().await.unwrap();
    assert_eq!(ready["checks"]["database"], "ok");
    if backend == Backend::PostgresRedis {
        assert_eq!(ready["checks"]["redis"], "ok");
    } else {
        assert!(ready["checks"].get("redis").is_none());
    }
    // With the database gone, readiness says which check failed.
    app.services().db().close().await;
    let res = b.get("/health/ready").await;
    assert_eq!(res.status(), 503);
    let ready: serde_json::Value = res.json().await.unwrap();
    assert_eq!(ready["status"], "unavailable");
    assert!(
        ready["checks"]["database"]
            .as_str()
            .unwrap()
            .starts_with("failed"),
        "{ready}"
    );
}
backend_test!(health_and_readiness);

async fn metrics_count_requests_logins_and_pool(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dana = app.signed_up("Dana", "dana@example.com").await;
    app.browser()
        .call(
            "/api/auth/login",
            &[
                ("email", "dana@example.com"),
                ("password", "Wrong-Password-99"),
            ],
        )
        .await;
    dana.get("/").await;
    let (status, text) = app.browser().page("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        text.contains("http_requests_total{method=\"GET\",route=\"/\",status=\"200\"}"),
        "route label: {text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "latency histogram"
    );
    assert!(text.contains("sessions_created_total"));
    assert!(text.contains("login_failures_total{reason=\"credentials\"}"));
    assert!(text.contains("db_pool_connections{state=\"idle\"}"));
    let _ = PASSWORD;
}
backend_test!(metrics_count_requests_logins_and_pool);

async fn invented_methods_and_paths_add_no_metric_series(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tag = uuid::Uuid::new_v4().simple().to_string()[..12].to_uppercase();
    let methods: Vec<String> = ["BREW", "PURGEX", "ZZ"]
        .iter()
        .map(|m| format!("{m}{tag}"))
        .collect();
    let client = &app.browser().client;
    for method in &methods {
        for path in ["/health/live", "/login", &format!("/made-up-{tag}")] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let res = client
                .request(method, format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            assert!(res.status().is_client_error(), "{path}: {}", res.status());
        }
    }
    let (status, text) = app.browser().page("/metrics").await;
    assert_eq!(status, 200);
    for method in &methods {
        assert!(!text.contains(method.as_str()), "{method} became a label");
    }
    assert!(
        !text.to_lowercase().contains(&tag.to_lowercase()),
        "the made-up path became a label"
    );
    assert!(text.contains("method=\"other\""), "{text}");
    assert!(text.contains("route=\"unmatched\""), "{text}");
}
backend_test!(invented_methods_and_paths_add_no_metric_series);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_require_a_token() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("METRICS_TOKEN", "s3cret-token")]).await;
    let scrape = |authorization: Option<&'static str>| {
        let mut req = app.browser().client.get(format!("{}/metrics", app.base));
        if let Some(value) = authorization {
            req = req.header("authorization", value);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(scrape(Some("Bearer s3cret-token")).await, 200);
    for wrong in [
        None,
        Some("Bearer "),
        Some("Bearer s3cret-toke"),
        Some("Bearer s3cret-token2"),
        Some("Bearer s3cret-tokeN"),
        Some("Bearer s"),
        Some("s3cret-token"),
    ] {
        assert_eq!(scrape(wrong).await, 401, "{wrong:?}");
    }
}

async fn unknown_pages_are_404_with_a_request_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dana = app.signed_up("Dana", "dana@example.com").await;
    let res = dana.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(res.headers().contains_key("x-request-id"));
    let html = res.text().await.unwrap();
    assert!(html.contains("We could not find that page"));
    // Anonymous visitors get the same 404, not a sign-in redirect.
    assert_eq!(app.browser().get("/no/such/page").await.status(), 404);
    // A failed load shows a reference the user can quote.
    let viewer = app.user_with_role(&dana, "v@example.com", "viewer").await;
    let (status, page) = viewer.page("/admin/audit").await;
    assert_eq!(status, 403);
    assert!(
        page.contains("class=\"request-id\""),
        "the error panel shows the request id"
    );
}
backend_test!(unknown_pages_are_404_with_a_request_id);

async fn pages_are_compressed_for_browsers_that_ask(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    // Each answer is in an encoding offered (checked by `served`); these say which.
    for (offered, expected) in [
        ("gzip", &[Some("gzip")][..]),
        ("gzip, deflate, br, zstd", &[Some("gzip"), Some("br")][..]),
        ("br", &[Some("br"), None][..]),
        ("identity", &[None][..]),
    ] {
        for path in ["/signup", "/signup?next=/competitors"] {
            let served = browser.served(path, offered).await;
            assert!(
                expected.contains(&served.encoding.as_deref()),
                "{path} offered {offered}: sent {:?}",
                served.encoding
            );
        }
    }
}
backend_test!(pages_are_compressed_for_browsers_that_ask);
