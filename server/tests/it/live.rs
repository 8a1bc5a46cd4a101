//! `/ws`: who may connect, which events each socket receives, their order, presence on
//! a card, and events crossing instances over Redis.
use std::time::Duration;

use serde_json::{json, Value};

use crate::backend_test;
use crate::common::cards::{new_card, new_competitor};
use crate::common::live::{Refused, Socket};
use crate::common::site::Site;
use crate::common::{Backend, TestApp};
use crate::sources::add_url;

const ALLOW_LOCAL: (&str, &str) = ("FETCH_ALLOW", "127.0.0.1/32");
const WAIT: Duration = Duration::from_secs(20);

pub fn finished(job: &str) -> impl Fn(&Value) -> bool + '_ {
    move |e| e["type"] == "job_finished" && e["job_id"] == job
}

/// Asserts `events` are `job`'s progress, in order, ending in its success with a
/// link containing `link_part`.
pub fn assert_progress_in_order(events: &[Value], job: &str, link_part: &str) {
    let (last, progress) = events.split_last().expect("events");
    assert_eq!(last["state"], "succeeded", "{last}");
    assert!(
        last["link"].as_str().is_some_and(|l| l.contains(link_part)),
        "{last}"
    );
    assert!(progress.len() >= 3, "progress events: {progress:?}");
    let mut percent = 0;
    for e in progress {
        assert_eq!(
            (e["type"].as_str(), e["job_id"].as_str()),
            (Some("job_progress"), Some(job))
        );
        let now = e["percent"].as_u64().unwrap();
        assert!(now >= percent, "progress went back: {progress:?}");
        assert!(!e["step"].as_str().unwrap().is_empty());
        percent = now;
    }
}

async fn sockets_are_private(backend: Backend) {
    let site = Site::start().await;
    let app = TestApp::spawn_with(backend, &[ALLOW_LOCAL]).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let viewer = app
        .user_with_role(&admin, "vic@example.com", "viewer")
        .await;

    // No session: refused before the upgrade, with a JSON reason.
    match Socket::try_open(&app.base, None, Some(&app.base)).await {
        Err(Refused::Http(401, body)) => assert!(body.contains("sign_in_required"), "{body}"),
        other => panic!("anonymous socket: {:?}", other.err()),
    }
    // A page on another site riding on the cookie: refused.
    match Socket::try_open(
        &app.base,
        admin.cookie_header(),
        Some("https://evil.example"),
    )
    .await
    {
        Err(Refused::Http(403, body)) => assert!(body.contains("origin_rejected"), "{body}"),
        other => panic!("cross-origin socket: {:?}", other.err()),
    }

    let mut mine = Socket::open(&app.base, &admin).await;
    let mut theirs = Socket::open(&app.base, &viewer).await;
    let acme = new_competitor(&admin, "Acme").await;
    let (_, job) = add_url(&admin, &acme, &site.url("/pricing")).await;
    let events = mine.events_until(WAIT, finished(&job)).await;
    assert_progress_in_order(&events, &job, "/snapshots/");
    // Another person's socket heard nothing of it.
    theirs.assert_silent(Duration::from_millis(700)).await;

    // Bad input on the socket ends it with a reason, not a crash.
    theirs.send_text("hello?").await;
    assert_eq!(
        theirs.next_event(WAIT).await.unwrap_err(),
        Refused::Closed(4400)
    );
    // Signing out ends the session's socket at the next re-check (every 30 s), so
    // here only the immediate effect is checked: a new socket is refused.
    let cookie = admin.cookie_header();
    let (status, _) = admin.call("/api/auth/logout", &[]).await;
    assert_eq!(status, 200);
    assert!(matches!(
        Socket::try_open(&app.base, cookie, Some(&app.base)).await,
        Err(Refused::Http(401, _))
    ));
    mine.close().await;
}
backend_test!(sockets_are_private);

fn presence_names(event: &Value) -> Vec<(String, bool)> {
    event["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["editing"] == true,
            )
        })
        .collect()
}

async fn presence_on_a_card(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let editor = app
        .user_with_role(&admin, "erin@example.com", "editor")
        .await;
    let viewer = app
        .user_with_role(&admin, "vic@example.com", "viewer")
        .await;
    let acme = new_competitor(&admin, "Acme").await;
    let card = new_card(&admin, &acme, "Acme card").await;
    let presence = |e: &Value| e["type"] == "presence";

    let mut ann = Socket::open(&app.base, &admin).await;
    ann.send(json!({"type": "watch", "card_id": card, "editing": true}))
        .await;
    let seen = ann.events_until(WAIT, presence).await;
    assert_eq!(
        presence_names(seen.last().unwrap()),
        [("Ann Admin".into(), true)]
    );

    let mut erin = Socket::open(&app.base, &editor).await;
    erin.send(json!({"type": "watch", "card_id": card, "editing": false}))
        .await;
    let both = vec![
        ("Ann Admin".to_string(), true),
        ("Test Person".to_string(), false),
    ];
    let seen = ann.events_until(WAIT, presence).await;
    assert_eq!(presence_names(seen.last().unwrap()), both);
    let seen = erin.events_until(WAIT, presence).await;
    assert_eq!(presence_names(seen.last().unwrap()), both);
    assert_eq!(seen.last().unwrap()["card_id"], card.as_str());

    // A viewer may not see a draft card: announcing it yields nothing, and nobody
    // learns the viewer was there.
    let mut vic = Socket::open(&app.base, &viewer).await;
    vic.send(json!({"type": "watch", "card_id": card, "editing": false}))
        .await;
    vic.assert_silent(Duration::from_millis(700)).await;
    ann.assert_silent(Duration::from_millis(100)).await;

    // Erin's tab closes: Ann sees her leave.
    erin.close().await;
    let seen = ann.events_until(WAIT, presence).await;
    assert_eq!(
        presence_names(seen.last().unwrap()),
        [("Ann Admin".into(), true)]
    );
    ann.close().await;
    vic.close().await;
}
backend_test!(presence_on_a_card);

