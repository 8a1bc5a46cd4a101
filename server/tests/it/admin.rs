//! Roles, disabling accounts, invitations and the audit log.
use crate::backend_test;
use crate::common::{field_error, Backend, TestApp, PASSWORD};

async fn viewers_are_refused_admin_functions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let viewer = app
        .user_with_role(&admin, "viewer@example.com", "viewer")
        .await;
    let editor = app
        .user_with_role(&admin, "editor@example.com", "editor")
        .await;
    let calls: [(&str, Vec<(&str, &str)>); 7] = [
        ("/api/admin/users", vec![("query", ""), ("page", "1")]),
        (
            "/api/admin/set_role",
            vec![("user_id", "x"), ("role", "admin")],
        ),
        (
            "/api/admin/set_disabled",
            vec![("user_id", "x"), ("disabled", "true")],
        ),
        (
            "/api/admin/create_user",
            vec![
                ("name", "X"),
                ("email", "x@example.com"),
                ("role", "admin"),
                ("password", PASSWORD),
            ],
        ),
        (
            "/api/admin/create_invitation",
            vec![("email", ""), ("role", "admin")],
        ),
        ("/api/admin/set_signup_mode", vec![("mode", "open")]),
        ("/api/admin/audit", vec![("page", "1")]),
    ];
    for who in [&viewer, &editor] {
        for (path, fields) in &calls {
            let (status, body) = who.call(path, fields).await;
            assert_eq!(status, 403, "{path}: {body}");
            assert_eq!(body["error"]["code"], "forbidden");
        }
    }
    let (status, page) = viewer.page("/admin/users").await;
    assert_eq!(status, 403);
    assert!(page.contains("You do not have access to this page"));
    // Nothing changed: still one admin, sign-up still invite-only.
    let (_, users) = admin
        .call("/api/admin/users", &[("query", ""), ("page", "1")])
        .await;
    assert_eq!(users["total"], 3);
}
backend_test!(viewers_are_refused_admin_functions);

