//! Several instances sharing PostgreSQL and Redis behave as one: what an admin or a
//! person does through one instance holds on the next request through another, and
//! the progress of a job run by an `outrival worker` process reaches a browser whose
//! socket is on a web instance. (A standalone instance has no second instance and no
//! separate worker: deployment.rs shows both are refused.)
use std::time::Duration;

use crate::common::cards::{card_with, editor, full_content, publish, saved};
use crate::common::live::Socket;
use crate::common::site::Site;
use crate::common::{Backend, Browser, TestApp};
use crate::kept_pages::page as kept_page;
use crate::live::{assert_progress_in_order, finished};
use crate::sources::add_url;

const WAIT: Duration = Duration::from_secs(20);

async fn whoami(who: &Browser) -> (u16, serde_json::Value) {
    who.call("/api/auth/whoami", &[]).await
}

async fn signed_in_on(who: &Browser, base: &str) -> Browser {
    let id = who.session_id().expect("a session");
    Browser::new(base).with_cookie(&id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_redis_a_disabled_or_signed_out_person_is_refused_by_every_instance() {
    Backend::PostgresRedis.require();
    let a = TestApp::spawn(Backend::PostgresRedis).await;
    let b = a.another_instance(&[("JOB_WORKERS", "0")]).await;
    let admin = a.signed_up("Ann Admin", "ann@example.com").await;
    let dana = a.user_with_role(&admin, "dana@example.com", "editor").await;
    let eve = a.user_with_role(&admin, "eve@example.com", "viewer").await;
    let (dana_b, eve_b) = (
        signed_in_on(&dana, &b.base).await,
        signed_in_on(&eve, &b.base).await,
    );
    // Both sessions work on B, twice (so whatever B keeps of them is warm, and B keeps
    // their dashboards).
    for _ in 0..2 {
        assert_eq!(whoami(&dana_b).await.1["email"], "dana@example.com");
        assert_eq!(whoami(&eve_b).await.1["email"], "eve@example.com");
        assert_eq!(dana_b.get("/").await.status(), 200);
        assert_eq!(eve_b.get("/").await.status(), 200);
    }
    assert_eq!(kept_page(&dana_b, "/").await.0, "kept");

    let dana_id = whoami(&dana).await.1["id"].as_str().unwrap().to_string();
    let (status, body) = admin
        .call(
            "/api/admin/set_disabled",
            &[("user_id", &dana_id), ("disabled", "true")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = whoami(&dana_b).await;
    assert!(
        body.is_null() || status == 401,
        "B still trusts a disabled person: {status} {body}"
    );
    assert_eq!(dana_b.get("/").await.status(), 303, "B's pages refuse her");

    let (status, _) = eve.call("/api/auth/logout", &[]).await;
    assert_eq!(status, 200);
    let (status, body) = whoami(&eve_b).await;
    assert!(
        body.is_null() || status == 401,
        "B still accepts a signed-out cookie: {status} {body}"
    );
    assert_eq!(eve_b.get("/").await.status(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_redis_changes_through_one_instance_show_on_the_other_at_once() {
    Backend::PostgresRedis.require();
    let a = TestApp::spawn(Backend::PostgresRedis).await;
    let b = a.another_instance(&[("JOB_WORKERS", "0")]).await;
    let admin = a.signed_up("Ann Admin", "ann@example.com").await;
    let on_b = signed_in_on(&admin, &b.base).await;
    let (_, card, _) = card_with(&admin, "Acme", &full_content("Acme first take")).await;
    publish(&admin, &card).await;
    let rep_view = format!("/cards/{card}");
    let (status, page) = on_b.page(&rep_view).await;
    assert_eq!(status, 200);
    assert!(page.contains("Acme first take"), "B shows the card");
    let (_, home) = on_b.page("/").await;
    // B keeps both pages while nothing changes.
    assert_eq!(kept_page(&on_b, &rep_view).await.0, "kept");
    assert_eq!(kept_page(&on_b, "/").await.0, "kept");
    let people = |page: &str| {
        page.split("data-stat=\"users\"")
            .nth(1)
            .expect("people card")
            .chars()
            .take(200)
            .collect::<String>()
    };
    assert!(people(&home).contains(">1<"), "{}", people(&home));

    // Through A: a new version is published and a second person joins.
    let version = editor(&admin, &card).await["version"].as_i64().unwrap();
    saved(&admin, &card, version, &full_content("Acme second take")).await;
    publish(&admin, &card).await;
    a.user_with_role(&admin, "ed@example.com", "editor").await;

    let (_, page) = on_b.page(&rep_view).await;
    assert!(page.contains("Acme second take"), "B's rep view is current");
    assert!(!page.contains("Acme first take"));
    let (_, home) = on_b.page("/").await;
    assert!(
        people(&home).contains(">2<"),
        "B's dashboard is current: {}",
        people(&home)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_redis_progress_of_a_worker_process_reaches_a_socket_on_a_web_instance() {
    Backend::PostgresRedis.require();
    let site = Site::start().await;
    let web = TestApp::spawn_with(Backend::PostgresRedis, &[("JOB_WORKERS", "0")]).await;
    let editor = web.signed_up("Erin Editor", "erin@example.com").await;
    let mut socket = Socket::open(&web.base, &editor).await;
    let mut worker = web.worker_process("1");
    let acme = crate::common::cards::new_competitor(&editor, "Acme").await;
    let (_, job) = add_url(&editor, &acme, &site.url("/pricing")).await;
    let events = socket.events_until(WAIT, finished(&job)).await;
    worker.kill().ok();
    worker.wait().ok();
    assert_progress_in_order(&events, &job, "/snapshots/");
    socket.close().await;
}
