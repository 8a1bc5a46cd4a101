//! The AI claims a card version carries. Each version stores the claims whose text is
//! still in it, with whether their citations verified; publishing a version that has
//! unverified claims needs an editor's explicit override.
use crate::ai::claims_still_in;
use crate::error::Result;
use crate::store::columns::JsonText;
use crate::store::Db;
use crate::types::{CardContent, CardId, Claim, UnverifiedClaims};

/// Where a new version's claims come from.
pub enum ClaimSource {
    /// The version it is based on (an ordinary save).
    Carry,
    /// Another version (a restore of that version).
    Version(i64),
    /// A draft being accepted: its claims, and those of the version it replaces.
    Given(Vec<Claim>),
}

/// Claims stored with `card_id` at `version` (none for versions before AI drafts).
pub async fn of_version(db: &Db, card_id: &CardId, version: i64) -> Result<Vec<Claim>> {
    // Corrupt claims fail the query: read as "no claims" they would let a version with
    // unverified claims pass the publish gate.
    let row: Option<(JsonText<Vec<Claim>>,)> = sqlx::query_as(
        "SELECT claims FROM battlecard_versions WHERE card_id = $1 AND version = $2",
    )
    .bind(card_id)
    .bind(version)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(JsonText(claims),)| claims).unwrap_or_default())
}

/// The claims a new version of `card_id` with `content` carries.
pub async fn for_new_version(
    db: &Db,
    card_id: &CardId,
    base_version: i64,
    source: ClaimSource,
    content: &CardContent,
) -> Result<Vec<Claim>> {
    let claims = match source {
        ClaimSource::Carry => of_version(db, card_id, base_version).await?,
        ClaimSource::Version(v) => of_version(db, card_id, v).await?,
        ClaimSource::Given(mut claims) => {
            for old in of_version(db, card_id, base_version).await? {
                if !claims.iter().any(|c| c.text == old.text) {
                    claims.push(old);
                }
            }
            claims
        }
    };
    Ok(claims_still_in(content, claims))
}

/// The unverified claims of `card_id` at `version`.
pub async fn unverified(db: &Db, card_id: &CardId, version: i64) -> Result<UnverifiedClaims> {
    let claims = of_version(db, card_id, version).await?;
    let failing: Vec<&Claim> = claims.iter().filter(|c| !c.verified).collect();
    Ok(UnverifiedClaims {
        count: failing.len() as u32,
        examples: failing.iter().take(3).map(|c| c.text.clone()).collect(),
    })
}

pub fn to_json(claims: &[Claim]) -> String {
    serde_json::to_string(claims).unwrap_or_else(|_| "[]".into())
}