async fn admin_changes_roles_and_disables_accounts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let person = app
        .user_with_role(&admin, "person@example.com", "viewer")
        .await;
    let (_, me) = person.call("/api/auth/whoami", &[]).await;
    let id = me["id"].as_str().unwrap().to_string();

    let (status, body) = admin
        .call(
            "/api/admin/set_role",
            &[("user_id", &id), ("role", "editor")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "editor");
    assert_eq!(
        person.call("/api/auth/whoami", &[]).await.1["role"],
        "editor",
        "the new role applies at once"
    );

    let (status, body) = admin
        .call(
            "/api/admin/set_role",
            &[("user_id", &id), ("role", "overlord")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(field_error(&body, "role").is_some());
    let (status, _) = admin
        .call(
            "/api/admin/set_role",
            &[("user_id", "no-such-user"), ("role", "viewer")],
        )
        .await;
    assert_eq!(status, 404);

    // The only admin cannot demote or disable themselves out of the installation.
    let admin_id = admin.call("/api/auth/whoami", &[]).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = admin
        .call(
            "/api/admin/set_role",
            &[("user_id", &admin_id), ("role", "viewer")],
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = admin
        .call(
            "/api/admin/set_disabled",
            &[("user_id", &admin_id), ("disabled", "true")],
        )
        .await;
    assert_eq!(status, 409);

    let (status, body) = admin
        .call(
            "/api/admin/set_disabled",
            &[("user_id", &id), ("disabled", "true")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["disabled"], true);
    assert_eq!(
        person.get("/").await.status(),
        303,
        "disabling ends the person's sessions"
    );
    let (status, body) = app
        .browser()
        .call(
            "/api/auth/login",
            &[("email", "person@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "account_disabled");

    let (status, _) = admin
        .call(
            "/api/admin/set_disabled",
            &[("user_id", &id), ("disabled", "false")],
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .browser()
        .call(
            "/api/auth/login",
            &[("email", "person@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200, "re-enabled accounts sign in again");

    let (_, log) = admin.call("/api/admin/audit", &[("page", "1")]).await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "role_changed",
        "account_disabled",
        "account_enabled",
        "user_created",
        "login",
        "login_failed",
        "signup",
    ] {
        assert!(
            actions.contains(&expected),
            "audit log lacks {expected}: {actions:?}"
        );
    }
}
backend_test!(admin_changes_roles_and_disables_accounts);

async fn invitation_flow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let (status, invitation) = admin
        .call(
            "/api/admin/create_invitation",
            &[("email", "Editor@Example.com"), ("role", "editor")],
        )
        .await;
    assert_eq!(status, 200, "{invitation}");
    let link = invitation["link"].as_str().unwrap();
    let token = link
        .split("invite=")
        .nth(1)
        .expect("the link carries a token")
        .to_string();

    let guest = app.browser();
    let (status, page) = guest.page(&format!("/signup?invite={token}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("You have been invited as an editor."),
        "the page names the role"
    );

    // The invitation is for one address.
    let (status, body) = guest
        .call(
            "/api/auth/signup",
            &[
                ("name", "Ed"),
                ("email", "other@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("invite", &token),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(field_error(&body, "email")
        .unwrap()
        .contains("different email"));

    let (status, body) = guest
        .call(
            "/api/auth/signup",
            &[
                ("name", "Ed"),
                ("email", "editor@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("invite", &token),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        guest.call("/api/auth/whoami", &[]).await.1["role"],
        "editor"
    );

    // A used link and an unknown one are refused at the invitation field.
    for bad in [token.as_str(), "not-a-real-token"] {
        let (status, body) = app
            .browser()
            .call(
                "/api/auth/signup",
                &[
                    ("name", "Z"),
                    ("email", "z@example.com"),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                    ("invite", bad),
                ],
            )
            .await;
        assert_eq!(status, 422);
        assert!(
            field_error(&body, "invite")
                .unwrap()
                .contains("invalid, expired or already used"),
            "{body}"
        );
    }

    // Revoked invitations stop working; open sign-up admits viewers.
    let (_, second) = admin
        .call(
            "/api/admin/create_invitation",
            &[("email", ""), ("role", "admin")],
        )
        .await;
    let (status, _) = admin
        .call(
            "/api/admin/revoke_invitation",
            &[("id", second["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(status, 200);
    let (_, list) = admin.call("/api/admin/invitations", &[("page", "1")]).await;
    let states: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, vec!["revoked", "accepted"]);

    let (status, _) = admin
        .call("/api/admin/set_signup_mode", &[("mode", "open")])
        .await;
    assert_eq!(status, 200);
    let walk_in = app.signed_up("Walk In", "walkin@example.com").await;
    assert_eq!(
        walk_in.call("/api/auth/whoami", &[]).await.1["role"],
        "viewer"
    );
}
backend_test!(invitation_flow);

async fn admin_pages_render_with_real_figures(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    app.user_with_role(&admin, "ed@example.com", "editor").await;
    admin
        .call(
            "/api/admin/create_invitation",
            &[("email", ""), ("role", "viewer")],
        )
        .await;
    let (status, page) = admin.page("/").await;
    assert_eq!(status, 200);
    let people = page
        .split("data-stat=\"users\"")
        .nth(1)
        .expect("people card");
    assert!(people.contains(">2<"), "two people on the dashboard");
    let invitations = page
        .split("data-stat=\"invitations\"")
        .nth(1)
        .expect("invitations card");
    assert!(invitations.contains(">1<"), "one pending invitation");
    for path in [
        "/admin/users",
        "/admin/invitations",
        "/admin/audit",
        "/account",
    ] {
        let (status, page) = admin.page(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!page.contains("Something went wrong"), "{path}");
    }
    let (_, users) = admin.page("/admin/users?q=ed%40").await;
    assert!(
        users.contains("ed@example.com") && !users.contains("data-user=\"admin@example.com\""),
        "search filters"
    );
}
backend_test!(admin_pages_render_with_real_figures);
