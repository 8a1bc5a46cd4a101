//! Writing battlecards: every save a version, the review workflow, conflicting saves,
//! history, diffs, restoring, reordering objections and per-field validation.
use serde_json::{json, Value};

use crate::backend_test;
use crate::common::cards::{
    card_with, editor, full_content, new_card, new_competitor, save, saved, set_status, SECTIONS,
};
use crate::common::{excerpt, field_error, Backend, Browser, TestApp};

async fn history(who: &Browser, card_id: &str) -> Value {
    let (status, body) = who.call("/api/cards/history", &[("id", card_id)]).await;
    assert_eq!(status, 200, "history: {body}");
    body
}

fn versions(history: &Value) -> Vec<i64> {
    history["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect()
}

fn objection_ids(editor_data: &Value) -> Vec<String> {
    editor_data["content"]["objections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

async fn diff(who: &Browser, card_id: &str, from: i64, to: i64) -> (u16, Value) {
    who.call(
        "/api/cards/diff",
        &[
            ("id", card_id),
            ("from", &from.to_string()),
            ("to", &to.to_string()),
        ],
    )
    .await
}

fn labels(diff: &Value) -> Vec<String> {
    diff["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap().to_string())
        .collect()
}

async fn every_save_is_a_version(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let ed = app.user_with_role(&admin, "ed@example.com", "editor").await;
    let acme = new_competitor(&ed, "Acme").await;
    let card = new_card(&ed, &acme, "Acme vs us").await;

    let fresh = editor(&ed, &card).await;
    assert_eq!(fresh["status"], "draft");
    assert_eq!(fresh["version"], 1);
    assert_eq!(fresh["published_version"], Value::Null);
    assert_eq!(fresh["competitor_name"], "Acme");
    assert_eq!(fresh["content"]["title"], "Acme vs us");
    assert_eq!(fresh["can_publish"], true);

    let mut content = full_content("Acme vs us");
    content["objections"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "", "objection": "  ", "answer": ""}));
    let (status, body) = save(&ed, &card, 1, &content).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Saved"]["version"], 2);
    assert_eq!(body["Saved"]["status"], "draft");

    let stored = editor(&ed, &card).await;
    assert_eq!(stored["version"], 2);
    for key in SECTIONS.iter().chain(&["title", "summary"]) {
        assert_eq!(
            stored["content"][key], content[key],
            "{key} is stored as typed"
        );
    }
    let ids = objection_ids(&stored);
    assert_eq!(ids.len(), 3, "the blank objection row is dropped");
    assert!(
        ids.iter().all(|id| !id.is_empty()),
        "new objections get ids: {ids:?}"
    );
    assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
    assert_eq!(
        stored["content"]["objections"][1]["objection"],
        "We already use their email tool"
    );

    // Another edit is another version; saving the same content again is not.
    let mut edited = stored["content"].clone();
    edited["pricing"] = json!("List price went up to $129.");
    assert_eq!(saved(&ed, &card, 2, &edited).await, 3);
    assert_eq!(
        saved(&ed, &card, 3, &edited).await,
        3,
        "no version for no change"
    );
    let log = history(&ed, &card).await;
    assert_eq!(versions(&log), [3, 2, 1], "newest first");
    assert_eq!(log["version"], 3);
    assert!(log["versions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["by"] == "Test Person"));
    assert_eq!(
        editor(&ed, &card).await["content"]["objections"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}
backend_test!(every_save_is_a_version);

async fn the_workflow_allows_only_its_transitions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let rep = app
        .user_with_role(&admin, "rep@example.com", "viewer")
        .await;
    let (_, card, v) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;

    // (who, to, version sent, answer, status afterwards)
    let steps = [
        (&rep, "published", v, 404, "draft"),
        (&admin, "in_review", v, 200, "in_review"),
        (&admin, "draft", v, 200, "draft"),
        (&admin, "in_review", v, 200, "in_review"),
        (&admin, "published", v - 1, 409, "in_review"),
        (&admin, "published", v, 200, "published"),
        (&admin, "in_review", v, 409, "published"),
        (&rep, "archived", v, 403, "published"),
        (&admin, "archived", v, 200, "archived"),
        (&admin, "published", v, 409, "archived"),
        (&admin, "in_review", v, 409, "archived"),
        (&admin, "draft", v, 200, "draft"),
        (&admin, "archived", v, 200, "archived"),
    ];
    for (step, (who, to, version, answer, after)) in steps.into_iter().enumerate() {
        let (status, body) = set_status(who, &card, to, version).await;
        assert_eq!(status, answer, "step {step}, → {to}: {body}");
        match answer {
            200 => assert_eq!(body["status"], to),
            403 => assert_eq!(body["error"]["code"], "forbidden"),
            404 => assert_eq!(body["error"]["code"], "not_found"),
            _ => assert_eq!(body["error"]["code"], "conflict"),
        }
        let data = editor(&admin, &card).await;
        assert_eq!(data["status"], after, "step {step}");
        assert_eq!(
            data["version"], v,
            "a status change is not a content version"
        );
        let published = data["published_version"].as_i64();
        assert_eq!(
            published,
            (after == "published").then_some(v),
            "step {step}"
        );
        let (read, _) = rep.call("/api/cards/read", &[("id", &card)]).await;
        assert_eq!(
            read == 200,
            after == "published",
            "step {step}: reps read {read}"
        );
    }
    let (status, body) = set_status(&admin, &card, "gone", v).await;
    assert_eq!(status, 422, "{body}");
}
backend_test!(the_workflow_allows_only_its_transitions);

async fn a_stale_save_conflicts_and_overwrites_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let ed = app.user_with_role(&admin, "ed@example.com", "editor").await;
    let (_, card, v) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    // Both open the editor at the same version.
    let mine = editor(&admin, &card).await["content"].clone();
    let mut theirs = editor(&ed, &card).await["content"].clone();

    let mut first = mine.clone();
    first["pricing"] = json!("Admin's pricing notes.");
    assert_eq!(saved(&admin, &card, v, &first).await, v + 1);

    theirs["pricing"] = json!("Ed's pricing notes.");
    let (status, body) = save(&ed, &card, v, &theirs).await;
    assert_eq!(status, 200, "{body}");
    let conflict = &body["Conflict"];
    assert!(conflict.is_object(), "expected a conflict, got {body}");
    assert_eq!(conflict["version"], v + 1);
    assert_eq!(conflict["by"], "Admin");
    assert_eq!(conflict["theirs"]["pricing"], "Admin's pricing notes.");
    assert_eq!(conflict["theirs"]["objections"], first["objections"]);

    assert_eq!(
        versions(&history(&admin, &card).await),
        [v + 1, v, 1],
        "no version added"
    );
    let now = editor(&admin, &card).await;
    assert_eq!(
        now["content"]["pricing"], "Admin's pricing notes.",
        "the first save stands"
    );
    assert_eq!(now["updated_by"], "Admin");

    // Merged onto the newest version, Ed's save goes through.
    assert_eq!(saved(&ed, &card, v + 1, &theirs).await, v + 2);
    assert_eq!(
        editor(&admin, &card).await["content"]["pricing"],
        "Ed's pricing notes."
    );
}
backend_test!(a_stale_save_conflicts_and_overwrites_nothing);

async fn restore_and_diff_work_on_versions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let (_, card, v2) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    let original = editor(&admin, &card).await["content"].clone();

    let mut repriced = original.clone();
    repriced["pricing"] = json!("List price is $129 per seat per month; discounts at year end.");
    let v3 = saved(&admin, &card, v2, &repriced).await;
    let mut renamed = repriced.clone();
    renamed["title"] = json!("Acme: the full story");
    renamed["objections"][0]["answer"] = json!("Count the admin hours and the consultants.");
    let v4 = saved(&admin, &card, v3, &renamed).await;

    let (status, d) = diff(&admin, &card, v2, v3).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!((d["from"].as_i64(), d["to"].as_i64()), (Some(v2), Some(v3)));
    assert_eq!(labels(&d), ["Pricing"], "only the changed section");
    let lines = d["sections"][0]["lines"].as_array().unwrap();
    let marked = |kind: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l["kind"] == kind)
            .flat_map(|l| l["parts"].as_array().unwrap().clone())
            .filter(|p| p[0] == true)
            .map(|p| p[1].as_str().unwrap().to_string())
            .collect()
    };
    assert!(marked("Removed").concat().contains("99"), "{lines:?}");
    assert!(marked("Added").concat().contains("129"), "{lines:?}");
    assert!(
        !marked("Added").concat().contains("discounts"),
        "unchanged words are not marked"
    );

    let (_, d) = diff(&admin, &card, v3, v4).await;
    assert_eq!(
        labels(&d),
        ["Title", "Objection handling: They are cheaper"]
    );
    let (_, d) = diff(&admin, &card, v2, v2).await;
    assert_eq!(labels(&d), Vec::<String>::new(), "no change, no sections");
    let (status, body) = diff(&admin, &card, 99, v3).await;
    assert_eq!(status, 422, "{body}");
    assert!(field_error(&body, "from").is_some(), "{body}");
    let (status, body) = diff(&admin, &card, v2, 99).await;
    assert_eq!(status, 422, "{body}");
    assert!(field_error(&body, "to").is_some(), "{body}");

    let restore = |version: i64, base: i64| {
        let (card, admin) = (&card, &admin);
        async move {
            admin
                .call(
                    "/api/cards/restore",
                    &[
                        ("id", card),
                        ("version", &version.to_string()),
                        ("base_version", &base.to_string()),
                    ],
                )
                .await
        }
    };
    let (status, body) = restore(v2, v3).await;
    assert!(
        body["Conflict"].is_object(),
        "a stale restore conflicts: {status} {body}"
    );
    let (status, body) = restore(v2, v4).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Saved"]["version"], v4 + 1);
    assert_eq!(
        editor(&admin, &card).await["content"],
        original,
        "version 2 is back"
    );
    let log = history(&admin, &card).await;
    assert_eq!(versions(&log)[..2], [v4 + 1, v4], "nothing lost");
    assert_eq!(
        log["versions"][0]["note"],
        format!("Restored from version {v2}")
    );
    let (_, d) = diff(&admin, &card, v2, v4 + 1).await;
    assert!(
        labels(&d).is_empty(),
        "the restored version equals version 2: {d}"
    );
}
backend_test!(restore_and_diff_work_on_versions);

async fn reorder_needs_every_objection_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let (_, card, v) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    let ids = objection_ids(&editor(&admin, &card).await);
    let (a, b, c) = (&ids[0], &ids[1], &ids[2]);
    let reorder = |order: Value, base: i64| {
        let (admin, card) = (&admin, &card);
        async move {
            admin
                .call_json(
                    "/api/cards/reorder",
                    &json!({"id": card, "base_version": base, "order": order}),
                )
                .await
        }
    };
    for (bad, why) in [
        (json!([c, a]), "leaves one out"),
        (json!([c, a, a, b]), "repeats one"),
        (json!([c, a, "no-such-objection"]), "names an unknown one"),
        (json!([]), "is empty"),
    ] {
        let (status, body) = reorder(bad, v).await;
        assert_eq!(status, 422, "an order that {why}: {body}");
        let message = field_error(&body, "order").unwrap_or_else(|| panic!("{why}: {body}"));
        assert!(message.len() > 10, "a clear message: {message}");
    }
    let after = editor(&admin, &card).await;
    assert_eq!(after["version"], v, "nothing saved");
    assert_eq!(objection_ids(&after), ids);

    let (status, body) = reorder(json!([c, b, a]), v).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Saved"]["version"], v + 1);
    let after = editor(&admin, &card).await;
    assert_eq!(objection_ids(&after), [c.clone(), b.clone(), a.clone()]);
    assert_eq!(
        after["content"]["objections"][0]["objection"],
        "Their brand is bigger"
    );
    let (_, d) = diff(&admin, &card, v, v + 1).await;
    assert_eq!(labels(&d), ["Objection handling: order"]);
    let (_, body) = reorder(json!([a, b, c]), v).await;
    assert!(
        body["Conflict"].is_object(),
        "a stale reorder conflicts: {body}"
    );
}
backend_test!(reorder_needs_every_objection_once);

