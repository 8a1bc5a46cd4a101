//! What admins do with accounts: roles, disabling, creating users and invitations,
//! sign-up policy, and reading the audit log. Every method checks the actor's role.
use secrecy::{ExposeSecret, SecretString};

use super::audit::{self, action, AuditEvent};
use super::validate::{check_password, parse_name, Email};
use super::{invitations, settings, users, Accounts, CurrentUser};
use crate::error::{Error, FieldErrors, Result};
use crate::time::now_ms;
use crate::types::{
    AccountSettings, AuditEntry, Conflict, CreatedInvitation, InvitationId, InvitationSummary,
    Page, Role, SignupMode, UserId, UserSummary,
};

/// Page sizes are bounded whatever the caller asks for.
pub fn clamp_page(page: u32, per_page: u32) -> (u32, u32) {
    (page.max(1), per_page.clamp(1, 100))
}

fn event<'a>(
    actor: &'a CurrentUser,
    action: &'a str,
    subject: &'a users::UserRecord,
    ip: &'a str,
) -> AuditEvent<'a> {
    AuditEvent {
        actor_id: Some(&actor.id),
        actor: Some(&actor.email),
        action,
        subject_id: Some(subject.id.as_str()),
        subject: Some(&subject.email),
        ip: Some(ip),
        detail: None,
    }
}

impl Accounts {
    pub async fn list_users(
        &self,
        actor: &CurrentUser,
        query: &str,
        page: u32,
        per_page: u32,
    ) -> Result<Page<UserSummary>> {
        actor.require(Role::Admin)?;
        crate::search::check_query("query", query)?;
        let (page, per_page) = clamp_page(page, per_page);
        users::page(&self.db, query, page, per_page).await
    }

    /// Changes someone's role. The last active admin cannot be demoted.
    pub async fn set_role(
        &self,
        actor: &CurrentUser,
        user_id: &UserId,
        role: Role,
        ip: &str,
    ) -> Result<UserSummary> {
        actor.require(Role::Admin)?;
        let user = users::get(&self.db, user_id).await?;
        if user.role() == role {
            return Ok(user.summary());
        }
        if !users::set_role(&self.db, &user.id, role).await? {
            return Err(Error::Conflict(Conflict::LastAdmin));
        }
        let mut e = event(actor, action::ROLE_CHANGED, &user, ip);
        e.detail = Some(format!("{} → {}", user.role(), role));
        audit::record(&self.db, e).await;
        Ok(UserSummary {
            role,
            ..user.summary()
        })
    }

    /// Disables (signing out every session) or re-enables an account.
    pub async fn set_disabled(
        &self,
        actor: &CurrentUser,
        user_id: &UserId,
        disabled: bool,
        ip: &str,
    ) -> Result<UserSummary> {
        actor.require(Role::Admin)?;
        let user = users::get(&self.db, user_id).await?;
        if disabled && user.id == actor.id {
            return Err(Error::Conflict(Conflict::DisableSelf));
        }
        if user.disabled_at.is_some() != disabled {
            if !users::set_disabled(&self.db, &user.id, disabled).await? {
                return Err(Error::Conflict(Conflict::LastAdmin));
            }
            let name = if disabled {
                action::ACCOUNT_DISABLED
            } else {
                action::ACCOUNT_ENABLED
            };
            audit::record(&self.db, event(actor, name, &user, ip)).await;
        }
        Ok(UserSummary {
            disabled,
            ..user.summary()
        })
    }

