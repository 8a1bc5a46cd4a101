//! Battlecards as reps see them: the published version only, feedback on answers,
//! view counts, what a viewer may and may not touch, and markup that cannot run.
use serde_json::{json, Value};

use crate::backend_test;
use crate::common::cards::{card_with, editor, full_content, publish};
use crate::common::{
    assert_error, excerpt, field_error, without_nonces, Backend, Browser, TestApp,
};

async fn read(who: &Browser, card_id: &str) -> Value {
    let (status, body) = who.call("/api/cards/read", &[("id", card_id)]).await;
    assert_eq!(status, 200, "read: {body}");
    body
}

fn section_html(card: &Value, key: &str) -> String {
    card["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .and_then(|s| s["html"].as_str())
        .unwrap_or_else(|| panic!("no {key} section in {card}"))
        .to_string()
}

async fn feedback(
    who: &Browser,
    card: &str,
    objection: &str,
    helpful: bool,
    comment: &str,
) -> (u16, Value) {
    who.call(
        "/api/cards/feedback",
        &[
            ("card_id", card),
            ("objection_id", objection),
            ("helpful", if helpful { "true" } else { "false" }),
            ("comment", comment),
        ],
    )
    .await
}

async fn reps_keep_the_published_version_while_editors_revise(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let rep = app
        .user_with_role(&admin, "rep@example.com", "viewer")
        .await;
    let (_, card, v) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    publish(&admin, &card).await;

    let seen = read(&rep, &card).await;
    assert_eq!(seen["version"], v);
    assert_eq!(seen["title"], "Acme vs us");
    assert_eq!(seen["competitor_name"], "Acme");
    assert_eq!(seen["can_edit"], false);
    let keys: Vec<&str> = seen["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "overview",
            "strengths",
            "weaknesses",
            "why_we_win",
            "pricing",
            "landmines",
            "proof_points",
            "resources"
        ]
    );
    assert!(
        section_html(&seen, "overview").contains("<strong>CRM</strong>"),
        "Markdown is rendered"
    );
    assert!(section_html(&seen, "resources").contains("href=\"https://example.com/deck\""));
    assert_eq!(seen["objections"].as_array().unwrap().len(), 3);
    assert_eq!(
        seen["objections"][0]["answer_text"],
        "Count the admin hours too."
    );
    assert_eq!(read(&admin, &card).await["can_edit"], true);

    let mut next = editor(&admin, &card).await["content"].clone();
    next["pricing"] = json!("NEWPRICE: $149 per seat.");
    let (status, body) = crate::common::cards::save(&admin, &card, v, &next).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["Saved"]["status"], "draft",
        "editing a published card opens a draft"
    );
    let data = editor(&admin, &card).await;
    assert_eq!(
        (data["status"].as_str(), data["published_version"].as_i64()),
        (Some("draft"), Some(v))
    );
    assert_eq!(data["content"]["pricing"], "NEWPRICE: $149 per seat.");

    let still = read(&rep, &card).await;
    assert_eq!(still["version"], v, "reps still read the published version");
    assert!(!section_html(&still, "pricing").contains("NEWPRICE"));
    assert!(section_html(&still, "pricing").contains("$99"));

    publish(&admin, &card).await;
    let fresh = read(&rep, &card).await;
    assert_eq!(fresh["version"], v + 1);
    assert!(section_html(&fresh, "pricing").contains("NEWPRICE"));
}
backend_test!(reps_keep_the_published_version_while_editors_revise);

/// An admin, and two viewers: ann@example.com and bob@example.com.
async fn admin_and_two_viewers(app: &TestApp) -> (Browser, Browser, Browser) {
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let ann = app
        .user_with_role(&admin, "ann@example.com", "viewer")
        .await;
    let bob = app
        .user_with_role(&admin, "bob@example.com", "viewer")
        .await;
    (admin, ann, bob)
}

