//! Admin pages: people, invitations and sign-up policy, the audit log.
pub mod ai;
pub mod audit;
pub mod invitations;
pub mod users;

pub(crate) use super::page_param;

/// The role choices for a select.
pub(crate) fn role_options() -> Vec<(String, String)> {
    domain::types::Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), r.label().to_string()))
        .collect()
}
