//! AI drafting: a provider writes a draft from a competitor's stored snapshots, every
//! claim in it carries citations, and each citation is checked against the snapshot it
//! names before anyone sees the draft. Drafts wait for an editor; accepting one makes
//! a new card version (a published card stays live until someone publishes again).
mod compose;
#[cfg(test)]
mod corpus_tests;
pub mod drafts;
pub mod engine;
#[cfg(test)]
mod engine_tests;
mod job;
pub mod openai;
pub mod orchestrator;
pub mod redact;
mod summarise;
pub mod text;

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

pub use drafts::Drafts;
pub use job::{AiDraftJob, AI_DRAFT_KIND};
pub use orchestrator::{AiSettings, Budgets, Orchestrator, ProviderChoice};
pub use summarise::{SummariseJob, AI_SUMMARISE_KIND};

use crate::error::Result;
use crate::store::Db;
use crate::types::{Agent, CardContent, Claim, CompetitorId, SectionKey, SnapshotId};
use text::{char_slice, normalise};

/// At most this many sources (newest first) and this much text go into one draft.
pub const MAX_SOURCES: usize = 50;
pub const MAX_TEXT: usize = 800_000;

/// The text of one snapshot, as a provider reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceText {
    pub snapshot_id: SnapshotId,
    pub title: String,
    pub url: String,
    pub text: String,
}

/// Everything an agent works from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brief {
    pub competitor: String,
    pub sources: Vec<SourceText>,
    /// The card as it is now (sections the agent does not write stay as they are).
    pub current: CardContent,
    /// Our own "why we win" lines, used in objection answers.
    pub differentiators: Vec<String>,
    /// The one section a section refresh rewrites.
    pub section: Option<SectionKey>,
}

/// What an agent produced: the proposed card and its claims (not yet verified).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftOutput {
    pub content: CardContent,
    pub claims: Vec<Claim>,
    pub keywords: Vec<String>,
}

/// Tokens a provider call used, for budgets and the ledger.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cost_micros: u64,
}

/// A provider's answer.
pub struct Answer {
    pub output: DraftOutput,
    pub usage: Usage,
}

/// Why a provider call failed: worth retrying later, or not.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

/// Something that writes drafts.
#[async_trait::async_trait]
pub trait AiProvider: Send + Sync {
    /// `builtin`, `openai`, …
    fn name(&self) -> &'static str;
    fn model(&self) -> String;
    async fn draft(&self, agent: Agent, brief: Arc<Brief>) -> Result<Answer, ProviderError>;
}

/// The built-in engine as a provider: runs on the blocking pool, costs nothing.
pub struct BuiltinEngine;

#[async_trait::async_trait]
impl AiProvider for BuiltinEngine {
    fn name(&self) -> &'static str {
        "builtin"
    }

    fn model(&self) -> String {
        "extractive-1".into()
    }

    async fn draft(&self, agent: Agent, brief: Arc<Brief>) -> Result<Answer, ProviderError> {
        let output = tokio::task::spawn_blocking(move || engine::run(agent, &brief))
            .await
            .map_err(|e| ProviderError::Permanent(format!("The built-in engine stopped: {e}")))?;
        Ok(Answer {
            output,
            usage: Usage::default(),
        })
    }
}

/// Shortest quote that counts as evidence: a word or two could be found anywhere.
const MIN_QUOTE_CHARS: usize = 12;

/// Checks every citation against the snapshot it names (`snapshots`: id → (title,
/// text)). A citation holds when its character range covers its quote, or — for
/// providers whose offsets drift — when the quote occurs in the snapshot at all;
/// comparison ignores case and runs of whitespace. A claim is verified when it has
/// at least one citation and all of them hold. Returns how many claims failed.
pub fn verify(claims: &mut [Claim], snapshots: &HashMap<SnapshotId, (String, String)>) -> u32 {
    let mut failed = 0;
    for claim in claims.iter_mut() {
        for c in claim.citations.iter_mut() {
            c.verified = false;
            let Some((title, text)) = snapshots.get(&c.snapshot_id) else {
                continue;
            };
            c.source_title = title.clone();
            let quote = normalise(&c.quote);
            if quote.chars().count() < MIN_QUOTE_CHARS {
                continue;
            }
            let ranged = normalise(&char_slice(text, c.start as usize, c.end as usize));
            if ranged == quote {
                c.verified = true;
            } else if let Some(at) = find_normalised(text, &c.quote) {
                // The quote is there, elsewhere: point the citation at where it is.
                (c.start, c.end) = (at.0 as u32, at.1 as u32);
                c.verified = true;
            }
        }
        claim.verified = !claim.citations.is_empty() && claim.citations.iter().all(|c| c.verified);
        if !claim.verified {
            failed += 1;
        }
    }
    failed
}

/// Where `quote` occurs in `text` (character offsets), comparing normalised forms.
fn find_normalised(text: &str, quote: &str) -> Option<(usize, usize)> {
    // Normalise the text while remembering each output character's source offset.
    let mut norm = String::new();
    let mut origin: Vec<usize> = Vec::new();
    let mut space = false;
    for (i, c) in normalise_chars(text) {
        if c.is_whitespace() {
            space = !norm.is_empty();
            continue;
        }
        if space {
            norm.push(' ');
            origin.push(i);
            space = false;
        }
        norm.push(c);
        origin.push(i);
    }
    let quote = normalise(quote);
    let byte_at = norm.find(&quote)?;
    let start = norm[..byte_at].chars().count();
    let len = quote.chars().count();
    Some((origin[start], origin[start + len - 1] + 1))
}

