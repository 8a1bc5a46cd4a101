//! Sessions survive a restart of the app on the same database (and Redis).
use crate::backend_test;
use crate::common::{Backend, TestApp};

async fn sessions_survive_a_restart(backend: Backend) {
    let mut app = TestApp::spawn(backend).await;
    let dana = app.signed_up("Dana", "dana@example.com").await;
    let cookie = dana.session_id().unwrap();
    app.restart().await;
    // The port may change; cookies are per host, so the old cookie goes along.
    let again = crate::common::Browser::new(&app.base).with_cookie(&cookie);
    let (status, page) = again.page("/").await;
    assert_eq!(status, 200, "still signed in after the restart");
    assert!(page.contains("Welcome, Dana"));
    app.stop().await;
}
backend_test!(sessions_survive_a_restart);
