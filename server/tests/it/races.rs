//! One-time rules hold under real concurrent requests: one first admin, one account
//! per invitation, and a sign-out that requests in flight cannot undo.
use futures_util::future::join_all;

use crate::backend_test;
use crate::common::{field_error, Backend, Browser, TestApp, PASSWORD};

async fn sign_up(b: &Browser, email: &str, invite: Option<&str>) -> (u16, serde_json::Value) {
    let mut fields = vec![
        ("name", "Racer"),
        ("email", email),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    if let Some(token) = invite {
        fields.push(("invite", token));
    }
    b.call("/api/auth/signup", &fields).await
}

async fn user_id(who: &Browser) -> String {
    let (_, me) = who.call("/api/auth/whoami", &[]).await;
    me["id"].as_str().expect("signed in").to_string()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.services().db().pool())
        .await
        .unwrap()
}

async fn simultaneous_first_sign_ups_make_one_admin(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PASSWORD_HASH_CONCURRENCY", "8")]).await;
    let browsers: Vec<Browser> = (0..6).map(|_| app.browser()).collect();
    let emails: Vec<String> = (0..6).map(|i| format!("racer{i}@example.com")).collect();
    let results = join_all(
        browsers
            .iter()
            .zip(&emails)
            .map(|(b, email)| sign_up(b, email, None)),
    )
    .await;
    let created = results.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(
        created, 1,
        "exactly one sign-up sets the installation up: {results:?}"
    );
    for (status, body) in results.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 422, "{body}");
        assert!(
            field_error(body, "invite").is_some_and(|m| m.contains("invitation")),
            "{body}"
        );
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE role = 'admin'").await,
        1
    );
}
backend_test!(simultaneous_first_sign_ups_make_one_admin);

async fn an_invitation_makes_one_account_however_fast_it_is_used(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PASSWORD_HASH_CONCURRENCY", "8")]).await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let (status, invitation) = admin
        .call(
            "/api/admin/create_invitation",
            &[("email", ""), ("role", "editor")],
        )
        .await;
    assert_eq!(status, 200, "{invitation}");
    let token = invitation["link"]
        .as_str()
        .unwrap()
        .split("invite=")
        .nth(1)
        .unwrap()
        .to_string();
    let browsers: Vec<Browser> = (0..6).map(|_| app.browser()).collect();
    let emails: Vec<String> = (0..6).map(|i| format!("guest{i}@example.com")).collect();
    let results = join_all(
        browsers
            .iter()
            .zip(&emails)
            .map(|(b, email)| sign_up(b, email, Some(&token))),
    )
    .await;
    let created = results.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(created, 1, "one account per invitation: {results:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users").await, 2);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM invitations WHERE accepted_at IS NOT NULL"
        )
        .await,
        1
    );
}
backend_test!(an_invitation_makes_one_account_however_fast_it_is_used);

/// Requests in flight when a session signs out may save it afterwards (their session
/// middleware loaded it before): the saved session must stay gone.
async fn sign_out_is_not_undone_by_requests_in_flight(backend: Backend) {
    // With the clock moved past the refresh interval (a minute at most), every request
    // of the burst refreshes (saves) the session.
    let app = TestApp::spawn(backend).await;
    let clock = app.services().accounts().clock();
    let _dana = app.signed_up("Dana", "dana@example.com").await;
    for round in 0..5 {
        let b = app.browser();
        let (status, _) = b
            .call(
                "/api/auth/login",
                &[("email", "dana@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(status, 200);
        clock.advance(std::time::Duration::from_secs(61));
        let pages = join_all((0..12).map(|_| b.get("/competitors")));
        let logout = b.call("/api/auth/logout", &[]);
        let (_, (status, _)) = tokio::join!(pages, logout);
        assert_eq!(status, 200);
        assert_eq!(
            b.get("/").await.status(),
            303,
            "round {round}: signed out stays signed out"
        );
    }
    // The store itself: saving a deleted session does not bring it back.
    use tower_sessions::session::{Id, Record};
    use tower_sessions::session_store::SessionStore;
    let store = app.services().sessions().clone();
    let mut record = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
            + tower_sessions::cookie::time::Duration::hours(1),
    };
    store.create(&mut record).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_some());
    store.delete(&record.id).await.unwrap();
    store.save(&record).await.unwrap();
    assert!(
        store.load(&record.id).await.unwrap().is_none(),
        "a deleted session stays deleted"
    );
}
backend_test!(sign_out_is_not_undone_by_requests_in_flight);

/// Two admins demoting (or disabling) each other at the same moment: one of them stays
/// an active admin.
async fn admins_racing_to_demote_each_other_leave_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let abe = app.user_with_role(&ada, "abe@example.com", "admin").await;
    let (ada_id, abe_id) = (user_id(&ada).await, user_id(&abe).await);
    for (first, second) in [
        ("set_role", "set_role"),
        ("set_disabled", "set_role"),
        ("set_disabled", "set_disabled"),
    ] {
        let call = |who: &'static str, what: &'static str, target: String| {
            let who = if who == "ada" { &ada } else { &abe };
            async move {
                let path = format!("/api/admin/{what}");
                if what == "set_role" {
                    who.call(&path, &[("user_id", &target), ("role", "viewer")])
                        .await
                } else {
                    who.call(&path, &[("user_id", &target), ("disabled", "true")])
                        .await
                }
            }
        };
        let (a, b) = tokio::join!(
            call("ada", first, abe_id.clone()),
            call("abe", second, ada_id.clone())
        );
        let active_admins = count(
            &app,
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL",
        )
        .await;
        assert_eq!(active_admins, 1, "{first}/{second}: {a:?} {b:?}");
        // Put both back as active admins through whoever is still one.
        let ada_kept = a.0 == 200;
        let (keeper, other_id) = if ada_kept {
            (&ada, &abe_id)
        } else {
            (&abe, &ada_id)
        };
        let (status, body) = keeper
            .call(
                "/api/admin/set_disabled",
                &[("user_id", other_id), ("disabled", "false")],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = keeper
            .call(
                "/api/admin/set_role",
                &[("user_id", other_id), ("role", "admin")],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        if first == "set_disabled" || second == "set_disabled" {
            // A disabled admin's session ended: sign them in again for the next round.
            let (email, who) = if ada_kept {
                ("abe@example.com", &abe)
            } else {
                ("ada@example.com", &ada)
            };
            let (status, _) = who
                .call(
                    "/api/auth/login",
                    &[("email", email), ("password", PASSWORD)],
                )
                .await;
            assert_eq!(status, 200);
        }
    }
}
backend_test!(admins_racing_to_demote_each_other_leave_one);
