//! The users behind recent requests, kept in process so that resolving a session costs
//! no query. Only where this process is the sole writer of the users table — a
//! deployment without Redis, which is one instance — and every change of role,
//! password or status made here drops the user's copy before it returns. With Redis
//! (several instances) nothing is kept and every request reads the row.
use std::sync::Arc;

use super::users::UserRecord;
use super::CurrentUser;
use crate::copies::Copies;
use crate::types::UserId;

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
pub(super) struct UserCopies(Option<Arc<Copies<Known>>>);

impl UserCopies {
    pub fn new(single_instance: bool) -> Self {
        UserCopies(single_instance.then(|| Arc::new(Copies::new(MAX))))
    }

    /// The copy if there is one, else how many changes there have been so far.
    pub fn get(&self, user_id: &UserId) -> Result<Known, u64> {
        match &self.0 {
            Some(copies) => copies.get(user_id.as_str(), |_| true),
            None => Err(0),
        }
    }

    pub fn put_if_unchanged(&self, known: Known, changes_before: u64) {
        if let Some(copies) = &self.0 {
            copies.put_if_unwritten(known.user.id.to_string(), known, changes_before);
        }
    }

    /// Call after any write to the user's row.
    pub fn forget(&self, user_id: &UserId) {
        if let Some(copies) = &self.0 {
            copies.written(user_id.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Role;

    fn known(role: Role) -> Known {
        Known {
            user: CurrentUser {
                id: "u1".into(),
                email: "u1@example.com".into(),
                name: "U".into(),
                role,
            },
            epoch: 1,
            disabled: false,
        }
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_kept() {
        let copies = UserCopies::new(true);
        let u1 = UserId::from("u1");
        let before = copies.get(&u1).err().unwrap();
        copies.forget(&u1);
        copies.put_if_unchanged(known(Role::Admin), before);
        assert!(
            copies.get(&u1).is_err(),
            "the read from before the change was dropped"
        );

        let before = copies.get(&u1).err().unwrap();
        copies.put_if_unchanged(known(Role::Viewer), before);
        assert_eq!(
            copies.get(&u1).ok().map(|k| k.user.role),
            Some(Role::Viewer)
        );
    }

    #[test]
    fn with_several_instances_nothing_is_kept() {
        let copies = UserCopies::new(false);
        copies.put_if_unchanged(known(Role::Admin), 0);
        assert!(copies.get(&UserId::from("u1")).is_err());
    }
}