/// Two instances sharing PostgreSQL and Redis: a job started through A (whose workers
/// run it) is seen live on a socket connected to B, which runs no workers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_redis_events_cross_instances() {
    Backend::PostgresRedis.require();
    let site = Site::start().await;
    let a = TestApp::spawn_with(Backend::PostgresRedis, &[ALLOW_LOCAL]).await;
    let b = a.another_instance(&[("JOB_WORKERS", "0")]).await;
    let admin = a.signed_up("Ann Admin", "ann@example.com").await;
    let mut on_b = Socket::try_open(&b.base, admin.cookie_header(), Some(&b.base))
        .await
        .expect("the session works on instance B");
    let acme = new_competitor(&admin, "Acme").await;
    let (_, job) = add_url(&admin, &acme, &site.url("/pricing")).await;
    let events = on_b.events_until(WAIT, finished(&job)).await;
    assert_progress_in_order(&events, &job, "/snapshots/");
    on_b.close().await;
}

async fn user_id(who: &crate::common::Browser) -> String {
    let (_, me) = who.call("/api/auth/whoami", &[]).await;
    me["id"].as_str().expect("signed in").to_string()
}

/// Access is checked when an event is delivered, not only when the socket opened or
/// the card was watched: a viewer stops hearing about a card once it is archived, and
/// a demoted admin stops receiving admin events.
async fn sockets_follow_access_changes(backend: Backend) {
    use crate::common::cards::{card_with, editor, full_content, publish, set_status};
    use domain::events::Audience;
    use domain::types::Event;
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let other_admin = app.user_with_role(&admin, "abe@example.com", "admin").await;
    let viewer = app
        .user_with_role(&admin, "vic@example.com", "viewer")
        .await;
    let (_, card, _) = card_with(&admin, "Acme", &full_content("Acme card")).await;
    publish(&admin, &card).await;
    let presence = |e: &Value| e["type"] == "presence";

    let mut vic = Socket::open(&app.base, &viewer).await;
    vic.send(json!({"type": "watch", "card_id": card, "editing": false}))
        .await;
    vic.events_until(WAIT, presence).await;
    let mut ann = Socket::open(&app.base, &admin).await;
    ann.send(json!({"type": "watch", "card_id": card, "editing": true}))
        .await;
    let seen = vic.events_until(WAIT, presence).await;
    assert_eq!(
        presence_names(seen.last().unwrap()).len(),
        2,
        "both are there"
    );

    // Archived: the viewer may no longer see the card, so hears nothing more of it.
    let version = editor(&admin, &card).await["version"].as_i64().unwrap();
    let (status, body) = set_status(&admin, &card, "archived", version).await;
    assert_eq!(status, 200, "{body}");
    let mut abe = Socket::open(&app.base, &other_admin).await;
    abe.send(json!({"type": "watch", "card_id": card, "editing": false}))
        .await;
    let (vic_id, abe_id) = (user_id(&viewer).await, user_id(&other_admin).await);
    let ids = |e: &Value| -> Vec<String> {
        e["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["user_id"].as_str().unwrap().to_string())
            .collect()
    };
    // Ann soon sees Abe there and the viewer gone (the viewer's socket let go of the
    // card when the next event about it found it invisible).
    ann.events_until(WAIT, |e| {
        presence(e) && ids(e).contains(&abe_id) && !ids(e).contains(&vic_id)
    })
    .await;
    vic.assert_silent(Duration::from_millis(700)).await;

    // Admin events reach admins only as long as they are admins.
    let notice = || Event::Notification {
        title: "Provider down".into(),
        body: "The AI provider stopped answering.".into(),
        link: None,
    };
    app.services()
        .events()
        .publish(Audience::Admins, notice())
        .await;
    let notified = |e: &Value| e["type"] == "notification";
    abe.events_until(WAIT, notified).await;
    let (status, body) = admin
        .call(
            "/api/admin/set_role",
            &[("user_id", &abe_id), ("role", "editor")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.services()
        .events()
        .publish(Audience::Admins, notice())
        .await;
    ann.events_until(WAIT, notified).await;
    if let Ok(Some(event)) = abe.next_event(Duration::from_millis(700)).await {
        assert!(
            event["type"] != "notification",
            "a demoted admin got an admin event: {event}"
        );
    }
    ann.close().await;
    abe.close().await;
    vic.close().await;
}
backend_test!(sockets_follow_access_changes);
