//! The users behind recent requests, kept in process so that resolving a session costs
//! no query. Only where this process is the sole writer of the users table — a
//! deployment without Redis, which is one instance — and every change of role,
//! password or status made here drops the user's copy before it returns. With Redis
//! (several instances) nothing is kept and every request reads the row.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::users::UserRecord;
use super::CurrentUser;

/// What deciding a session needs; never the password hash.
#[derive(Clone)]
pub(super) struct Known {
    pub user: CurrentUser,
    pub epoch: i64,
    pub disabled: bool,
}

impl Known {
    pub fn of(record: &UserRecord) -> Self {
        Known {
            user: super::current(record),
            epoch: record.session_epoch,
            disabled: record.disabled_at.is_some(),
        }
    }
}

const MAX: usize = 20_000;

/// `None` inside when copies are not allowed (several instances).
#[derive(Clone)]
pub(super) struct UserCopies(Option<Arc<Mutex<HashMap<String, Known>>>>);

impl UserCopies {
    pub fn new(single_instance: bool) -> Self {
        UserCopies(single_instance.then(Arc::default))
    }

    pub fn get(&self, user_id: &str) -> Option<Known> {
        let copies = self.0.as_ref()?.lock().unwrap_or_else(|e| e.into_inner());
        copies.get(user_id).cloned()
    }

    pub fn put(&self, known: Known) {
        let Some(copies) = &self.0 else { return };
        let mut copies = copies.lock().unwrap_or_else(|e| e.into_inner());
        if copies.len() >= MAX {
            copies.clear();
        }
        copies.insert(known.user.id.clone(), known);
    }

    /// Call after any write to the user's row.
    pub fn forget(&self, user_id: &str) {
        if let Some(copies) = &self.0 {
            copies
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(user_id);
        }
    }
}