async fn feedback_and_views_are_counted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin, ann, bob) = admin_and_two_viewers(&app).await;
    let (_, card, _) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    let (_, draft, _) = card_with(&admin, "Beta", &full_content("Beta vs us")).await;
    publish(&admin, &card).await;
    let before = editor(&admin, &card).await;
    assert_eq!(before["views_total"], 0);

    let shown = read(&ann, &card).await;
    let cheaper = shown["objections"][0]["id"].as_str().unwrap().to_string();
    let email = shown["objections"][1]["id"].as_str().unwrap().to_string();
    assert_eq!(shown["objections"][0]["my_vote"], Value::Null);

    let (status, body) = feedback(&ann, &card, &cheaper, true, "").await;
    assert_eq!((status, body), (200, json!(true)));
    let (status, _) = feedback(&bob, &card, &cheaper, false, "Did not land with the CFO").await;
    assert_eq!(status, 200);
    let (status, _) = feedback(&bob, &card, &email, true, "").await;
    assert_eq!(status, 200);
    // Ann changes her mind: her vote is replaced, not added.
    let (status, body) = feedback(&ann, &card, &cheaper, false, "Needs numbers").await;
    assert_eq!((status, body), (200, json!(false)));
    assert_eq!(read(&ann, &card).await["objections"][0]["my_vote"], false);
    read(&bob, &card).await;

    let answer = feedback(&ann, &card, "no-such-objection", true, "").await;
    assert_error(&answer, 404, "not_found");
    let (status, body) = feedback(&ann, &card, &cheaper, true, &"c".repeat(1001)).await;
    assert_eq!(status, 422, "{body}");
    assert!(field_error(&body, "comment").is_some(), "{body}");
    let draft_objection = editor(&admin, &draft).await["content"]["objections"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = feedback(&ann, &draft, &draft_objection, true, "").await;
    assert_eq!(status, 404, "no feedback on cards a viewer cannot see");

    let data = editor(&admin, &card).await;
    let counts = |id: &str| -> Value {
        data["feedback"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["objection_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no feedback for {id}: {}", data["feedback"]))
    };
    let on_cheaper = counts(&cheaper);
    assert_eq!(
        (
            on_cheaper["helped"].as_u64(),
            on_cheaper["not_helped"].as_u64()
        ),
        (Some(0), Some(2))
    );
    let comments: Vec<&str> = on_cheaper["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["comment"].as_str().unwrap())
        .collect();
    assert!(
        comments.contains(&"Did not land with the CFO"),
        "{comments:?}"
    );
    assert!(comments.contains(&"Needs numbers"), "{comments:?}");
    assert!(
        !comments.iter().any(|c| c.starts_with("ccc")),
        "the refused comment is not stored"
    );
    let on_email = counts(&email);
    assert_eq!(
        (on_email["helped"].as_u64(), on_email["not_helped"].as_u64()),
        (Some(1), Some(0))
    );

    // Ann read twice, Bob once (feedback, refused or not, is not a view).
    assert_eq!(data["views_total"], 3, "{}", data["views_total"]);
    assert_eq!(data["views_last_30_days"], 3);

    // Reads from 29 and 30 days back (as UTC days, today being the first of 30) count
    // in the total; only the first in the last 30 days.
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        / 86_400_000;
    for (day, views) in [(today - 29, 4i64), (today - 30, 5)] {
        sqlx::query("INSERT INTO card_view_days (card_id, day, views) VALUES ($1, $2, $3)")
            .bind(&card)
            .bind(day)
            .bind(views)
            .execute(app.services().db().pool())
            .await
            .unwrap();
    }
    read(&bob, &card).await;
    let data = editor(&admin, &card).await;
    assert_eq!(data["views_total"], 13, "{}", data["views_total"]);
    assert_eq!(
        data["views_last_30_days"], 8,
        "{}",
        data["views_last_30_days"]
    );
}
backend_test!(feedback_and_views_are_counted);

/// Every card function a viewer might try on card `id`, with what each answered.
async fn try_everything(
    rep: &Browser,
    id: &str,
    objection: &str,
    v: i64,
) -> Vec<(&'static str, (u16, Value))> {
    let version = v.to_string();
    let forms: [(&'static str, Vec<(&str, &str)>); 6] = [
        ("/api/cards/editor", vec![("id", id)]),
        ("/api/cards/history", vec![("id", id)]),
        (
            "/api/cards/diff",
            vec![("id", id), ("from", "1"), ("to", &version)],
        ),
        (
            "/api/cards/restore",
            vec![("id", id), ("version", "1"), ("base_version", &version)],
        ),
        ("/api/cards/read", vec![("id", id)]),
        (
            "/api/cards/feedback",
            vec![
                ("card_id", id),
                ("objection_id", objection),
                ("helpful", "true"),
                ("comment", ""),
            ],
        ),
    ];
    let mut answers = Vec::new();
    for (path, fields) in forms {
        answers.push((path, rep.call(path, &fields).await));
    }
    let status = json!({"id": id, "status": "draft", "version": v});
    answers.push((
        "/api/cards/status",
        rep.call_json("/api/cards/status", &status).await,
    ));
    let content = full_content("Hijacked");
    let save = json!({"id": id, "base_version": v, "content": content, "note": ""});
    answers.push((
        "/api/cards/save",
        rep.call_json("/api/cards/save", &save).await,
    ));
    let order = json!({"id": id, "base_version": v, "order": [objection]});
    answers.push((
        "/api/cards/reorder",
        rep.call_json("/api/cards/reorder", &order).await,
    ));
    answers
}

async fn viewers_cannot_tell_a_draft_from_a_missing_card(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let rep = app
        .user_with_role(&admin, "rep@example.com", "viewer")
        .await;
    let (_, draft, v) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    let data = editor(&admin, &draft).await;
    let objection = data["content"]["objections"][0]["id"].as_str().unwrap();

    let for_draft = try_everything(&rep, &draft, objection, v).await;
    let for_missing = try_everything(&rep, "no-such-card", objection, v).await;
    for ((path, draft_answer), (_, missing_answer)) in for_draft.iter().zip(&for_missing) {
        assert_error(draft_answer, 404, "not_found");
        assert_error(missing_answer, 404, "not_found");
        let (same, other) = (&draft_answer.1, &missing_answer.1);
        assert_eq!(
            same["error"]["message"], other["error"]["message"],
            "{path}: a draft looks missing"
        );
    }
    let after = editor(&admin, &draft).await;
    assert_eq!(after["version"], v, "nothing changed");
    assert_eq!(after["content"], data["content"]);

    // Once published the card exists for the viewer, but editing it stays closed.
    publish(&admin, &draft).await;
    for (path, answer) in try_everything(&rep, &draft, objection, v).await {
        match path {
            "/api/cards/read" | "/api/cards/feedback" => assert_eq!(answer.0, 200, "{path}"),
            _ => assert_error(&answer, 403, "forbidden"),
        }
    }
    let answer = rep
        .call_json("/api/cards/preview", &json!({"markdown": "**hi**"}))
        .await;
    assert_error(&answer, 403, "forbidden");
    let fields = [
        ("competitor_id", data["competitor_id"].as_str().unwrap()),
        ("title", "Mine"),
    ];
    assert_error(
        &rep.call("/api/cards/create", &fields).await,
        403,
        "forbidden",
    );
    let after = editor(&admin, &draft).await;
    assert_eq!(
        (&after["version"], &after["status"]),
        (&json!(v), &json!("published"))
    );
    assert_eq!(after["content"]["title"], "Acme vs us");
}
backend_test!(viewers_cannot_tell_a_draft_from_a_missing_card);

const PAYLOADS: [&str; 4] = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<iframe src=//evil.example></iframe>",
];

fn assert_inert(html: &str, context: &str) {
    let lower = html.to_lowercase();
    for bad in ["<script", "javascript:", "onerror", "<iframe"] {
        assert!(!lower.contains(bad), "{context} contains {bad}: {html}");
    }
}

async fn typed_markup_is_stored_as_typed_and_rendered_inert(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let rep = app
        .user_with_role(&admin, "rep@example.com", "viewer")
        .await;
    let all = PAYLOADS.join("\n\n");
    let mut content = full_content("Acme vs us");
    content["overview"] = json!(format!("**Safe bold** text.\n\n{all}"));
    for (key, payload) in ["strengths", "weaknesses", "pricing", "resources"]
        .into_iter()
        .zip(PAYLOADS)
    {
        content[key] = json!(format!("Before {payload} after"));
    }
    content["objections"][0]["answer"] = json!(format!("Answer with {all}"));
    let (_, card, v) = card_with(&admin, "Acme", &content).await;

    let stored = editor(&admin, &card).await["content"].clone();
    for key in [
        "overview",
        "strengths",
        "weaknesses",
        "pricing",
        "resources",
    ] {
        assert_eq!(
            stored[key], content[key],
            "{key} is stored exactly as typed"
        );
    }
    assert_eq!(
        stored["objections"][0]["answer"],
        content["objections"][0]["answer"]
    );

    publish(&admin, &card).await;
    assert_eq!(editor(&admin, &card).await["published_version"], v);
    let shown = read(&rep, &card).await;
    for section in shown["sections"].as_array().unwrap() {
        assert_inert(
            section["html"].as_str().unwrap(),
            &format!("section {}", section["key"]),
        );
    }
    assert!(
        section_html(&shown, "overview").contains("<strong>Safe bold</strong>"),
        "Markdown still works"
    );
    assert!(
        section_html(&shown, "pricing").contains("Before"),
        "the text around stays"
    );
    for o in shown["objections"].as_array().unwrap() {
        assert_inert(o["answer_html"].as_str().unwrap(), "objection answer");
    }
    assert!(shown["objections"][0]["answer_html"]
        .as_str()
        .unwrap()
        .contains("Answer with"));

    for payload in PAYLOADS.iter().chain(&[all.as_str()]) {
        let (status, html) = admin
            .call_json("/api/cards/preview", &json!({"markdown": payload}))
            .await;
        assert_eq!(status, 200, "{html}");
        assert_inert(
            html.as_str().expect("HTML as a JSON string"),
            &format!("preview of {payload}"),
        );
    }
    let (_, html) = admin
        .call_json(
            "/api/cards/preview",
            &json!({"markdown": "# Title\n\n[ok](https://example.com)"}),
        )
        .await;
    let html = html.as_str().unwrap();
    assert!(
        html.contains("<h1") && html.contains("href=\"https://example.com\""),
        "{html}"
    );
}
backend_test!(typed_markup_is_stored_as_typed_and_rendered_inert);

/// PAGES (UI in progress — adjust once the card pages land): the rep page shows none
/// of a card's markup as live HTML; the editor page shows it as text in its
/// `<textarea>`s (where a bare `<script>` is inert), but text written to close the
/// textarea or the `<title>` first must not get out.
async fn card_pages_render_without_live_markup(backend: Backend) {
    const BREAKOUTS: [&str; 2] = [
        "</textarea><script>alert(1)</script>",
        "</title><script>alert(2)</script>",
    ];
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let rep = app
        .user_with_role(&admin, "rep@example.com", "viewer")
        .await;
    let mut content = full_content(&format!("Acme {}", BREAKOUTS[1]));
    content["overview"] = json!(format!("{}\n\n{}", BREAKOUTS[0], PAYLOADS.join("\n\n")));
    content["objections"][0]["objection"] = json!(BREAKOUTS.concat());
    content["objections"][0]["answer"] = json!(PAYLOADS.join(" "));
    let (_, card, _) = card_with(&admin, "Acme", &content).await;
    let (status, _) = rep.page(&format!("/cards/{card}")).await;
    assert_eq!(
        status, 404,
        "PAGES: a draft's rep page is not found for viewers"
    );
    publish(&admin, &card).await;

    let mut problems = Vec::new();
    let path = format!("/cards/{card}");
    let (status, page) = rep.page(&path).await;
    assert_eq!(status, 200, "PAGES: {path}");
    for bad in [
        "<script>alert(",
        "<img src=x onerror",
        "<iframe src=//evil",
        "href=\"javascript:",
    ] {
        let context = excerpt(&page, bad);
        if page.to_lowercase().contains(bad) {
            problems.push(format!("{path} shows {bad:?} live: …{context}…"));
        }
    }
    let path = format!("/cards/{card}/edit");
    let (status, page) = admin.page(&path).await;
    assert_eq!(status, 200, "PAGES: {path}");
    for bad in BREAKOUTS {
        let context = excerpt(&page, bad);
        if !context.is_empty() {
            problems.push(format!("{path} lets {bad:?} out: …{context}…"));
        }
    }
    assert!(problems.is_empty(), "PAGES:\n{}", problems.join("\n\n"));
}
backend_test!(card_pages_render_without_live_markup);

/// The rep view as a browser gets it (see `Browser::served`), without nonces.
async fn page(who: &Browser, path: &str) -> String {
    without_nonces(&who.served(path, "gzip, deflate, br").await.html)
}

/// A rep view is served again without rendering while nothing on it changed; whatever
/// changes — the reader's vote, the competitor's name, a new published version, the
/// reader — shows at once, and every view is counted.
async fn a_rep_view_shows_every_change_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin, ann, bob) = admin_and_two_viewers(&app).await;
    let (competitor, card, _) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    publish(&admin, &card).await;
    let path = format!("/cards/{card}");

    let first = page(&ann, &path).await;
    let again = page(&ann, &path).await;
    assert_eq!(first, again);
    assert!(
        first.contains("Did this answer help?"),
        "{}",
        excerpt(&first, "feedback")
    );
    assert!(first.contains("ann@example.com"), "Ann's own header");

    let objection = read(&ann, &card).await["objections"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(feedback(&ann, &card, &objection, true, "").await.0, 200);
    let voted = page(&ann, &path).await;
    assert!(
        voted.contains("You said this helped"),
        "{}",
        excerpt(&voted, "feedback")
    );

    let bobs = page(&bob, &path).await;
    assert!(bobs.contains("bob@example.com") && !bobs.contains("ann@example.com"));
    assert!(!bobs.contains("You said this helped"), "Bob has not voted");

    let (status, body) = admin
        .call(
            "/api/competitors/update",
            &[
                ("id", competitor.as_str()),
                ("name", "Acme Renamed"),
                ("website", ""),
                ("description", ""),
                ("tags", ""),
                ("keywords", ""),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let renamed = page(&ann, &path).await;
    assert!(renamed.contains("Acme Renamed"));

    let data = editor(&admin, &card).await;
    let mut next = data["content"].clone();
    next["pricing"] = json!("NEWPRICE: $149 per seat.");
    let v = data["version"].as_i64().unwrap();
    assert_eq!(
        crate::common::cards::save(&admin, &card, v, &next).await.0,
        200
    );
    let draft_saved = page(&ann, &path).await;
    assert!(
        !draft_saved.contains("NEWPRICE"),
        "reps keep the published version"
    );
    publish(&admin, &card).await;
    let republished = page(&ann, &path).await;
    assert!(republished.contains("NEWPRICE"));

    let (status, _) = set_status(&admin, &card, "archived").await;
    assert_eq!(status, 200);
    assert_eq!(
        ann.page(&path).await.0,
        404,
        "an archived card is gone for reps"
    );

    // Ann opened the page six times, Bob once, and the `read` call above is a view too.
    let data = editor(&admin, &card).await;
    assert_eq!(data["views_total"], 8, "{}", data["views_total"]);

    // An archived card has no version readers see, even for its editors: none of its
    // answers can be rated, and there is no published version to export.
    let (status, body) = feedback(&admin, &card, &objection, true, "").await;
    assert_eq!(status, 404, "rating an archived card's answer: {body}");
    let (status, _, _) = admin
        .download(&format!("/cards/{card}/export/docx?published=true"))
        .await;
    assert_eq!(
        status, 404,
        "exporting an archived card's published version"
    );
}
backend_test!(a_rep_view_shows_every_change_at_once);

async fn set_status(who: &Browser, card: &str, to: &str) -> (u16, Value) {
    let version = editor(who, card).await["version"].as_i64().unwrap();
    crate::common::cards::set_status(who, card, to, version).await
}

/// Browsers get the rep view compressed in an encoding they offered, rendered or served
/// again, each time with a policy that lets its scripts run; a client that offers no
/// compression gets the same page plain.
async fn a_rep_view_is_compressed_for_browsers_that_accept_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let (_, card, _) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    publish(&admin, &card).await;
    let path = format!("/cards/{card}");

    let mut documents = Vec::new();
    for offered in [
        "gzip, deflate",
        "gzip, deflate",
        "gzip, deflate, br",
        "br",
        "identity",
    ] {
        let served = admin.served(&path, offered).await;
        let expected = match offered {
            "identity" => None,
            "br" => Some("br"),
            _ if offered.contains("br") => Some("br"),
            _ => Some("gzip"),
        };
        // A page rendered for this request may go out uncompressed to a client that
        // offers brotli only (the response layer compresses with gzip alone); a kept one
        // is sent in brotli.
        assert!(
            served.encoding.as_deref() == expected
                || (expected == Some("br") && served.encoding.is_none()),
            "offered {offered}, sent {:?}",
            served.encoding
        );
        assert!(
            served.html.contains("Acme vs us"),
            "{}",
            excerpt(&served.html, "Acme")
        );
        // The page's data is rendered, never sent again as data: none of its islands
        // loads anything.
        assert!(
            !served.html.contains("__RESOLVED_RESOURCES["),
            "{}",
            excerpt(&served.html, "__RESOLVED_RESOURCES[")
        );
        documents.push(without_nonces(&served.html));
    }
    assert!(
        documents.windows(2).all(|pair| pair[0] == pair[1]),
        "the same page whatever the encoding"
    );
}
backend_test!(a_rep_view_is_compressed_for_browsers_that_accept_it);
