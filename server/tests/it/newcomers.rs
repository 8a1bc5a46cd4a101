//! What a newcomer meets: an empty installation leads to setting it up, and an editor
//! can see what reps will see of a card before it is published.
use crate::backend_test;
use crate::common::cards::{card_with, full_content, publish};
use crate::common::{Backend, TestApp};

async fn an_empty_installation_leads_to_set_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let visitor = app.browser();
    for path in [
        "/",
        "/login",
        "/login?next=%2Fcompetitors",
        "/competitors",
        "/cards/x",
    ] {
        let res = visitor.get(path).await;
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(res.headers()["location"], "/signup", "{path}");
    }
    let (status, page) = visitor.page("/signup").await;
    assert_eq!(status, 200);
    assert!(page.contains("Set up Outrival"), "the set-up form shows");

    app.signed_up("Ada Admin", "ada@example.com").await;
    let later = app.browser();
    let res = later.get("/competitors").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?next=%2Fcompetitors");
    assert_eq!(
        later.get("/login").await.status(),
        200,
        "sign-in is the way in now"
    );
}
backend_test!(an_empty_installation_leads_to_set_up);

async fn editors_preview_an_unpublished_card_as_reps_will_see_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ada Admin", "ada@example.com").await;
    let editor = app
        .user_with_role(&admin, "eve@example.com", "editor")
        .await;
    let viewer = app
        .user_with_role(&admin, "val@example.com", "viewer")
        .await;
    let (_, card, _) = card_with(&admin, "Acme", &full_content("Acme draft card")).await;
    let path = format!("/cards/{card}");

    let (status, page) = editor.page(&path).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Not published"), "a banner says so");
    assert!(page.contains("this is what reps will see"));
    assert!(page.contains("Acme draft card") && page.contains("Count the admin hours too."));
    assert!(
        !page.contains("Did this answer help?"),
        "a preview cannot be rated"
    );
    let (status, body) = editor.call("/api/cards/read", &[("id", &card)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["published"], false);

    let (status, _) = viewer.page(&path).await;
    assert_eq!(status, 404, "reps still get not found");
    let (status, body) = viewer.call("/api/cards/read", &[("id", &card)]).await;
    assert_eq!(status, 404, "{body}");

    publish(&admin, &card).await;
    let (status, page) = editor.page(&path).await;
    assert_eq!(status, 200);
    assert!(!page.contains("Not published"), "published: no banner");
    assert!(page.contains("Did this answer help?"));
    let (status, page) = viewer.page(&path).await;
    assert_eq!(status, 200);
    assert!(!page.contains("Not published"));
}
backend_test!(editors_preview_an_unpublished_card_as_reps_will_see_it);