async fn invalid_content_is_refused_field_by_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let (competitor, card, v) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    let good = editor(&admin, &card).await["content"].clone();

    let mut bad = good.clone();
    bad["title"] = json!("   ");
    bad["summary"] = json!("s".repeat(301));
    bad["pricing"] = json!("p".repeat(20_001));
    bad["objections"] = json!([
        {"id": "", "objection": "", "answer": "An answer without its objection"},
        {"id": "", "objection": "o".repeat(501), "answer": "ok"},
        {"id": "", "objection": "Fine", "answer": "a".repeat(5_001)},
    ]);
    let (status, body) = save(&admin, &card, v, &bad).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("validation")),
        "{body}"
    );
    for field in [
        "title",
        "summary",
        "section.pricing",
        "objections.0.objection",
        "objections.1.objection",
        "objections.2.answer",
    ] {
        assert!(
            field_error(&body, field).is_some(),
            "no {field} error: {body}"
        );
    }
    assert!(
        field_error(&body, "section.overview").is_none(),
        "good sections pass: {body}"
    );

    let mut too_many = good.clone();
    too_many["objections"] = (0..101)
        .map(|i| json!({"id": "", "objection": format!("Objection {i}"), "answer": "A"}))
        .collect();
    let mut duplicated = good.clone();
    duplicated["objections"][1]["id"] = good["objections"][0]["id"].clone();
    for content in [&too_many, &duplicated] {
        let (status, body) = save(&admin, &card, v, content).await;
        assert_eq!(status, 422, "{body}");
        assert!(field_error(&body, "objections").is_some(), "{body}");
    }
    let mut exactly_at_limit = good.clone();
    exactly_at_limit["pricing"] = json!("p".repeat(20_000));
    let (status, body) = save(&admin, &card, v, &exactly_at_limit).await;
    assert_eq!(status, 200, "20000 characters is allowed: {body}");
    let v = v + 1;

    let after = editor(&admin, &card).await;
    assert_eq!(after["version"], v, "only the valid save counted");
    assert_eq!(versions(&history(&admin, &card).await).len() as i64, v);
    assert_eq!(after["content"]["title"], "Acme vs us");

    for title in ["", &"t".repeat(151)] {
        let (status, body) = admin
            .call(
                "/api/cards/create",
                &[("competitor_id", &competitor), ("title", title)],
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(field_error(&body, "title").is_some(), "{body}");
    }
    let (_, detail) = admin
        .call("/api/competitors/detail", &[("id", &competitor)])
        .await;
    assert_eq!(
        detail["cards"].as_array().unwrap().len(),
        1,
        "no card half-created"
    );
}
backend_test!(invalid_content_is_refused_field_by_field);

