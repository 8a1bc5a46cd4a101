//! Battlecards as the UI sees them: content, status, versions, diffs, feedback, search.
use serde::{Deserialize, Serialize};

use super::{CardId, CompetitorId, ObjectionId};

/// Limits on card fields, shared by form `maxlength`s and server validation.
pub mod card_limits {
    pub const TITLE_MAX: usize = 150;
    pub const SUMMARY_MAX: usize = 300;
    pub const SECTION_MAX: usize = 20_000;
    pub const OBJECTION_MAX: usize = 500;
    pub const ANSWER_MAX: usize = 5_000;
    pub const OBJECTIONS_MAX: usize = 100;
    pub const COMMENT_MAX: usize = 1_000;
    pub const NOTE_MAX: usize = 300;
}

/// The Markdown sections of a card, in the order they are shown. Objection handling
/// sits between "Why we win" and "Pricing" and is a list, not Markdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKey {
    Overview,
    Strengths,
    Weaknesses,
    WhyWeWin,
    Pricing,
    Landmines,
    ProofPoints,
    Resources,
}

impl SectionKey {
    pub const ALL: [SectionKey; 8] = [
        SectionKey::Overview,
        SectionKey::Strengths,
        SectionKey::Weaknesses,
        SectionKey::WhyWeWin,
        SectionKey::Pricing,
        SectionKey::Landmines,
        SectionKey::ProofPoints,
        SectionKey::Resources,
    ];
    /// Sections shown before the objections; the rest come after.
    pub const BEFORE_OBJECTIONS: usize = 4;

    pub fn as_str(self) -> &'static str {
        match self {
            SectionKey::Overview => "overview",
            SectionKey::Strengths => "strengths",
            SectionKey::Weaknesses => "weaknesses",
            SectionKey::WhyWeWin => "why_we_win",
            SectionKey::Pricing => "pricing",
            SectionKey::Landmines => "landmines",
            SectionKey::ProofPoints => "proof_points",
            SectionKey::Resources => "resources",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SectionKey::Overview => "Overview",
            SectionKey::Strengths => "Strengths",
            SectionKey::Weaknesses => "Weaknesses",
            SectionKey::WhyWeWin => "Why we win",
            SectionKey::Pricing => "Pricing",
            SectionKey::Landmines => "Landmines / trap questions",
            SectionKey::ProofPoints => "Proof points",
            SectionKey::Resources => "Resources",
        }
    }

    /// A hint shown under the section's editor.
    pub fn hint(self) -> &'static str {
        match self {
            SectionKey::Overview => "Who they are, who buys them, how they position themselves.",
            SectionKey::Strengths => {
                "Where they are genuinely strong. Be honest; reps lose trust otherwise."
            }
            SectionKey::Weaknesses => "Gaps and complaints you can back up.",
            SectionKey::WhyWeWin => "Our differentiators against this competitor.",
            SectionKey::Pricing => "Plans, list prices, discounting habits.",
            SectionKey::Landmines => "Questions that expose their weaknesses in a deal.",
            SectionKey::ProofPoints => "Customer wins, quotes, numbers.",
            SectionKey::Resources => {
                "Links to decks, reviews, case studies (one per line as Markdown links)."
            }
        }
    }

    pub fn parse(value: &str) -> Option<SectionKey> {
        SectionKey::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// Label of the objection-handling part of a card.
pub const OBJECTIONS_LABEL: &str = "Objection handling";

/// One objection and the answer a rep gives. `id` is stable across edits, so links and
/// feedback keep pointing at the same objection when the list is reordered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub id: ObjectionId,
    pub objection: String,
    pub answer: String,
}

/// Everything an editor edits on a card; one of these is stored per version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardContent {
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub overview: String,
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub weaknesses: String,
    #[serde(default)]
    pub why_we_win: String,
    #[serde(default)]
    pub pricing: String,
    #[serde(default)]
    pub landmines: String,
    #[serde(default)]
    pub proof_points: String,
    #[serde(default)]
    pub resources: String,
    #[serde(default)]
    pub objections: Vec<Objection>,
}

