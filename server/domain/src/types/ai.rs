//! AI drafts as the browser sees them: claims, their citations and whether each
//! citation was found in the stored snapshot it names.
use serde::{Deserialize, Serialize};

use super::{CardContent, CardDiff, CardId, CompetitorId, DraftId, SnapshotId};

/// Where a claim sits on the card: a section key (`"pricing"`), or `"objection:N"`
/// for the N-th objection's answer (0-based), or `"summary"`.
pub type ClaimPlace = String;

/// A pointer into the exact text a claim was drawn from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub snapshot_id: SnapshotId,
    /// Character offsets (Unicode scalar values) into the snapshot text.
    pub start: u32,
    pub end: u32,
    /// The quoted words, as the provider gave them.
    pub quote: String,
    /// Filled in on verification.
    #[serde(default)]
    pub source_title: String,
    #[serde(default)]
    pub verified: bool,
}

/// One statement in a draft with what supports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub place: ClaimPlace,
    /// The text as it appears in the draft.
    pub text: String,
    pub citations: Vec<Citation>,
    /// True when it has at least one citation and every citation checked out.
    #[serde(default)]
    pub verified: bool,
}

/// What an AI job was asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agent {
    /// Draft every section of a card from the competitor's sources.
    BattlecardWriter,
    /// Answers for the card's objections (or the ones given).
    ObjectionHandler,
    /// Rewrite one section from the newest evidence.
    SectionRefresher,
    /// A short summary of one source.
    SourceSummariser,
}

impl Agent {
    pub const ALL: [Agent; 4] = [
        Agent::BattlecardWriter,
        Agent::ObjectionHandler,
        Agent::SectionRefresher,
        Agent::SourceSummariser,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Agent::BattlecardWriter => "battlecard_writer",
            Agent::ObjectionHandler => "objection_handler",
            Agent::SectionRefresher => "section_refresher",
            Agent::SourceSummariser => "source_summariser",
        }
    }

    pub fn parse(value: &str) -> Option<Agent> {
        Agent::ALL.into_iter().find(|a| a.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Agent::BattlecardWriter => "Draft the whole card",
            Agent::ObjectionHandler => "Answer objections",
            Agent::SectionRefresher => "Refresh one section",
            Agent::SourceSummariser => "Summarise a source",
        }
    }
}

/// Where a draft stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DraftStatus {
    Pending,
    Accepted,
    Discarded,
}

impl DraftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Pending => "pending",
            DraftStatus::Accepted => "accepted",
            DraftStatus::Discarded => "discarded",
        }
    }

    pub fn parse(value: &str) -> Option<DraftStatus> {
        [
            DraftStatus::Pending,
            DraftStatus::Accepted,
            DraftStatus::Discarded,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// A draft for review: the proposed card, the claims in it and how it differs from
/// the card as it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftView {
    pub id: DraftId,
    pub card_id: CardId,
    pub card_title: String,
    pub competitor_id: CompetitorId,
    pub competitor_name: String,
    pub agent: Agent,
    pub provider: String,
    pub model: String,
    pub status: DraftStatus,
    pub created_by: String,
    pub created_at: i64,
    /// The card version the draft was written against, and the card's version now.
    pub base_version: i64,
    pub card_version: i64,
    pub content: CardContent,
    pub claims: Vec<Claim>,
    pub unverified: u32,
    /// Things the reviewer should know ("the provider failed; the built-in engine
    /// wrote this draft").
    pub notes: Vec<String>,
    pub keywords: Vec<String>,
    pub diff: CardDiff,
    /// The version the draft became, once accepted.
    pub accepted_version: Option<i64>,
}

/// A card version's claims that failed verification, as publishing sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnverifiedClaims {
    pub count: u32,
    pub examples: Vec<String>,
}

/// One budget: how much is used of how much (tokens, or micro-dollars when `money`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub label: String,
    pub used: u64,
    pub limit: u64,
    pub money: bool,
}

impl BudgetLine {
    pub fn new(label: &str, used: u64, limit: u64, money: bool) -> Self {
        Self {
            label: label.into(),
            used,
            limit,
            money,
        }
    }

    /// "1,234 of 200,000 tokens" or "$0.12 of $5.00".
    pub fn describe(&self) -> String {
        if self.money {
            format!("{} of {}", dollars(self.used), dollars(self.limit))
        } else {
            format!(
                "{} of {} tokens",
                thousands(self.used),
                thousands(self.limit)
            )
        }
    }

    /// Share used, 0–100.
    pub fn percent(&self) -> u8 {
        self.used
            .saturating_mul(100)
            .checked_div(self.limit)
            .map_or(100, |p| p.min(100) as u8)
    }
}

fn dollars(micros: u64) -> String {
    format!(
        "${}.{:02}",
        thousands(micros / 1_000_000),
        (micros % 1_000_000) / 10_000
    )
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The AI provider and budgets, as a user (or an admin, with more) sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiStatus {
    /// `builtin` or `openai`.
    pub provider: String,
    pub model: String,
    pub external_configured: bool,
    /// Admins: whether the external provider answered just now.
    pub answers: Option<bool>,
    pub answer_detail: Option<String>,
    pub breaker_open: bool,
    pub today: Vec<BudgetLine>,
    /// Admins: everyone's use this month.
    pub month: Option<Vec<BudgetLine>>,
    pub per_user_per_hour: u64,
}
