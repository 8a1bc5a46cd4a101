//! Sign-up, sign-in, sessions, sign-out, throttling and password changes.
use crate::backend_test;
use crate::common::{field_error, Backend, TestApp, PASSWORD};

async fn first_user_becomes_admin_and_stays_signed_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, page) = app.browser().page("/signup").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Set up Outrival"),
        "first visit offers set-up"
    );

    let dana = app.signed_up("Dana Scully", "Dana@Example.com").await;
    let (status, me) = dana.call("/api/auth/whoami", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(me["role"], "admin");
    assert_eq!(
        me["email"], "dana@example.com",
        "emails are stored lower-case"
    );

    // The session carries across requests: the dashboard renders for Dana.
    for _ in 0..2 {
        let (status, page) = dana.page("/").await;
        assert_eq!(status, 200);
        assert!(page.contains("Welcome, Dana Scully"));
    }
    // A second sign-up (invite-only by default) is refused at the invitation field.
    let (status, body) = app
        .browser()
        .call(
            "/api/auth/signup",
            &[
                ("name", "Fox"),
                ("email", "fox@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(field_error(&body, "invite")
        .unwrap()
        .contains("invitation only"));
}
backend_test!(first_user_becomes_admin_and_stays_signed_in);

async fn anonymous_pages_redirect_to_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Once set up (before, visitors are sent to set it up: see `newcomers`).
    app.signed_up("Ada Admin", "ada@example.com").await;
    let res = app.browser().get("/admin/users?page=2").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/login?next=%2Fadmin%2Fusers%3Fpage%3D2"
    );
    let (status, body) = app.browser().call("/api/dashboard/figures", &[]).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");
}
backend_test!(anonymous_pages_redirect_to_sign_in);

async fn logout_invalidates_the_old_cookie(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dana = app.signed_up("Dana", "dana@example.com").await;
    let old = dana.session_id().expect("a session cookie after sign-up");
    if let Some(prefix) = &app.redis_prefix {
        use fred::prelude::*;
        let exists: i64 = app
            .redis()
            .await
            .exists(format!("{prefix}session:{old}"))
            .await
            .unwrap();
        assert_eq!(exists, 1, "the session lives in Redis");
    }
    let (status, _) = dana.call("/api/auth/logout", &[]).await;
    assert_eq!(status, 200);
    assert!(dana.session_id().is_none(), "the cookie is cleared");
    if let Some(prefix) = &app.redis_prefix {
        use fred::prelude::*;
        let exists: i64 = app
            .redis()
            .await
            .exists(format!("{prefix}session:{old}"))
            .await
            .unwrap();
        assert_eq!(exists, 0, "logout deletes the session server-side");
    }
    let replay = dana.with_cookie(&old);
    let res = replay.get("/").await;
    assert_eq!(
        res.status(),
        303,
        "the old cookie no longer signs anyone in"
    );
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}
backend_test!(logout_invalidates_the_old_cookie);

/// Who a session is may be kept between its requests; no write to a user, by any path,
/// leaves a kept copy trusted: the database's own triggers mark every change to users.
async fn a_user_disabled_straight_in_the_database_is_refused_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let dana = app
        .user_with_role(&admin, "dana@example.com", "editor")
        .await;
    for _ in 0..3 {
        let (status, me) = dana.call("/api/auth/whoami", &[]).await;
        assert_eq!(
            (status, me["email"].as_str()),
            (200, Some("dana@example.com"))
        );
    }
    let disabled = sqlx::query("UPDATE users SET disabled_at = $1 WHERE email = $2")
        .bind(1_i64)
        .bind("dana@example.com")
        .execute(app.services().db().pool())
        .await
        .unwrap();
    assert_eq!(disabled.rows_affected(), 1);
    let (status, me) = dana.call("/api/auth/whoami", &[]).await;
    assert!(
        me.is_null() || status == 401,
        "a disabled person is still trusted: {status} {me}"
    );
    assert_eq!(
        dana.get("/").await.status(),
        303,
        "and her pages refuse her"
    );
    let (status, me) = admin.call("/api/auth/whoami", &[]).await;
    assert_eq!(
        (status, me["email"].as_str()),
        (200, Some("ann@example.com"))
    );
}
backend_test!(a_user_disabled_straight_in_the_database_is_refused_at_once);