impl CardContent {
    pub fn section(&self, key: SectionKey) -> &str {
        match key {
            SectionKey::Overview => &self.overview,
            SectionKey::Strengths => &self.strengths,
            SectionKey::Weaknesses => &self.weaknesses,
            SectionKey::WhyWeWin => &self.why_we_win,
            SectionKey::Pricing => &self.pricing,
            SectionKey::Landmines => &self.landmines,
            SectionKey::ProofPoints => &self.proof_points,
            SectionKey::Resources => &self.resources,
        }
    }

    pub fn section_mut(&mut self, key: SectionKey) -> &mut String {
        match key {
            SectionKey::Overview => &mut self.overview,
            SectionKey::Strengths => &mut self.strengths,
            SectionKey::Weaknesses => &mut self.weaknesses,
            SectionKey::WhyWeWin => &mut self.why_we_win,
            SectionKey::Pricing => &mut self.pricing,
            SectionKey::Landmines => &mut self.landmines,
            SectionKey::ProofPoints => &mut self.proof_points,
            SectionKey::Resources => &mut self.resources,
        }
    }
}

/// Where a card is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    Draft,
    InReview,
    Published,
    Archived,
}

impl CardStatus {
    pub const ALL: [CardStatus; 4] = [
        CardStatus::Draft,
        CardStatus::InReview,
        CardStatus::Published,
        CardStatus::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CardStatus::Draft => "draft",
            CardStatus::InReview => "in_review",
            CardStatus::Published => "published",
            CardStatus::Archived => "archived",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CardStatus::Draft => "Draft",
            CardStatus::InReview => "In review",
            CardStatus::Published => "Published",
            CardStatus::Archived => "Archived",
        }
    }

    /// The verb on the button that moves a card to this status.
    pub fn action_label(self) -> &'static str {
        match self {
            CardStatus::Draft => "Back to draft",
            CardStatus::InReview => "Send to review",
            CardStatus::Published => "Publish",
            CardStatus::Archived => "Archive",
        }
    }

    pub fn parse(value: &str) -> Option<CardStatus> {
        CardStatus::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The statuses a card may move to from this one.
    pub fn next(self) -> &'static [CardStatus] {
        match self {
            CardStatus::Draft => &[
                CardStatus::InReview,
                CardStatus::Published,
                CardStatus::Archived,
            ],
            CardStatus::InReview => &[
                CardStatus::Draft,
                CardStatus::Published,
                CardStatus::Archived,
            ],
            CardStatus::Published => &[CardStatus::Draft, CardStatus::Archived],
            CardStatus::Archived => &[CardStatus::Draft],
        }
    }
}

/// A card in a list (competitor page, search).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BattlecardSummary {
    pub id: CardId,
    pub competitor_id: CompetitorId,
    pub title: String,
    pub summary: String,
    pub status: CardStatus,
    pub version: i64,
    pub published_version: Option<i64>,
    pub updated_at: i64,
    pub updated_by: String,
}

/// Helped / didn't help counts for one objection, with the latest comments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionFeedback {
    pub objection_id: ObjectionId,
    pub helped: u64,
    pub not_helped: u64,
    pub comments: Vec<FeedbackComment>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackComment {
    pub by: String,
    pub helpful: bool,
    pub comment: String,
    pub at: i64,
}

/// What the editor page loads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardEditorData {
    pub id: CardId,
    pub competitor_id: CompetitorId,
    pub competitor_name: String,
    pub status: CardStatus,
    pub status_by: String,
    pub status_at: i64,
    pub version: i64,
    pub published_version: Option<i64>,
    pub published_at: Option<i64>,
    pub updated_by: String,
    pub updated_at: i64,
    pub content: CardContent,
    pub feedback: Vec<ObjectionFeedback>,
    pub views_total: u64,
    pub views_last_30_days: u64,
    /// AI claims on this version whose citations did not check out.
    #[serde(default)]
    pub unverified: super::UnverifiedClaims,
    /// Whether this person may move the card to each status (editors and admins).
    pub can_publish: bool,
    /// The server's rendering of this version's Markdown fields.
    #[serde(default)]
    pub preview: ContentPreview,
}

