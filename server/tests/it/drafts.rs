//! AI drafts end to end: real pages fetched into snapshots, a draft job watched over the
//! WebSocket, claims whose citations point at the exact snapshot text, accepting as a
//! new version, and unverified claims blocking publication without an override.
use std::time::Duration;

use serde_json::{json, Value};

use crate::backend_test;
use crate::common::cards::{editor, new_card, new_competitor, saved, set_status};
use crate::common::live::Socket;
use crate::common::site::Site;
use crate::common::{assert_error, Backend, Browser, TestApp};
use crate::live::{assert_progress_in_order, finished};
use crate::sources::{add_url, finished_job};

const ALLOW_LOCAL: (&str, &str) = ("FETCH_ALLOW", "127.0.0.1/32");

/// A competitor with the four Acme pages fetched; returns (competitor, card).
pub async fn acme_with_sources(site: &Site, who: &Browser) -> (String, String) {
    let acme = new_competitor(who, "Acme CRM").await;
    for page in ["home", "features", "pricing", "reviews"] {
        let (_, job) = add_url(who, &acme, &site.url(&format!("/acme/{page}"))).await;
        let job = finished_job(who, &job).await;
        assert_eq!(job["state"], "succeeded", "{job}");
    }
    let card = new_card(who, &acme, "Acme CRM").await;
    (acme, card)
}

/// `/api/ai/request` for a whole-card draft: (status, body).
pub async fn ask_for_draft(who: &Browser, card: &str) -> (u16, Value) {
    who.call_json(
        "/api/ai/request",
        &json!({"card_id": card, "agent": "battlecard_writer"}),
    )
    .await
}