fn normalise_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    text.chars().enumerate().flat_map(|(i, c)| {
        let single: String = normalise(&c.to_string());
        let c = if c.is_whitespace() {
            vec![' ']
        } else {
            single.chars().collect::<Vec<_>>()
        };
        c.into_iter().map(move |c| (i, c))
    })
}

#[derive(FromRow)]
struct SourceRow {
    snapshot_id: SnapshotId,
    title: String,
    url: String,
    text: String,
}

/// The latest snapshot of each of a competitor's sources, newest first, within
/// [`MAX_SOURCES`] and [`MAX_TEXT`].
pub async fn competitor_sources(db: &Db, competitor_id: &CompetitorId) -> Result<Vec<SourceText>> {
    let rows: Vec<SourceRow> = sqlx::query_as(
        "SELECT n.id AS snapshot_id, CASE WHEN s.title <> '' THEN s.title ELSE n.title END AS title, \
                s.url, n.text \
         FROM sources s JOIN source_snapshots n ON n.id = s.latest_snapshot_id \
         WHERE s.competitor_id = $1 AND s.removed_at IS NULL \
         ORDER BY n.fetched_at DESC, n.id LIMIT $2",
    )
    .bind(competitor_id)
    .bind(MAX_SOURCES as i64)
    .fetch_all(db.pool())
    .await?;
    let mut total = 0;
    let mut out = Vec::new();
    for r in rows {
        total += r.text.len();
        if total > MAX_TEXT && !out.is_empty() {
            break;
        }
        out.push(SourceText {
            snapshot_id: r.snapshot_id,
            title: r.title,
            url: r.url,
            text: r.text,
        });
    }
    // Oldest first reads more naturally (home page before the blog post about it).
    out.reverse();
    Ok(out)
}

/// The title and text of each snapshot the claims cite (any source of any competitor
/// — a citation to another competitor's snapshot is still checked honestly: it is
/// only accepted when `competitor_id` owns it).
pub async fn cited_snapshots(
    db: &Db,
    competitor_id: &CompetitorId,
    claims: &[Claim],
) -> Result<HashMap<SnapshotId, (String, String)>> {
    let mut ids: Vec<&SnapshotId> = claims
        .iter()
        .flat_map(|c| c.citations.iter().map(|c| &c.snapshot_id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    for id in ids {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT CASE WHEN s.title <> '' THEN s.title ELSE n.title END, n.text \
             FROM source_snapshots n JOIN sources s ON s.id = n.source_id \
             WHERE n.id = $1 AND s.competitor_id = $2",
        )
        .bind(id)
        .bind(competitor_id)
        .fetch_optional(db.pool())
        .await?;
        if let Some(row) = row {
            out.insert(id.clone(), row);
        }
    }
    Ok(out)
}

/// The claims of `claims` whose text still appears in `content` (an editor may have
/// removed or rewritten some; those no longer speak for the card).
pub fn claims_still_in(content: &CardContent, claims: Vec<Claim>) -> Vec<Claim> {
    let mut all = String::new();
    all.push_str(&content.summary);
    for key in SectionKey::ALL {
        all.push('\n');
        all.push_str(content.section(key));
    }
    for o in &content.objections {
        all.push('\n');
        all.push_str(&o.objection);
        all.push('\n');
        all.push_str(&o.answer);
    }
    let all = normalise(&all);
    claims
        .into_iter()
        .filter(|c| all.contains(&normalise(&c.text)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Citation;

    fn claim(quote: &str, start: u32, end: u32) -> Claim {
        Claim {
            place: "overview".into(),
            text: quote.into(),
            citations: vec![Citation {
                snapshot_id: "s1".into(),
                start,
                end,
                quote: quote.into(),
                source_title: String::new(),
                verified: false,
            }],
            verified: false,
        }
    }

    #[test]
    fn citations_verify_by_range_or_by_quote() {
        let text = "Héllo there.\nAcme   charges $49 per user\nper month for Pro.";
        let snapshots = HashMap::from([(
            SnapshotId::from("s1"),
            ("Pricing".to_string(), text.to_string()),
        )]);
        let mut claims = vec![
            claim("Héllo there.", 0, 12),
            // Offsets wrong, whitespace and case differ: found and re-pointed.
            claim("acme charges $49 per user per month", 0, 5),
            claim("Acme charges $99 per user", 13, 38),
            claim("there", 6, 11),
        ];
        claims.push(Claim {
            citations: vec![],
            ..claim("No source at all", 0, 0)
        });
        let failed = verify(&mut claims, &snapshots);
        assert_eq!(failed, 3);
        assert!(claims[0].verified && claims[1].verified);
        let c = &claims[1].citations[0];
        assert_eq!(
            char_slice(text, c.start as usize, c.end as usize),
            "Acme   charges $49 per user\nper month"
        );
        assert_eq!(c.source_title, "Pricing");
        assert!(!claims[2].verified, "a quote that is not in the page");
        assert!(!claims[3].verified, "too short to count");
        assert!(!claims[4].verified, "a claim without citations");
    }
}