/// What a status change leaves, as the editor's toolbar shows it (the rest of the card
/// is as the editor has it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub id: CardId,
    pub status: CardStatus,
    pub version: i64,
    pub published_version: Option<i64>,
    pub published_at: Option<i64>,
    pub status_by: String,
    pub status_at: i64,
    /// AI claims on this version whose citations did not check out.
    pub unverified: super::UnverifiedClaims,
}

impl From<CardEditorData> for StatusChange {
    fn from(card: CardEditorData) -> Self {
        StatusChange {
            id: card.id,
            status: card.status,
            version: card.version,
            published_version: card.published_version,
            published_at: card.published_at,
            status_by: card.status_by,
            status_at: card.status_at,
            unverified: card.unverified,
        }
    }
}

/// The sanitised HTML of a version's Markdown fields, which the editor shows as each
/// field's preview until its text changes (so opening the editor renders nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentPreview {
    /// Non-empty sections only.
    pub sections: Vec<(SectionKey, String)>,
    pub answers: Vec<(ObjectionId, String)>,
}

impl ContentPreview {
    /// The HTML of one section; empty when the section is.
    pub fn section(&self, key: SectionKey) -> String {
        self.sections
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, html)| html.clone())
            .unwrap_or_default()
    }

    /// The HTML of one objection's answer; empty for an objection added since.
    pub fn answer(&self, id: &ObjectionId) -> String {
        self.answers
            .iter()
            .find(|(o, _)| o == id)
            .map(|(_, html)| html.clone())
            .unwrap_or_default()
    }
}

/// The outcome of a save: either saved as `version`, or refused because someone else
/// saved first — then `theirs` is what is stored now, so the editor can merge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaveOutcome {
    Saved {
        version: i64,
        status: CardStatus,
        at: i64,
    },
    Conflict(Box<ConflictInfo>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictInfo {
    pub version: i64,
    pub by: String,
    pub at: i64,
    pub theirs: CardContent,
}

/// A published card as a rep reads it. Section bodies are sanitised HTML.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepCard {
    pub id: CardId,
    pub competitor_id: CompetitorId,
    pub competitor_name: String,
    pub competitor_website: String,
    pub title: String,
    pub summary: String,
    pub version: i64,
    pub published_at: i64,
    pub sections: Vec<RepSection>,
    pub objections: Vec<RepObjection>,
    /// Whether the reader may open the editor.
    pub can_edit: bool,
    /// False for an editor's preview of a card that reps cannot see yet (never
    /// published, or archived): its newest version, shown with a banner.
    pub published: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepSection {
    pub key: SectionKey,
    pub label: String,
    pub html: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepObjection {
    pub id: ObjectionId,
    pub objection: String,
    pub answer_html: String,
    /// The answer as plain text (for integrations; the page copies what it shows).
    pub answer_text: String,
    /// This reader's own vote, if any.
    pub my_vote: Option<bool>,
}

/// One entry of a card's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionEntry {
    pub version: i64,
    pub by: String,
    pub at: i64,
    pub note: String,
    pub published: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardHistory {
    pub id: CardId,
    pub title: String,
    pub competitor_id: CompetitorId,
    pub competitor_name: String,
    pub version: i64,
    pub versions: Vec<VersionEntry>,
}

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: DiffKind,
    /// Pieces of the line; `true` marks words that changed within it.
    pub parts: Vec<(bool, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffKind {
    Same,
    Added,
    Removed,
    /// A marker for unchanged lines left out.
    Skipped,
}

/// The differences in one part of the card (a section, the title, one objection…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionDiff {
    pub label: String,
    pub lines: Vec<DiffLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDiff {
    pub from: i64,
    pub to: i64,
    /// Only the parts that changed.
    pub sections: Vec<SectionDiff>,
}

/// What kind of thing a search hit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Competitor,
    Card,
    Section,
    Objection,
}

/// One search result. `snippet` is plain text with the matched words between
/// `HIT_START` and `HIT_END` markers; the page escapes it and highlights those.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub kind: HitKind,
    pub title: String,
    pub label: String,
    pub snippet: String,
    pub url: String,
    pub status: Option<CardStatus>,
}

pub const HIT_START: char = '\u{2}';
pub const HIT_END: char = '\u{3}';

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<SearchHit>,
}
