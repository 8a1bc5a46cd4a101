//! Plain data that crosses the wire between server and browser. WASM-safe: no server
//! dependencies may appear here.
use serde::{Deserialize, Serialize};

/// What a user may do. Admins manage people and settings; editors curate content;
/// viewers read published material.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
    Viewer,
}

impl Role {
    /// Every role, most powerful first (for pickers).
    pub const ALL: [Role; 3] = [Role::Admin, Role::Editor, Role::Viewer];

    /// The stable lowercase name stored in the database and sent in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    /// Parses the stable name; `None` for anything else.
    pub fn parse(value: &str) -> Option<Role> {
        match value.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Editor => "Editor",
            Role::Viewer => "Viewer",
        }
    }

    /// Whether this role includes everything `required` may do.
    pub fn at_least(self, required: Role) -> bool {
        self.rank() >= required.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Role::Viewer => 0,
            Role::Editor => 1,
            Role::Admin => 2,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether people may create their own account, or need an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignupMode {
    Open,
    Invite,
}

impl SignupMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SignupMode::Open => "open",
            SignupMode::Invite => "invite",
        }
    }

    pub fn parse(value: &str) -> Option<SignupMode> {
        match value.trim() {
            "open" => Some(SignupMode::Open),
            "invite" => Some(SignupMode::Invite),
            _ => None,
        }
    }
}

/// The signed-in person as the UI needs them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// A validation problem attached to one form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// One row of the admin's user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

/// An invitation as an admin sees it. The token itself is shown once, at creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationSummary {
    pub id: InvitationId,
    pub email: Option<String>,
    pub role: Role,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub state: InvitationState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvitationState {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationState {
    pub fn label(self) -> &'static str {
        match self {
            InvitationState::Pending => "Pending",
            InvitationState::Accepted => "Accepted",
            InvitationState::Revoked => "Revoked",
            InvitationState::Expired => "Expired",
        }
    }
}

/// A freshly created invitation, with the one-time link to hand over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedInvitation {
    pub id: InvitationId,
    pub link: String,
    pub role: Role,
    pub email: Option<String>,
    pub expires_at: i64,
}

/// What an invitation link shows before the invitee signs up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub email: Option<String>,
    pub role: Role,
}

/// One audit-log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub subject: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

/// A page of results plus what is needed to page on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u32 {
        if self.per_page == 0 {
            return 0;
        }
        (self.total.div_ceil(self.per_page as u64)) as u32
    }
}

/// The figures on the dashboard: only what the database really holds today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardFigures {
    pub users_total: u64,
    pub users_by_role: Vec<(Role, u64)>,
    pub users_disabled: u64,
    pub invitations_pending: u64,
    pub sign_ins_last_7_days: u64,
    pub failed_sign_ins_last_7_days: u64,
    pub my_last_login_at: Option<i64>,
    pub recent_activity: Vec<AuditEntry>,
    pub signup_mode: SignupMode,
}

/// Admin settings for accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub signup_mode: SignupMode,
}

/// What the sign-up page needs to know before showing its form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupContext {
    pub first_user: bool,
    pub mode: SignupMode,
    pub invitation: Option<InvitationPreview>,
}

/// Limits on what people type, shared by form `maxlength`s and server validation.
pub mod limits {
    pub const NAME_MAX: usize = 100;
    pub const EMAIL_MAX: usize = 254;
    pub const PASSWORD_MIN: usize = 12;
    pub const PASSWORD_MAX: usize = 128;
    /// A search or filter typed into a box (people, competitors, everything).
    pub const QUERY_MAX: usize = 500;
    /// An invitation code (they are 43 characters).
    pub const INVITE_MAX: usize = 100;
    /// The local path to return to after signing in.
    pub const NEXT_MAX: usize = 2_000;
}

mod ai;
mod battlecards;
mod competitors;
mod conflicts;
mod ids;
mod jobs;
pub mod merge;
pub use ai::*;
pub use battlecards::*;
pub use competitors::*;
pub use conflicts::Conflict;
pub use ids::*;
pub use jobs::*;
