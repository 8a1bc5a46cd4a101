//! Competitors as the UI sees them.
use serde::{Deserialize, Serialize};

use super::{BattlecardSummary, CardId, CompetitorId, Page};

/// Limits on competitor fields, shared by form `maxlength`s and server validation.
pub mod competitor_limits {
    pub const NAME_MAX: usize = 100;
    pub const WEBSITE_MAX: usize = 2048;
    pub const DESCRIPTION_MAX: usize = 5_000;
    pub const TAG_MAX: usize = 40;
    pub const TAGS_MAX: usize = 20;
    pub const KEYWORD_MAX: usize = 60;
    pub const KEYWORDS_MAX: usize = 50;
}

/// One competitor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Competitor {
    pub id: CompetitorId,
    pub name: String,
    pub website: String,
    pub description: String,
    pub tags: Vec<String>,
    pub keywords: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub archived: bool,
}

impl Competitor {
    /// Up to two letters for the logo badge ("Acme Corp" → "AC", "Zendesk" → "ZE").
    pub fn initials(&self) -> String {
        let firsts: Vec<char> = self
            .name
            .split(|c: char| c.is_whitespace() || c == '-' || c == '.')
            .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
            .take(2)
            .collect();
        let letters: String = if firsts.len() == 2 {
            firsts.into_iter().collect()
        } else {
            self.name
                .chars()
                .filter(|c| c.is_alphanumeric())
                .take(2)
                .collect()
        };
        if letters.is_empty() {
            "?".into()
        } else {
            letters.to_uppercase()
        }
    }
}

/// A row of the competitor list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetitorRow {
    pub competitor: Competitor,
    /// Cards this person may see.
    pub cards: u64,
}

/// How the competitor list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CompetitorSort {
    #[default]
    Name,
    Updated,
    Created,
}

impl CompetitorSort {
    pub const ALL: [CompetitorSort; 3] = [
        CompetitorSort::Name,
        CompetitorSort::Updated,
        CompetitorSort::Created,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CompetitorSort::Name => "name",
            CompetitorSort::Updated => "updated",
            CompetitorSort::Created => "created",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CompetitorSort::Name => "Name (A–Z)",
            CompetitorSort::Updated => "Recently updated",
            CompetitorSort::Created => "Newest",
        }
    }

    /// Unknown values fall back to the default order.
    pub fn parse(value: &str) -> CompetitorSort {
        match value {
            "updated" => CompetitorSort::Updated,
            "created" => CompetitorSort::Created,
            _ => CompetitorSort::Name,
        }
    }
}

/// What the list page asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetitorQuery {
    pub q: String,
    pub tag: String,
    pub sort: CompetitorSort,
    pub archived: bool,
    pub page: u32,
}

/// The list page: a page of rows plus every tag in use (for the filter).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetitorList {
    pub page: Page<CompetitorRow>,
    pub tags: Vec<String>,
}

/// Something that happened to a competitor or one of its cards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub card_id: Option<CardId>,
}

/// The competitor page: the competitor, the cards about it and what happened lately.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetitorDetail {
    pub competitor: Competitor,
    pub cards: Vec<BattlecardSummary>,
    pub activity: Vec<ActivityEntry>,
    pub can_edit: bool,
}

/// The fields of the create and edit forms, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetitorInput {
    pub name: String,
    pub website: String,
    pub description: String,
    /// Comma-separated.
    pub tags: String,
    /// Comma- or newline-separated.
    pub keywords: String,
}
