//! Background jobs and live events as the browser sees them.
use serde::{Deserialize, Serialize};

use super::{CardId, CompetitorId, JobId, SnapshotId, SourceId, UserId};

/// Where a job is in its life. `Queued` covers both "waiting for a worker" and
/// "waiting to retry" (then `last_error` says why and `run_at` when).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 6] = [
        JobState::Queued,
        JobState::Running,
        JobState::Succeeded,
        JobState::Failed,
        JobState::Cancelled,
        JobState::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(value: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            JobState::Queued => "Queued",
            JobState::Running => "Running",
            JobState::Succeeded => "Done",
            JobState::Failed => "Failed",
            JobState::Cancelled => "Cancelled",
            JobState::Dead => "Gave up",
        }
    }

    /// Whether the job will not change any more.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobState::Succeeded | JobState::Failed | JobState::Cancelled | JobState::Dead
        )
    }
}

/// One job, for the jobs page and progress widgets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: JobId,
    pub kind: String,
    /// What the job does, in words ("Fetch https://…", "Draft the Acme battlecard").
    pub label: String,
    pub state: JobState,
    pub attempts: u32,
    pub max_attempts: u32,
    pub progress: u8,
    pub step: String,
    pub last_error: Option<String>,
    /// Where the result can be seen, when there is one.
    pub link: Option<String>,
    pub owner_name: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// When a queued job becomes ready (later than now while it waits to retry).
    pub run_at: i64,
    pub cancel_requested: bool,
}

/// Jobs waiting and running, for admins.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueDepth {
    pub ready: u64,
    pub waiting_retry: u64,
    pub running: u64,
    /// Age of the oldest ready job, in milliseconds.
    pub oldest_ready_ms: Option<i64>,
}

/// The jobs page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobList {
    pub jobs: Vec<JobView>,
    /// Everyone's jobs (admins only); otherwise the caller's own.
    pub all_users: bool,
    pub queue: Option<QueueDepth>,
    /// Whether the caller may ask for everyone's jobs (admins).
    #[serde(default)]
    pub can_see_all: bool,
}

/// Someone looking at or editing a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceEntry {
    pub user_id: UserId,
    pub name: String,
    pub editing: bool,
}

/// What the server pushes over the WebSocket. Serialised as JSON with a `type` tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    JobProgress {
        job_id: JobId,
        percent: u8,
        step: String,
    },
    JobFinished {
        job_id: JobId,
        state: JobState,
        message: String,
        link: Option<String>,
    },
    Notification {
        title: String,
        body: String,
        link: Option<String>,
    },
    Presence {
        card_id: CardId,
        people: Vec<PresenceEntry>,
    },
}

/// What the browser sends over the WebSocket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Announces that this tab shows (or edits) a card; `None` leaves it.
    Watch {
        card_id: Option<CardId>,
        editing: bool,
    },
    Ping,
}

/// Where a source's text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Note,
    Web,
}

/// Whether a source has text to draw from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceStatus {
    /// Waiting for its first fetch.
    Pending,
    Ready,
    /// The last fetch failed (`last_error` says why); an older snapshot may remain.
    Error,
}

/// A source on a competitor's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceView {
    pub id: SourceId,
    pub competitor_id: CompetitorId,
    pub kind: SourceKind,
    pub title: String,
    pub url: String,
    pub status: SourceStatus,
    pub last_error: Option<String>,
    pub snapshot_id: Option<SnapshotId>,
    pub fetched_at: Option<i64>,
    pub words: u32,
    /// The fetch in progress, if any.
    pub job: Option<JobView>,
}

/// The exact text a citation points at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotView {
    pub id: SnapshotId,
    pub source_id: SourceId,
    pub competitor_id: CompetitorId,
    pub competitor_name: String,
    pub kind: SourceKind,
    pub title: String,
    pub url: String,
    pub final_url: String,
    pub http_status: Option<u16>,
    pub content_hash: String,
    pub fetched_at: i64,
    pub text: String,
    /// Whether this is the source's newest snapshot.
    pub latest: bool,
    /// The AI summary (Markdown bullets), empty until someone asks for one.
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub summary_claims: Vec<super::Claim>,
    /// Whether the caller may ask for a (new) summary (editors and admins).
    #[serde(default)]
    pub can_edit: bool,
}

pub mod source_limits {
    pub const TITLE_MAX: usize = 200;
    pub const NOTE_MAX: usize = 100_000;
    pub const URL_MAX: usize = 2_000;
    pub const PER_COMPETITOR: usize = 200;
}