/// Asserts a 429 `throttled` answer whose message contains `why`.
#[track_caller]
pub fn assert_limited(answer: &(u16, Value), why: &str) {
    assert_error(answer, 429, "throttled");
    let message = answer.1["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(why), "{}", answer.1);
}

/// Asks for a draft and waits for its job; returns the draft id.
async fn drafted(who: &Browser, card: &str, socket: Option<&mut Socket>) -> String {
    let (status, job) = ask_for_draft(who, card).await;
    assert_eq!(status, 200, "{job}");
    let job_id = job["id"].as_str().unwrap().to_string();
    if let Some(socket) = socket {
        let events = socket
            .events_until(Duration::from_secs(30), finished(&job_id))
            .await;
        assert_progress_in_order(&events, &job_id, "/drafts/");
    }
    let job = finished_job(who, &job_id).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    let link = job["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("/cards/{card}/drafts/")),
        "{link}"
    );
    link.rsplit('/').next().unwrap().to_string()
}

async fn draft(who: &Browser, id: &str) -> (u16, Value) {
    who.call("/api/ai/draft", &[("id", id)]).await
}

async fn draft_from_fetched_pages(backend: Backend) {
    let site = Site::start().await;
    let app = TestApp::spawn_with(backend, &[ALLOW_LOCAL]).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let viewer = app
        .user_with_role(&admin, "vic@example.com", "viewer")
        .await;
    let (_, card) = acme_with_sources(&site, &admin).await;

    let mut socket = Socket::open(&app.base, &admin).await;
    let id = drafted(&admin, &card, Some(&mut socket)).await;
    let (status, d) = draft(&admin, &id).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        (d["status"].as_str(), d["provider"].as_str()),
        (Some("pending"), Some("builtin"))
    );
    assert_eq!(d["unverified"], 0, "{d}");
    let pricing = d["content"]["pricing"].as_str().unwrap();
    assert!(pricing.contains("$65 per user per month"), "{pricing}");
    assert!(d["content"]["weaknesses"]
        .as_str()
        .unwrap()
        .contains("Customer support is slow"));
    assert!(!d["diff"]["sections"].as_array().unwrap().is_empty());
    let claims = d["claims"].as_array().unwrap();
    assert!(claims.len() >= 15, "{} claims", claims.len());
    assert!(claims.iter().all(|c| c["verified"] == true));

    // A citation opens the snapshot, and its range is exactly the quoted words.
    let cite = &claims[0]["citations"][0];
    let (status, snap) = admin
        .call(
            "/api/sources/snapshot",
            &[("id", cite["snapshot_id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(status, 200, "{snap}");
    let text: Vec<char> = snap["text"].as_str().unwrap().chars().collect();
    let (start, end) = (
        cite["start"].as_u64().unwrap() as usize,
        cite["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        text[start..end].iter().collect::<String>(),
        cite["quote"].as_str().unwrap()
    );

    // Viewers see no drafts and cannot ask for them.
    assert_error(&draft(&viewer, &id).await, 404, "not_found");
    let asked = ask_for_draft(&viewer, &card).await;
    assert_eq!(asked.0, 404, "{}", asked.1);
    // Bad requests say what is wrong.
    let bad = admin
        .call_json(
            "/api/ai/request",
            &json!({"card_id": card, "agent": "poet"}),
        )
        .await;
    assert_error(&bad, 422, "validation");
    let bad = admin
        .call_json(
            "/api/ai/request",
            &json!({"card_id": card, "agent": "section_refresher"}),
        )
        .await;
    assert_error(&bad, 422, "validation");

    // Accepting makes version 2 with the draft's text; the draft cannot be taken twice.
    let (status, outcome) = admin.call("/api/ai/accept", &[("id", &id)]).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["Saved"]["version"], 2);
    let card_now = editor(&admin, &card).await;
    assert_eq!(card_now["content"]["pricing"], d["content"]["pricing"]);
    assert_eq!(card_now["unverified"]["count"], 0);
    assert_error(
        &admin.call("/api/ai/accept", &[("id", &id)]).await,
        409,
        "conflict",
    );
    let (_, d) = draft(&admin, &id).await;
    assert_eq!(
        (d["status"].as_str(), d["accepted_version"].as_i64()),
        (Some("accepted"), Some(2))
    );

    // A second draft written against version 2 is refused once the card moves on.
    let second = drafted(&admin, &card, None).await;
    let mut content = card_now["content"].clone();
    content["summary"] = json!("Edited by hand after the draft was written.");
    saved(&admin, &card, 2, &content).await;
    assert_error(
        &admin.call("/api/ai/accept", &[("id", &second)]).await,
        409,
        "conflict",
    );
    let (status, _) = admin.call("/api/ai/discard", &[("id", &second)]).await;
    assert_eq!(status, 200);

    // The source summariser: a checked summary stored with the snapshot.
    let snapshot = cite["snapshot_id"].as_str().unwrap();
    let (status, job) = admin
        .call("/api/ai/summarise", &[("snapshot_id", snapshot)])
        .await;
    assert_eq!(status, 200, "{job}");
    let job = finished_job(&admin, job["id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    assert!(job["link"].as_str().unwrap().ends_with(snapshot));
    let (_, snap) = admin
        .call("/api/sources/snapshot", &[("id", snapshot)])
        .await;
    assert!(
        snap["summary"].as_str().unwrap().starts_with("- "),
        "{}",
        snap["summary"]
    );
    let points = snap["summary_claims"].as_array().unwrap();
    assert!(!points.is_empty());
    assert!(points
        .iter()
        .all(|c| c["verified"] == true && c["citations"][0]["snapshot_id"] == snapshot));
    let viewer_asks = viewer
        .call("/api/ai/summarise", &[("snapshot_id", snapshot)])
        .await;
    assert_error(&viewer_asks, 403, "forbidden");
    assert_error(
        &admin
            .call("/api/ai/summarise", &[("snapshot_id", "nope")])
            .await,
        404,
        "not_found",
    );
    socket.close().await;
}
backend_test!(draft_from_fetched_pages);

/// A claim whose citation did not check out (here: a provider's misquote, written into
/// the stored draft) travels into the accepted version and blocks publishing until an
/// editor overrides — or edits the claim away.
async fn unverified_claims_block_publishing(backend: Backend) {
    let site = Site::start().await;
    let app = TestApp::spawn_with(backend, &[ALLOW_LOCAL]).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let (_, card) = acme_with_sources(&site, &admin).await;
    let id = drafted(&admin, &card, None).await;
    let (_, d) = draft(&admin, &id).await;
    let mut claims = d["claims"].as_array().unwrap().clone();
    let weak = claims
        .iter()
        .position(|c| c["place"] == "weaknesses")
        .expect("a weakness claim");
    claims[weak]["verified"] = json!(false);
    claims[weak]["citations"][0]["verified"] = json!(false);
    let weak_text = claims[weak]["text"].as_str().unwrap().to_string();
    sqlx::query("UPDATE ai_drafts SET claims = $1, unverified = 1 WHERE id = $2")
        .bind(Value::Array(claims).to_string())
        .bind(&id)
        .execute(app.services().db().pool())
        .await
        .unwrap();

    let (status, outcome) = admin.call("/api/ai/accept", &[("id", &id)]).await;
    assert_eq!(status, 200, "{outcome}");
    let data = editor(&admin, &card).await;
    assert_eq!(data["unverified"]["count"], 1, "{}", data["unverified"]);
    let version = data["version"].as_i64().unwrap();
    let refused = set_status(&admin, &card, "published", version).await;
    assert_error(&refused, 409, "conflict");
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1 AI claim"),
        "{}",
        refused.1
    );
    assert_eq!(
        editor(&admin, &card).await["published_version"],
        Value::Null
    );

    // Editing the claim away (wherever the draft repeated it) clears the block.
    let needle = serde_json::to_string(&weak_text).unwrap();
    let needle = &needle[1..needle.len() - 1];
    let content: Value = serde_json::from_str(
        &data["content"]
            .to_string()
            .replace(needle, "Support is slow (we checked ourselves)."),
    )
    .unwrap();
    assert_ne!(content, data["content"]);
    let v = saved(&admin, &card, version, &content).await;
    assert_eq!(editor(&admin, &card).await["unverified"]["count"], 0);
    let (status, body) = set_status(&admin, &card, "published", v).await;
    assert_eq!(status, 200, "{body}");

    // A later draft whose claims all failed (kept as they are): the override publishes it.
    let id = drafted(&admin, &card, None).await;
    sqlx::query("UPDATE ai_drafts SET claims = REPLACE(claims, '\"verified\":true', '\"verified\":false'), unverified = 1 WHERE id = $1")
        .bind(&id)
        .execute(app.services().db().pool())
        .await
        .unwrap();
    let (status, outcome) = admin.call("/api/ai/accept", &[("id", &id)]).await;
    assert_eq!(status, 200, "{outcome}");
    let version = outcome["Saved"]["version"].as_i64().unwrap();
    assert_error(
        &set_status(&admin, &card, "published", version).await,
        409,
        "conflict",
    );
    let (status, body) = admin
        .call_json(
            "/api/cards/status",
            &json!({"id": card, "status": "published", "version": version, "override_unverified": true}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["published_version"], version);
}
backend_test!(unverified_claims_block_publishing);

/// The same sources drafted again come from the cache (unless regenerating); the hourly
/// limit and a zero budget refuse with what to do.
async fn cache_and_limits(backend: Backend) {
    let site = Site::start().await;
    let app = TestApp::spawn_with(backend, &[ALLOW_LOCAL, ("AI_RATE_PER_HOUR", "3")]).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let (_, card) = acme_with_sources(&site, &admin).await;
    let first = drafted(&admin, &card, None).await;
    let second = drafted(&admin, &card, None).await;
    let (_, a) = draft(&admin, &first).await;
    let (_, b) = draft(&admin, &second).await;
    assert_eq!(a["content"], b["content"]);
    let (status, job) = admin
        .call_json(
            "/api/ai/request",
            &json!({"card_id": card, "agent": "battlecard_writer", "regenerate": true}),
        )
        .await;
    assert_eq!(status, 200, "{job}");
    finished_job(&admin, job["id"].as_str().unwrap()).await;
    let hits: Vec<(i64,)> = sqlx::query_as("SELECT cache_hit FROM ai_usage ORDER BY created_at")
        .fetch_all(app.services().db().pool())
        .await
        .unwrap();
    assert_eq!(hits, [(0,), (1,), (0,)], "miss, hit, regenerated");
    let refused = ask_for_draft(&admin, &card).await;
    assert_limited(&refused, "in the last hour");

    let off = TestApp::spawn_with(backend, &[("AI_USER_DAILY_TOKENS", "0")]).await;
    let admin = off.signed_up("Ann Admin", "ann@example.com").await;
    let acme = new_competitor(&admin, "Acme").await;
    let card = new_card(&admin, &acme, "Acme").await;
    let refused = ask_for_draft(&admin, &card).await;
    assert_limited(&refused, "switched off");
    // No sources at all: the job ends saying where to add them.
    let quiet = TestApp::spawn(backend).await;
    let admin = quiet.signed_up("Ann Admin", "ann@example.com").await;
    let acme = new_competitor(&admin, "Acme").await;
    let card = new_card(&admin, &acme, "Acme").await;
    let (_, job) = ask_for_draft(&admin, &card).await;
    let job = finished_job(&admin, job["id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "failed");
    assert!(
        job["last_error"]
            .as_str()
            .unwrap()
            .contains("Add a web page or a note"),
        "{job}"
    );
}
backend_test!(cache_and_limits);
