//! What stood in the way of a change. Services say what happened; the sentence a
//! person reads is written here, once, for the UI (and for a job's error line).
use serde::{Deserialize, Serialize};

use super::{CardStatus, DraftStatus};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Conflict {
    /// Cards cannot be added to an archived competitor.
    CompetitorArchived,
    /// The card moved on since the person opened it (they asked to move it to `to`).
    CardChanged {
        version: i64,
        by: String,
        to: CardStatus,
    },
    /// Someone changed the card between our read and our write.
    CardChangedJustNow,
    /// The workflow does not allow this move.
    StatusMove { from: CardStatus, to: CardStatus },
    /// Publishing needs the override: AI claims on this version did not verify.
    UnverifiedClaims { count: u64 },
    /// The card changed after the AI draft was written.
    DraftOutdated,
    /// The draft was already accepted or discarded.
    DraftDecided { status: DraftStatus },
    /// Someone else decided on the draft a moment ago.
    DraftDecidedJustNow,
    /// The job is no longer running or queued.
    JobFinished,
    /// Only pasted notes can be edited.
    NotANote,
    /// Notes have nothing to fetch.
    NothingToFetch,
    /// A competitor holds at most `limit` sources.
    TooManySources { limit: usize },
    /// The change would leave no active admin.
    LastAdmin,
    /// Admins cannot disable their own account.
    DisableSelf,
    /// The configured AI provider is not set up.
    ProviderMissing,
}

impl Conflict {
    /// The sentence shown to the person who tried.
    pub fn message(&self) -> String {
        match self {
            Conflict::CompetitorArchived => {
                "This competitor is archived. Restore it before adding cards.".into()
            }
            Conflict::CardChanged { version, by, to } => format!(
                "This card changed since you opened it (now version {version}, saved by {by}). Reload to see the changes before you {}.",
                to.action_label().to_lowercase()
            ),
            Conflict::CardChangedJustNow => {
                "This card changed a moment ago. Reload and try again.".into()
            }
            Conflict::StatusMove { from, to } => format!(
                "A card that is {} cannot move to {}.",
                from.label().to_lowercase(),
                to.label().to_lowercase()
            ),
            Conflict::UnverifiedClaims { count } => {
                let one = *count == 1;
                format!(
                    "{count} AI claim{s} on this version could not be verified against {its} source{s}. Check {them} in the editor, or publish anyway with the override.",
                    s = if one { "" } else { "s" },
                    its = if one { "its" } else { "their" },
                    them = if one { "it" } else { "them" },
                )
            }
            Conflict::DraftOutdated => "The card changed after this draft was written. Ask for a new draft so nobody's edits are lost.".into(),
            Conflict::DraftDecided { status } => {
                format!("This draft was already {}.", status.as_str())
            }
            Conflict::DraftDecidedJustNow => {
                "Someone else decided on this draft a moment ago.".into()
            }
            Conflict::JobFinished => "This job has already finished.".into(),
            Conflict::NotANote => {
                "Only pasted notes can be edited; refresh a web page instead.".into()
            }
            Conflict::NothingToFetch => "Notes have nothing to fetch.".into(),
            Conflict::TooManySources { limit } => {
                format!("A competitor can have at most {limit} sources; remove some first.")
            }
            Conflict::LastAdmin => {
                "This is the only active admin. Make someone else an admin first.".into()
            }
            Conflict::DisableSelf => "You cannot disable your own account.".into(),
            Conflict::ProviderMissing => "The configured AI provider is missing.".into(),
        }
    }
}
