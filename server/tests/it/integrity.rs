//! Stored data is read strictly: a corrupt row is an error, never a silent default
//! that changes what a rule decides.
use crate::backend_test;
use crate::common::cards::{card_with, full_content, set_status};
use crate::common::{Backend, TestApp};

/// Corrupt claims on a version must not read as "no claims": that would let a version
/// with unverified AI claims through the publish gate.
async fn corrupt_claims_keep_a_card_from_being_published(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ada Admin", "ada@example.com").await;
    let (_, card, version) = card_with(&admin, "Acme", &full_content("Acme card")).await;
    sqlx::query("UPDATE battlecard_versions SET claims = $1 WHERE card_id = $2 AND version = $3")
        .bind(r#"[{"text": "They are cheaper", "verified": fal"#)
        .bind(&card)
        .bind(version)
        .execute(app.services().db().pool())
        .await
        .unwrap();
    let (status, body) = set_status(&admin, &card, "published", version).await;
    assert_eq!(status, 500, "refused as a fault, not published: {body}");
    assert_eq!(body["error"]["code"], "internal", "{body}");
    assert!(
        !body.to_string().contains("fal\\\""),
        "the stored text does not leak: {body}"
    );
    let published: Option<i64> =
        sqlx::query_scalar("SELECT published_version FROM battlecards WHERE id = $1")
            .bind(&card)
            .fetch_one(app.services().db().pool())
            .await
            .unwrap();
    assert_eq!(published, None, "the card stayed unpublished");
    // The editor cannot be opened on a corrupt version either: it says so, not "no claims".
    let (status, body) = admin.call("/api/cards/editor", &[("id", &card)]).await;
    assert_eq!(status, 500, "{body}");
}
backend_test!(corrupt_claims_keep_a_card_from_being_published);
