//! Rendered pages are kept and sent again while nothing they show has changed, and
//! never once something has: each reader gets their own, a write of any kind shows on
//! the next request, a person refused access gets no kept page, a kept rep view still
//! counts as read, view counts on the editor stay current, and `Cache-Control:
//! no-cache` renders anew. (`x-page-cache` says what happened to a request.)
use crate::backend_test;
use crate::common::cards::{card_with, editor, full_content, new_competitor, publish};
use crate::common::{without_nonces, Backend, Browser, TestApp};

/// GET `path` as a browser: (what the page cache did, the page without nonces).
pub async fn page(who: &Browser, path: &str) -> (String, String) {
    let response = who.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    let outcome = response
        .headers()
        .get("x-page-cache")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (outcome, without_nonces(&response.text().await.unwrap()))
}

async fn pages_are_kept_until_something_they_show_changes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    new_competitor(&admin, "Acme").await;

    let (first_outcome, first) = page(&admin, "/competitors").await;
    assert_eq!(first_outcome, "rendered");
    let (outcome, again) = page(&admin, "/competitors").await;
    assert_eq!(outcome, "kept", "nothing changed: the kept page");
    assert_eq!(again, first);
    assert!(again.contains("Acme"));
    // Another address is another page.
    assert_eq!(page(&admin, "/competitors?q=Acme").await.0, "rendered");

    // Another reader never gets Ann's copy.
    let vic = app
        .user_with_role(&admin, "vic@example.com", "viewer")
        .await;
    let (outcome, vics) = page(&vic, "/competitors").await;
    assert_eq!(outcome, "rendered");
    assert!(vics.contains("vic@example.com") && !vics.contains("ann@example.com"));

    // Any write shows on the next request.
    new_competitor(&admin, "Globex").await;
    let (outcome, after) = page(&admin, "/competitors").await;
    assert_eq!(outcome, "rendered");
    assert!(after.contains("Globex"));

    // `no-cache` renders anew, for this request alone: the kept page stays right.
    let response = admin
        .client
        .get(format!("{}/competitors", admin.base))
        .header("cache-control", "no-cache")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-page-cache"], "fresh");
    assert!(response.text().await.unwrap().contains("Globex"));
    assert_eq!(page(&admin, "/competitors").await.0, "kept");

    // Sign-in pages are kept for everyone signed out alike.
    let (outcome, _) = page(&app.browser(), "/login").await;
    assert!(outcome == "rendered" || outcome == "kept", "{outcome}");
    assert_eq!(page(&app.browser(), "/login").await.0, "kept");
}
backend_test!(pages_are_kept_until_something_they_show_changes);

async fn a_refused_person_gets_no_kept_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let dana = app
        .user_with_role(&admin, "dana@example.com", "editor")
        .await;
    page(&dana, "/").await;
    assert_eq!(page(&dana, "/").await.0, "kept");
    let (_, me) = dana.call("/api/auth/whoami", &[]).await;
    let (status, body) = admin
        .call(
            "/api/admin/set_disabled",
            &[
                ("user_id", me["id"].as_str().unwrap()),
                ("disabled", "true"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let response = dana.get("/").await;
    assert_eq!(
        response.status(),
        303,
        "a disabled person is sent to sign in"
    );
    assert!(response.headers().get("x-page-cache").is_none());

    // Signed out: the cookie no longer opens the page kept for it.
    page(&admin, "/").await;
    assert_eq!(page(&admin, "/").await.0, "kept");
    let stolen = admin.session_id().unwrap();
    assert_eq!(admin.call("/api/auth/logout", &[]).await.0, 200);
    let replayed = Browser::new(&app.base).with_cookie(&stolen);
    assert_eq!(replayed.get("/").await.status(), 303);
}
backend_test!(a_refused_person_gets_no_kept_page);

async fn kept_rep_views_count_as_read_and_the_editor_shows_the_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let rep = app
        .user_with_role(&admin, "rex@example.com", "viewer")
        .await;
    let (_, card, _) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    publish(&admin, &card).await;
    let rep_view = format!("/cards/{card}");
    let edit = format!("/cards/{card}/edit");

    let read_count = |page: &str| {
        page.split("Read ")
            .nth(1)
            .and_then(|rest| rest.split(" times in all").next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("a view count on the editor"))
    };
    let (_, before) = page(&admin, &edit).await;
    assert_eq!(read_count(&before), 0);
    assert_eq!(page(&admin, &edit).await.0, "kept");

    let mut outcomes = Vec::new();
    for _ in 0..3 {
        outcomes.push(page(&rep, &rep_view).await.0);
    }
    assert_eq!(outcomes, ["rendered", "kept", "kept"]);
    let (outcome, after) = page(&admin, &edit).await;
    assert_eq!(
        outcome, "rendered",
        "views counted since: the editor renders again"
    );
    assert_eq!(read_count(&after), 3, "every read counts, kept or rendered");
    assert_eq!(editor(&admin, &card).await["views_total"], 3);

    // Reads of a card do not make other pages render again.
    page(&rep, "/").await;
    page(&rep, &rep_view).await;
    assert_eq!(page(&rep, "/").await.0, "kept");
}
backend_test!(kept_rep_views_count_as_read_and_the_editor_shows_the_count);
