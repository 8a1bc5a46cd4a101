//! Readers (viewers) see a card only as it was published: text planted in a newer
//! draft must not appear anywhere a viewer can reach.
use serde_json::{json, Value};

use crate::backend_test;
use crate::common::cards::{card_with, full_content, publish, saved, set_status, SECTIONS};
use crate::common::{Backend, Browser, TestApp};
use crate::exports::{document_xml, docx_text, pdf_text};

/// The word planted in every field of the draft.
const SECRET: &str = "zqxsecret";

/// A draft with the secret in its title, summary, every section and every objection.
fn secret_draft(published: &Value) -> Value {
    let mut draft = published.clone();
    draft["title"] = json!(format!("Zqxsecret draft title"));
    draft["summary"] = json!("Zqxsecret summary of the plan");
    for key in SECTIONS {
        draft[key] = json!(format!("Zqxsecret {key} text nobody may read yet."));
    }
    let mut objections = draft["objections"].as_array().cloned().unwrap_or_default();
    for o in &mut objections {
        o["answer"] = json!("Zqxsecret answer, rewritten");
    }
    objections.push(
        json!({"id": "", "objection": "Zqxsecret new objection", "answer": "Zqxsecret new answer"}),
    );
    draft["objections"] = Value::Array(objections);
    draft
}

/// Everything `who` can read about the card and its competitor, as one lower-case text:
/// every page and every server function a viewer may call, and both exports.
async fn everything_readable(who: &Browser, competitor: &str, card: &str) -> String {
    let mut seen = String::new();
    for path in [
        "/".to_string(),
        "/competitors".into(),
        format!("/competitors/{competitor}"),
        format!("/cards/{card}"),
        format!("/cards/{card}/edit"),
        format!("/cards/{card}/history"),
        "/jobs".into(),
        "/account".into(),
        "/search?q=cheaper".into(),
        "/search?q=acme".into(),
        "/search?q=pricing".into(),
    ] {
        let (_, body) = who.page(&path).await;
        seen.push_str(&format!("\n[{path}]\n{body}"));
    }
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/api/competitors/list",
            vec![
                ("q", ""),
                ("tag", ""),
                ("sort", "updated"),
                ("archived", "false"),
                ("page", "1"),
            ],
        ),
        ("/api/competitors/detail", vec![("id", competitor)]),
        ("/api/competitors/get", vec![("id", competitor)]),
        ("/api/cards/read", vec![("id", card)]),
        ("/api/cards/editor", vec![("id", card)]),
        ("/api/cards/history", vec![("id", card)]),
        (
            "/api/cards/diff",
            vec![("id", card), ("from", "1"), ("to", "4")],
        ),
        ("/api/dashboard/figures", vec![]),
        ("/api/jobs/list", vec![("everyone", "false")]),
        ("/api/jobs/list", vec![("everyone", "true")]),
        ("/api/sources/list", vec![("competitor_id", competitor)]),
        ("/api/ai/status", vec![]),
        ("/api/auth/whoami", vec![]),
    ];
    for (path, fields) in &calls {
        let (_, body) = who.call(path, fields).await;
        seen.push_str(&format!("\n[{path}]\n{body}"));
    }
    // A search for the planted word itself finds nothing (the answer echoes the query,
    // so it is checked by its hits rather than swept as text).
    let (_, found) = who.call("/api/search", &[("q", SECRET)]).await;
    seen.push_str(&format!(
        "\n[search hits for the planted word]\n{}",
        found["hits"]
    ));
    for q in [
        "cheaper",
        "acme",
        "integrations",
        "objection",
        "answer",
        "pricing",
        "plan",
    ] {
        let (_, body) = who.call("/api/search", &[("q", q)]).await;
        seen.push_str(&format!("\n[search {q}]\n{body}"));
    }
    for format in ["pdf", "docx"] {
        let (status, _, bytes) = who
            .download(&format!("/cards/{card}/export/{format}"))
            .await;
        let text = match (status, format) {
            (200, "pdf") => pdf_text(&bytes),
            (200, _) => docx_text(&document_xml(&bytes)),
            _ => String::from_utf8_lossy(&bytes).into_owned(),
        };
        seen.push_str(&format!("\n[export {format}]\n{text}"));
    }
    seen.to_lowercase()
}

async fn a_draft_is_invisible_to_readers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ada Admin", "ada@example.com").await;
    let viewer = app
        .user_with_role(&admin, "val@example.com", "viewer")
        .await;
    let published = full_content("Acme battlecard");
    let (competitor, card, _) = card_with(&admin, "Acme", &published).await;
    publish(&admin, &card).await;

    // A draft with the secret everywhere, moved to review, then restored and redone,
    // so every kind of activity entry exists about it.
    let draft = secret_draft(&published);
    let v3 = saved(&admin, &card, 2, &draft).await;
    let (status, body) = set_status(&admin, &card, "in_review", v3).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = admin
        .call(
            "/api/cards/restore",
            &[
                ("id", &card),
                ("version", "2"),
                ("base_version", &v3.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let v5 = saved(&admin, &card, v3 + 1, &draft).await;
    let (status, body) = set_status(&admin, &card, "in_review", v5).await;
    assert_eq!(status, 200, "{body}");

    let seen = everything_readable(&viewer, &competitor, &card).await;
    if let Some(at) = seen.find(SECRET) {
        let start = seen[..at].rfind("\n[").unwrap_or(0);
        let context: String = seen[start..].chars().take(600).collect();
        panic!("a viewer can read the unpublished draft:\n{context}");
    }
    // The viewer still sees the published card everywhere.
    assert!(
        seen.contains("acme battlecard"),
        "the published title shows"
    );
    assert!(
        seen.contains("count the admin hours too."),
        "published answers show"
    );

    // The same sweep as an editor does find the draft: the check can fail.
    let editor_sees = everything_readable(&admin, &competitor, &card).await;
    assert!(editor_sees.contains(SECRET), "editors see the draft");
}
backend_test!(a_draft_is_invisible_to_readers);
