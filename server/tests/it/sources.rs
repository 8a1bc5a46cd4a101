//! Sources: notes, fetched pages with snapshots, SSRF refusals, and pages that
//! misbehave — each ends in a clear state through the real job queue.
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::backend_test;
use crate::common::cards::new_competitor;
use crate::common::site::Site;
use crate::common::{assert_error, field_error, Backend, Browser, TestApp};

const ALLOW_LOCAL: (&str, &str) = ("FETCH_ALLOW", "127.0.0.1/32");

/// Polls a job until it has finished; returns it.
pub async fn finished_job(who: &Browser, id: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (status, job) = who.call("/api/jobs/get", &[("id", id)]).await;
        assert_eq!(status, 200, "{job}");
        if matches!(
            job["state"].as_str(),
            Some("succeeded" | "failed" | "cancelled" | "dead")
        ) {
            return job;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job did not finish: {job}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Adds a web source; returns (source id, job id).
pub async fn add_url(who: &Browser, competitor: &str, url: &str) -> (String, String) {
    let (status, body) = who
        .call(
            "/api/sources/add_url",
            &[("competitor_id", competitor), ("url", url)],
        )
        .await;
    assert_eq!(status, 200, "add_url {url}: {body}");
    (
        body["id"].as_str().unwrap().to_string(),
        body["job"]["id"].as_str().expect("a fetch job").to_string(),
    )
}

async fn fetch(who: &Browser, competitor: &str, url: &str) -> Value {
    let (_, job) = add_url(who, competitor, url).await;
    finished_job(who, &job).await
}

async fn web_page_becomes_a_snapshot(backend: Backend) {
    let site = Site::start().await;
    let app = TestApp::spawn_with(backend, &[ALLOW_LOCAL]).await;
    let editor = app.signed_up("Erin Editor", "erin@example.com").await;
    let acme = new_competitor(&editor, "Acme").await;

    let (source, job) = add_url(&editor, &acme, &site.url("/pricing")).await;
    let job = finished_job(&editor, &job).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    assert_eq!(job["progress"], 100);
    assert!(
        job["step"].as_str().unwrap().contains("Acme Pricing"),
        "{job}"
    );

    let (_, sources) = editor
        .call("/api/sources/list", &[("competitor_id", &acme)])
        .await;
    let listed = &sources[0];
    assert_eq!(
        (listed["id"].as_str(), listed["status"].as_str()),
        (Some(source.as_str()), Some("ready"))
    );
    assert_eq!(listed["title"], "Acme Pricing");
    let first = listed["snapshot_id"].as_str().unwrap().to_string();

    let (status, snap) = editor
        .call("/api/sources/snapshot", &[("id", &first)])
        .await;
    assert_eq!(status, 200, "{snap}");
    let text = snap["text"].as_str().unwrap();
    assert!(
        text.contains("The Starter plan costs $29 per user per month, billed annually."),
        "{text}"
    );
    assert!(text.contains("Pro | $79"), "table rows are kept: {text}");
    for boilerplate in ["Log in", "window.track", "© 2026", "body{}"] {
        assert!(
            !text.contains(boilerplate),
            "{boilerplate:?} should be dropped: {text}"
        );
    }
    assert_eq!(snap["http_status"], 200);
    assert_eq!(
        snap["content_hash"].as_str().unwrap(),
        hex::encode(Sha256::digest(text.as_bytes()))
    );
    assert_eq!(snap["latest"], true);

    // A refresh makes a second snapshot; the first stays readable, no longer latest.
    let (status, refreshed) = editor
        .call("/api/sources/refresh", &[("id", &source)])
        .await;
    assert_eq!(status, 200, "{refreshed}");
    let job = finished_job(&editor, refreshed["job"]["id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "succeeded");
    let (_, sources) = editor
        .call("/api/sources/list", &[("competitor_id", &acme)])
        .await;
    assert_ne!(sources[0]["snapshot_id"].as_str(), Some(first.as_str()));
    let (_, old) = editor
        .call("/api/sources/snapshot", &[("id", &first)])
        .await;
    assert_eq!(
        (old["text"].as_str(), old["latest"].as_bool()),
        (Some(text), Some(false))
    );
    assert_eq!(site.hits("/pricing"), 2);
}
backend_test!(web_page_becomes_a_snapshot);

async fn notes_and_bad_source_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ada Admin", "ada@example.com").await;
    let acme = new_competitor(&admin, "Acme").await;

    let answer = admin
        .call(
            "/api/sources/add_note",
            &[("competitor_id", &acme), ("title", "  "), ("text", "x")],
        )
        .await;
    assert_error(&answer, 422, "validation");
    assert!(
        field_error(&answer.1, "title").unwrap().contains("title"),
        "{}",
        answer.1
    );
    let long = "a".repeat(100_001);
    let answer = admin
        .call(
            "/api/sources/add_note",
            &[("competitor_id", &acme), ("title", "Long"), ("text", &long)],
        )
        .await;
    assert!(
        field_error(&answer.1, "text").unwrap().contains("100001"),
        "{}",
        answer.1
    );

    let (status, note) = admin
        .call(
            "/api/sources/add_note",
            &[
                ("competitor_id", &acme),
                ("title", "Win/loss call"),
                ("text", "Acme   lost the deal\n\n\non price."),
            ],
        )
        .await;
    assert_eq!(status, 200, "{note}");
    assert_eq!(
        (note["status"].as_str(), note["kind"].as_str()),
        (Some("ready"), Some("note"))
    );
    let (_, snap) = admin
        .call(
            "/api/sources/snapshot",
            &[("id", note["snapshot_id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(snap["text"], "Acme lost the deal\non price.");

    for (url, says) in [
        ("javascript:alert(1)", "http"),
        ("ftp://acme.com/x", "http"),
        ("https://user:pw@acme.com/", "password"),
        ("not an address", "web address"),
    ] {
        let answer = admin
            .call(
                "/api/sources/add_url",
                &[("competitor_id", &acme), ("url", url)],
            )
            .await;
        assert_error(&answer, 422, "validation");
        let message = field_error(&answer.1, "url").unwrap_or_default();
        assert!(message.contains(says), "{url}: {message}");
        assert_eq!(
            answer.1["error"]["values"]["url"], url,
            "what was typed is kept"
        );
    }
    add_url(&admin, &acme, "https://acme.example/pricing").await;
    let answer = admin
        .call(
            "/api/sources/add_url",
            &[("competitor_id", &acme), ("url", "acme.example/pricing")],
        )
        .await;
    assert!(
        field_error(&answer.1, "url").unwrap().contains("already"),
        "{}",
        answer.1
    );

    let viewer = app
        .user_with_role(&admin, "vic@example.com", "viewer")
        .await;
    let answer = viewer
        .call(
            "/api/sources/add_note",
            &[("competitor_id", &acme), ("title", "t"), ("text", "x")],
        )
        .await;
    assert_error(&answer, 403, "forbidden");
    let (status, listed) = viewer
        .call("/api/sources/list", &[("competitor_id", &acme)])
        .await;
    assert_eq!((status, listed.as_array().map(Vec::len)), (200, Some(2)));
    let answer = admin
        .call(
            "/api/sources/add_url",
            &[("competitor_id", "nope"), ("url", "https://a.example/")],
        )
        .await;
    assert_error(&answer, 404, "not_found");
}
backend_test!(notes_and_bad_source_input);

async fn internal_addresses_are_refused(backend: Backend) {
    let site = Site::start().await;
    let port = site.addr.port();
    // No allow-list: the test site on 127.0.0.1 is as internal as anything.
    let app = TestApp::spawn(backend).await;
    let editor = app.signed_up("Erin Editor", "erin@example.com").await;
    let acme = new_competitor(&editor, "Acme").await;
    for url in [
        site.url("/pricing"),
        format!("http://localhost:{port}/pricing"),
        format!("http://[::1]:{port}/pricing"),
        "http://10.0.0.1/admin".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        // IPv6 forms that carry an internal IPv4 address.
        format!("http://[::7f00:1]:{port}/pricing"),
        format!("http://[::ffff:0:7f00:1]:{port}/pricing"),
        format!("http://[2002:7f00:1::1]:{port}/pricing"),
        "http://[2002:a9fe:a9fe::1]/latest/meta-data/".to_string(),
        format!("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:{port}/pricing"),
    ] {
        let job = fetch(&editor, &acme, &url).await;
        assert_eq!(job["state"], "failed", "{url}: {job}");
        let error = job["last_error"].as_str().unwrap_or_default();
        assert!(
            error.contains("does not fetch") && error.contains("internal"),
            "{url}: {error}"
        );
        assert_eq!(job["attempts"], 1, "a refusal is not retried");
    }
    assert_eq!(
        site.hits("/pricing"),
        0,
        "nothing reached the internal site"
    );

    // Allowing 127.0.0.1 does not open the rest: redirects inward are refused too.
    let app = TestApp::spawn_with(backend, &[ALLOW_LOCAL]).await;
    let editor = app.signed_up("Erin Editor", "erin@example.com").await;
    let acme = new_competitor(&editor, "Acme").await;
    for target in [
        "http://169.254.169.254/latest/meta-data/".to_string(),
        format!("http://127.0.0.2:{port}/pricing"),
        format!("http://[::1]:{port}/pricing"),
        "http://10.0.0.1/".to_string(),
    ] {
        let url = site.url(&format!("/redirect?to={target}"));
        let job = fetch(&editor, &acme, &url).await;
        assert_eq!(job["state"], "failed", "{target}: {job}");
        assert!(
            job["last_error"]
                .as_str()
                .unwrap()
                .contains("does not fetch"),
            "{job}"
        );
    }
    assert_eq!(site.hits("/pricing"), 0);
    let job = fetch(&editor, &acme, &site.url("/redirect?to=/pricing")).await;
    assert_eq!(
        job["state"], "succeeded",
        "a redirect within allowed space works: {job}"
    );
}
backend_test!(internal_addresses_are_refused);

async fn misbehaving_pages_end_clearly(backend: Backend) {
    let site = Site::start().await;
    let app = TestApp::spawn_with(
        backend,
        &[
            ALLOW_LOCAL,
            ("FETCH_TIMEOUT", "1s"),
            ("FETCH_MAX_BYTES", "1MiB"),
            ("JOB_MAX_ATTEMPTS", "2"),
            ("JOB_RETRY_BASE", "100ms"),
            ("JOB_POLL", "100ms"),
        ],
    )
    .await;
    let editor = app.signed_up("Erin Editor", "erin@example.com").await;
    let acme = new_competitor(&editor, "Acme").await;
    for (path, state, says, attempts) in [
        ("/pdf", "failed", "application/pdf, not a web page", 1),
        ("/error/404", "failed", "answered 404", 1),
        ("/big", "failed", "larger than 1 MB", 1),
        ("/empty", "failed", "no readable text", 1),
        ("/slow/3000", "dead", "longer than 1 s", 2),
        ("/error/503", "dead", "answered 503", 2),
        ("/flaky/1", "succeeded", "Acme status", 2),
    ] {
        let job = fetch(&editor, &acme, &site.url(path)).await;
        assert_eq!(job["state"], state, "{path}: {job}");
        let text = if state == "succeeded" {
            &job["step"]
        } else {
            &job["last_error"]
        };
        assert!(
            text.as_str().unwrap_or_default().contains(says),
            "{path}: {job}"
        );
        assert_eq!(job["attempts"], attempts, "{path}: {job}");
    }
    let (_, sources) = editor
        .call("/api/sources/list", &[("competitor_id", &acme)])
        .await;
    let pdf = sources
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["url"].as_str().unwrap().ends_with("/pdf"))
        .unwrap();
    assert_eq!(pdf["status"], "error");
    assert!(
        pdf["last_error"]
            .as_str()
            .unwrap()
            .contains("upload documents instead"),
        "{pdf}"
    );
}
backend_test!(misbehaving_pages_end_clearly);

async fn jobs_can_be_cancelled_by_their_owner(backend: Backend) {
    let site = Site::start().await;
    // No workers: the job stays queued.
    let idle = TestApp::spawn_with(backend, &[ALLOW_LOCAL, ("JOB_WORKERS", "0")]).await;
    let owner = idle.signed_up("Owen Owner", "owen@example.com").await;
    let acme = new_competitor(&owner, "Acme").await;
    let (_, queued) = add_url(&owner, &acme, &site.url("/pricing")).await;
    let other = idle
        .user_with_role(&owner, "olga@example.com", "editor")
        .await;
    assert_error(
        &other.call("/api/jobs/cancel", &[("id", &queued)]).await,
        404,
        "not_found",
    );
    let (status, job) = owner.call("/api/jobs/cancel", &[("id", &queued)]).await;
    assert_eq!(
        (status, job["state"].as_str()),
        (200, Some("cancelled")),
        "{job}"
    );
    assert!(job["last_error"]
        .as_str()
        .unwrap()
        .contains("Cancelled by Owen Owner"));
    assert_error(
        &owner.call("/api/jobs/cancel", &[("id", &queued)]).await,
        409,
        "conflict",
    );

    // A running job stops within a lease renewal.
    let app = TestApp::spawn_with(backend, &[ALLOW_LOCAL, ("JOB_LEASE", "3s")]).await;
    let owner = app.signed_up("Owen Owner", "owen@example.com").await;
    let acme = new_competitor(&owner, "Acme").await;
    let (source, running) = add_url(&owner, &acme, &site.url("/hold/cancel-me")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while site.hits("/hold/cancel-me") == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker never fetched"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, job) = owner.call("/api/jobs/cancel", &[("id", &running)]).await;
    assert_eq!(
        (status, job["cancel_requested"].as_bool()),
        (200, Some(true)),
        "{job}"
    );
    let started = std::time::Instant::now();
    let job = finished_job(&owner, &running).await;
    assert_eq!(job["state"], "cancelled", "{job}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    site.release();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, sources) = owner
        .call("/api/sources/list", &[("competitor_id", &acme)])
        .await;
    assert_eq!(sources[0]["id"].as_str(), Some(source.as_str()));
    assert!(
        sources[0]["snapshot_id"].is_null(),
        "a cancelled fetch stores nothing: {sources}"
    );
}
backend_test!(jobs_can_be_cancelled_by_their_owner);