/// The editor opens with every Markdown field's preview already rendered by the
/// server (the same sanitised HTML reps see), for the version it opens, and a saved
/// change shows its own rendering the next time it is opened.
async fn the_editor_opens_with_each_fields_preview(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let (_, card, version) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;
    let path = format!("/cards/{card}/edit");

    let (status, page) = admin.page(&path).await;
    assert_eq!(status, 200, "{path}");
    let previews = page.matches("<div class=\"prose\">").count();
    assert_eq!(
        previews,
        SECTIONS.len() + 3,
        "one rendered preview per section and per answer: {}",
        excerpt(&page, "md-preview")
    );
    assert!(
        page.contains("They sell a <strong>CRM</strong> suite"),
        "section preview: {}",
        excerpt(&page, "CRM")
    );
    assert!(
        page.contains("<li>Big partner network</li>"),
        "list preview: {}",
        excerpt(&page, "partner")
    );
    assert!(
        page.contains("<p>Count the admin hours too.</p>"),
        "answer preview: {}",
        excerpt(&page, "admin hours")
    );
    let data = editor(&admin, &card).await;
    assert_eq!(data["version"], version);
    assert!(
        data["preview"]["sections"]
            .to_string()
            .contains("<strong>CRM</strong>"),
        "the editor data carries the previews: {}",
        data["preview"]
    );

    let mut changed = full_content("Acme vs us");
    changed["overview"] = json!("Now an *ERP* vendor, with <script>alert(1)</script> in it.");
    changed["strengths"] = json!("");
    changed["objections"] = data["content"]["objections"].clone();
    saved(&admin, &card, version, &changed).await;
    let (_, page) = admin.page(&path).await;
    assert!(
        page.contains("Now an <em>ERP</em> vendor"),
        "the saved version's preview: {}",
        excerpt(&page, "ERP")
    );
    assert!(
        !page.contains("<strong>CRM</strong>"),
        "the old version's preview is gone"
    );
    assert!(
        !page.contains("<script>alert(1)"),
        "the preview is sanitised: {}",
        excerpt(&page, "alert(1)")
    );
    assert_eq!(
        page.matches("<div class=\"prose\">").count(),
        SECTIONS.len() + 2,
        "an emptied section shows no rendered preview"
    );
    assert!(
        page.contains("Preview appears here."),
        "the empty section says where its preview will be"
    );
}
backend_test!(the_editor_opens_with_each_fields_preview);