async fn session_id_changes_at_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dana = app.signed_up("Dana", "dana@example.com").await;
    let before = dana.session_id().unwrap();
    let (status, body) = dana
        .call(
            "/api/auth/login",
            &[("email", "dana@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let after = dana.session_id().unwrap();
    assert_ne!(before, after, "signing in issues a new session id");
    assert_eq!(
        dana.with_cookie(&before).get("/").await.status(),
        303,
        "the pre-login id is dead"
    );
    assert_eq!(dana.get("/").await.status(), 200);
}
backend_test!(session_id_changes_at_login);

async fn wrong_password_and_unknown_email_answer_alike(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("Dana", "dana@example.com").await;
    let b = app.browser();
    let (s1, wrong) = b
        .call(
            "/api/auth/login",
            &[
                ("email", "dana@example.com"),
                ("password", "Not-The-Password-1"),
            ],
        )
        .await;
    let (s2, unknown) = b
        .call(
            "/api/auth/login",
            &[
                ("email", "nobody@example.com"),
                ("password", "Not-The-Password-1"),
            ],
        )
        .await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(wrong["error"]["code"], "invalid_credentials");
    assert_eq!(wrong["error"]["message"], unknown["error"]["message"]);
    assert_eq!(
        wrong["error"]["message"],
        "The email or password is incorrect."
    );
    assert!(b.session_id().is_none());
}
backend_test!(wrong_password_and_unknown_email_answer_alike);

async fn repeated_failures_lock_the_account(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[("LOGIN_MAX_FAILURES", "3"), ("LOGIN_LOCKOUT", "15m")],
    )
    .await;
    app.signed_up("Dana", "dana@example.com").await;
    let b = app.browser();
    for attempt in 1..=2 {
        let (status, body) = b
            .call(
                "/api/auth/login",
                &[
                    ("email", "dana@example.com"),
                    ("password", "Wrong-Password-99"),
                ],
            )
            .await;
        assert_eq!(status, 401, "attempt {attempt}: {body}");
    }
    let (status, body) = b
        .call(
            "/api/auth/login",
            &[
                ("email", "dana@example.com"),
                ("password", "Wrong-Password-99"),
            ],
        )
        .await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "throttled");
    assert_eq!(
        body["error"]["message"],
        "Too many failed sign-in attempts. Try again in 15 minutes."
    );
    // Even the right password waits for the lockout to end.
    let (status, body) = b
        .call(
            "/api/auth/login",
            &[("email", "dana@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 429, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Try again in"));
}
backend_test!(repeated_failures_lock_the_account);

async fn changing_password_signs_out_other_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let laptop = app.signed_up("Dana", "dana@example.com").await;
    let phone = app.browser();
    let (status, _) = phone
        .call(
            "/api/auth/login",
            &[("email", "dana@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200);

    let new_password = "Another-Strong-Passphrase-7";
    let (status, body) = laptop
        .call(
            "/api/auth/change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
                ("new_password_confirm", new_password),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        laptop.get("/").await.status(),
        200,
        "the session that changed it stays signed in"
    );
    assert_eq!(phone.get("/").await.status(), 303, "other sessions end");

    let (status, _) = app
        .browser()
        .call(
            "/api/auth/login",
            &[("email", "dana@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 401, "the old password no longer works");
    let (status, _) = app
        .browser()
        .call(
            "/api/auth/login",
            &[("email", "dana@example.com"), ("password", new_password)],
        )
        .await;
    assert_eq!(status, 200);

    let (status, body) = laptop
        .call(
            "/api/auth/change_password",
            &[
                ("current_password", "not-my-password"),
                ("new_password", "Yet-Another-Passphrase-8"),
                ("new_password_confirm", "Yet-Another-Passphrase-8"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "current_password").unwrap(),
        "Your current password is not correct."
    );
}
backend_test!(changing_password_signs_out_other_sessions);

async fn sign_up_validates_every_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = app.browser();
    let long_name = "n".repeat(101);
    // (form fields, the field that must carry an error, words the message must contain)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("name", ""),
                ("email", "a@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
            "name",
            "Enter your name.",
        ),
        (
            vec![
                ("name", &long_name),
                ("email", "a@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
            "name",
            "at most 100",
        ),
        (
            vec![
                ("name", "A"),
                ("email", ""),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
            "email",
            "Enter your email",
        ),
        (
            vec![
                ("name", "A"),
                ("email", "not-an-email"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
            "email",
            "valid email",
        ),
        (
            vec![
                ("name", "A"),
                ("email", "a@example.com"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
            "password",
            "at least 12",
        ),
        (
            vec![
                ("name", "A"),
                ("email", "a@example.com"),
                ("password", "password1234"),
                ("password_confirm", "password1234"),
            ],
            "password",
            "commonly used",
        ),
        (
            vec![
                ("name", "A"),
                ("email", "alice.smith@example.com"),
                ("password", "alice.smith@example.com"),
                ("password_confirm", "alice.smith@example.com"),
            ],
            "password",
            "cannot be your email",
        ),
        (
            vec![
                ("name", "A"),
                ("email", "a@example.com"),
                ("password", PASSWORD),
                ("password_confirm", "Something-Else-12"),
            ],
            "password_confirm",
            "do not match",
        ),
    ];
    for (fields, field, expected) in cases {
        let (status, body) = b.call("/api/auth/signup", &fields).await;
        assert_eq!(status, 422, "{field}: {body}");
        assert_eq!(body["error"]["code"], "validation");
        let message =
            field_error(&body, field).unwrap_or_else(|| panic!("no error for {field}: {body}"));
        assert!(
            message.contains(expected),
            "{field}: {message:?} should mention {expected:?}"
        );
        assert!(
            body["error"]["values"].get("password").is_none(),
            "passwords are never echoed back"
        );
    }
    // Nothing was half-saved: the next valid sign-up is still the first (admin).
    let dana = app.signed_up("Dana", "dana@example.com").await;
    assert_eq!(dana.call("/api/auth/whoami", &[]).await.1["role"], "admin");
    // Duplicate email.
    let (status, body) = app
        .browser()
        .call(
            "/api/auth/signup",
            &[
                ("name", "D2"),
                ("email", "DANA@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        field_error(&body, "email").is_some() || field_error(&body, "invite").is_some(),
        "{body}"
    );
    // Login field errors.
    let (status, body) = b
        .call("/api/auth/login", &[("email", ""), ("password", "")])
        .await;
    assert_eq!(status, 422);
    assert!(
        field_error(&body, "email").is_some() && field_error(&body, "password").is_some(),
        "{body}"
    );
}
backend_test!(sign_up_validates_every_field);

async fn plain_form_login_works_without_javascript(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("Dana", "dana@example.com").await;
    let b = app.browser();
    let res = b
        .form_post(
            "/api/auth/login",
            "/login",
            &[
                ("email", "dana@example.com"),
                ("password", "Wrong-Password-99"),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        302,
        "a failed form post goes back to the form"
    );
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert!(
        back.contains("/login?") && back.contains("__err="),
        "{back}"
    );
    let page = b
        .client
        .get(&back)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("The email or password is incorrect."),
        "the error shows on the page"
    );
    assert!(
        page.contains("value=\"dana@example.com\""),
        "the typed email is kept"
    );
    assert!(!page.contains("Wrong-Password-99"), "the password is not");

    let res = b
        .form_post(
            "/api/auth/login",
            "/login?next=/account",
            &[
                ("email", "dana@example.com"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(b.get("/account").await.status(), 200);
    // An off-site `next` is ignored.
    let res = b
        .form_post(
            "/api/auth/login",
            "/login",
            &[
                ("email", "dana@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.headers()["location"], "/");
}
backend_test!(plain_form_login_works_without_javascript);

/// Every way of writing an off-site `next` that a browser would follow lands on the
/// dashboard; none of them makes the sign-in fail or panic.
async fn sign_in_never_redirects_off_site(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("Dana", "dana@example.com").await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "\t//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "//evil.example",
        "///evil.example",
        "https://evil.example/",
        "/\u{0}",
    ] {
        let b = app.browser();
        let res = b
            .form_post(
                "/api/auth/login",
                "/login",
                &[
                    ("email", "dana@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status(), 302, "{next:?}");
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let resolved = url::Url::parse("http://outrival.test/login")
            .unwrap()
            .join(&location)
            .unwrap();
        assert_eq!(
            resolved.host_str(),
            Some("outrival.test"),
            "{next:?} led to {location:?}"
        );
        assert_eq!(b.get("/").await.status(), 200, "signed in despite {next:?}");
    }
}
backend_test!(sign_in_never_redirects_off_site);

async fn idle_sessions_expire_and_activity_keeps_them_alive(backend: Backend) {
    use std::time::Duration;
    let app = TestApp::spawn_with(backend, &[("SESSION_IDLE_TIMEOUT", "30m")]).await;
    let clock = app.services().accounts().clock();
    let dana = app.signed_up("Dana", "dana@example.com").await;
    for _ in 0..4 {
        clock.advance(Duration::from_secs(20 * 60));
        assert_eq!(
            dana.get("/").await.status(),
            200,
            "activity within the idle timeout keeps the session"
        );
    }
    clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(dana.get("/").await.status(), 200, "29 minutes idle is fine");
    clock.advance(Duration::from_secs(31 * 60));
    assert_eq!(dana.get("/").await.status(), 303, "an idle session ends");
    assert_eq!(
        dana.get("/").await.status(),
        303,
        "and stays ended once the clock is no longer ahead of the store"
    );
}
backend_test!(idle_sessions_expire_and_activity_keeps_them_alive);

async fn sessions_end_at_their_absolute_lifetime(backend: Backend) {
    use std::time::Duration;
    let app = TestApp::spawn_with(
        backend,
        &[
            ("SESSION_MAX_LIFETIME", "8h"),
            ("SESSION_IDLE_TIMEOUT", "30m"),
        ],
    )
    .await;
    let clock = app.services().accounts().clock();
    let dana = app.signed_up("Dana", "dana@example.com").await;
    assert_eq!(dana.get("/").await.status(), 200);
    // Active every 20 minutes for 7 hours 40 minutes: still signed in.
    for _ in 0..23 {
        clock.advance(Duration::from_secs(20 * 60));
        assert_eq!(dana.get("/").await.status(), 200);
    }
    clock.advance(Duration::from_secs(21 * 60));
    assert_eq!(
        dana.get("/").await.status(),
        303,
        "however active, a session ends at its lifetime"
    );
}
backend_test!(sessions_end_at_their_absolute_lifetime);

/// Wrong current passwords on the change-password form count like failed sign-ins:
/// a stolen session cannot be used to guess the password.
async fn change_password_is_throttled_like_sign_in(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[("LOGIN_MAX_FAILURES", "3"), ("LOGIN_LOCKOUT", "15m")],
    )
    .await;
    let dana = app.signed_up("Dana", "dana@example.com").await;
    let new_password = "Another-Strong-Passphrase-7";
    let change = |current: &'static str| {
        let dana = &dana;
        async move {
            dana.call(
                "/api/auth/change_password",
                &[
                    ("current_password", current),
                    ("new_password", new_password),
                    ("new_password_confirm", new_password),
                ],
            )
            .await
        }
    };
    for attempt in 1..=2 {
        let (status, body) = change("Wrong-Guess-Number-1").await;
        assert_eq!(status, 422, "attempt {attempt}: {body}");
        assert_eq!(
            field_error(&body, "current_password").unwrap(),
            "Your current password is not correct."
        );
    }
    let (status, body) = change("Wrong-Guess-Number-3").await;
    assert_eq!(status, 429, "the third wrong guess locks: {body}");
    assert_eq!(body["error"]["code"], "throttled");
    // Locked: even the right current password waits, and so does signing in.
    let (status, body) = change(PASSWORD).await;
    assert_eq!(status, 429, "{body}");
    let (status, body) = app
        .browser()
        .call(
            "/api/auth/login",
            &[("email", "dana@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 429, "{body}");
    // The guesses are in the audit log.
    let failures: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND detail = 'password change'",
    )
    .fetch_one(app.services().db().pool())
    .await
    .unwrap();
    assert_eq!(failures, 3);
}
backend_test!(change_password_is_throttled_like_sign_in);