    /// Creates an account directly, with a first password the admin hands over.
    pub async fn create_user(
        &self,
        actor: &CurrentUser,
        name: &str,
        email: &str,
        role: Option<Role>,
        password: SecretString,
        ip: &str,
    ) -> Result<UserSummary> {
        actor.require(Role::Admin)?;
        let mut errors = FieldErrors::default();
        let name = parse_name(name).map_err(|m| errors.add("name", m)).ok();
        let email = Email::parse(email).map_err(|m| errors.add("email", m)).ok();
        if role.is_none() {
            errors.add("role", "Choose a role.");
        }
        if let Err(m) = check_password(password.expose_secret(), email.as_ref().map(Email::as_str))
        {
            errors.add("password", m);
        }
        errors.finish()?;
        let (name, email, role) = (
            name.unwrap_or_default(),
            email.expect("validated"),
            role.expect("validated"),
        );
        let hash = self.hasher.hash(password).await?;
        let mut conn = self.db.pool().acquire().await?;
        let id = UserId::new();
        let inserted = users::insert(&mut conn, &id, email.as_str(), &name, &hash, role).await;
        drop(conn);
        let user = match inserted {
            Ok(u) => u,
            Err(e) if self.db.backend().is_unique_violation(&e) => {
                return Err(Error::field(
                    "email",
                    "An account with this email already exists.",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let mut e = event(actor, action::USER_CREATED, &user, ip);
        e.detail = Some(format!("role {role}"));
        audit::record(&self.db, e).await;
        Ok(user.summary())
    }

    /// Creates an invitation link, optionally bound to one email address.
    pub async fn create_invitation(
        &self,
        actor: &CurrentUser,
        email: &str,
        role: Option<Role>,
        ip: &str,
    ) -> Result<CreatedInvitation> {
        actor.require(Role::Admin)?;
        let mut errors = FieldErrors::default();
        let email = if email.trim().is_empty() {
            None
        } else {
            Email::parse(email).map_err(|m| errors.add("email", m)).ok()
        };
        if role.is_none() {
            errors.add("role", "Choose a role.");
        }
        errors.finish()?;
        let role = role.expect("validated");
        if let Some(e) = &email {
            if users::by_email(&self.db, e.as_str()).await?.is_some() {
                return Err(Error::field(
                    "email",
                    "Someone with this email already has an account.",
                ));
            }
        }
        let (token, hash) = invitations::new_token();
        let expires_at = now_ms() + self.policy.invitation_ttl.as_millis() as i64;
        let email = email.map(|e| e.as_str().to_string());
        let id = invitations::insert(
            &self.db,
            &hash,
            email.as_deref(),
            role,
            &actor.id,
            expires_at,
        )
        .await?;
        audit::record(
            &self.db,
            AuditEvent {
                actor_id: Some(&actor.id),
                actor: Some(&actor.email),
                action: action::INVITATION_CREATED,
                subject_id: Some(id.as_str()),
                subject: email.as_deref(),
                ip: Some(ip),
                detail: Some(format!("role {role}")),
            },
        )
        .await;
        let link = format!(
            "{}/signup?invite={token}",
            self.policy.public_url.trim_end_matches('/')
        );
        Ok(CreatedInvitation {
            id,
            link,
            role,
            email,
            expires_at,
        })
    }

    pub async fn list_invitations(
        &self,
        actor: &CurrentUser,
        page: u32,
        per_page: u32,
    ) -> Result<Page<InvitationSummary>> {
        actor.require(Role::Admin)?;
        let (page, per_page) = clamp_page(page, per_page);
        invitations::page(&self.db, page, per_page).await
    }

    pub async fn revoke_invitation(
        &self,
        actor: &CurrentUser,
        id: &InvitationId,
        ip: &str,
    ) -> Result<()> {
        actor.require(Role::Admin)?;
        if !invitations::revoke(&self.db, id).await? {
            return Err(Error::NotFound);
        }
        audit::record(
            &self.db,
            AuditEvent {
                actor_id: Some(&actor.id),
                actor: Some(&actor.email),
                action: action::INVITATION_REVOKED,
                subject_id: Some(id.as_str()),
                ip: Some(ip),
                ..Default::default()
            },
        )
        .await;
        Ok(())
    }

    pub async fn account_settings(&self, actor: &CurrentUser) -> Result<AccountSettings> {
        actor.require(Role::Admin)?;
        Ok(AccountSettings {
            signup_mode: settings::signup_mode(&self.db).await?,
        })
    }

    pub async fn set_signup_mode(
        &self,
        actor: &CurrentUser,
        mode: SignupMode,
        ip: &str,
    ) -> Result<AccountSettings> {
        actor.require(Role::Admin)?;
        settings::set_signup_mode(&self.db, mode, &actor.id).await?;
        audit::record(
            &self.db,
            AuditEvent {
                actor_id: Some(&actor.id),
                actor: Some(&actor.email),
                action: action::SETTINGS_CHANGED,
                ip: Some(ip),
                detail: Some(format!("sign-up {}", mode.as_str())),
                ..Default::default()
            },
        )
        .await;
        Ok(AccountSettings { signup_mode: mode })
    }

    pub async fn audit_log(
        &self,
        actor: &CurrentUser,
        page: u32,
        per_page: u32,
    ) -> Result<Page<AuditEntry>> {
        actor.require(Role::Admin)?;
        let (page, per_page) = clamp_page(page, per_page);
        audit::page(&self.db, page, per_page).await
    }
}
