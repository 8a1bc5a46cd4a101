//! Accounts: sign-up, sign-in, passwords, roles, invitations and the audit trail.
mod admin;
pub mod audit;
pub mod invitations;
pub mod password;
pub mod settings;
pub mod throttle;
pub mod users;
pub mod validate;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::cache::Cache;
use crate::error::{Error, FieldErrors, Result};
use crate::sessions::SessionAuth;
use crate::store::Db;
use crate::time::Clock;
use crate::types::{InvitationPreview, Role, SignupContext, SignupMode, UserId, Viewer};
use audit::{action, AuditEvent};
use password::PasswordHasher;
use throttle::{LoginThrottle, ThrottlePolicy};
use validate::{check_new_password, parse_name, Email};

/// Account rules from configuration.
#[derive(Clone, Debug)]
pub struct AccountPolicy {
    pub throttle: ThrottlePolicy,
    /// A session ends this long after sign-in, however active it is.
    pub session_absolute: Duration,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    pub invitation_ttl: Duration,
    /// The public base URL, for invitation links.
    pub public_url: String,
    pub max_concurrent_hashes: usize,
}

/// A signed-in person, resolved from the session for one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl CurrentUser {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            id: self.id.clone(),
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
        }
    }

    /// `Forbidden` unless this user has at least `role`.
    pub fn require(&self, role: Role) -> Result<()> {
        if self.role.at_least(role) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

/// What a successful sign-up or sign-in writes into the session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: CurrentUser,
    pub auth: SessionAuth,
}

/// What the sign-up form sends.
pub struct SignupInput {
    pub name: String,
    pub email: String,
    pub password: SecretString,
    pub password_confirm: SecretString,
    pub invite: Option<String>,
}

/// What deciding a session needs of its user; never the password hash.
#[derive(Clone)]
struct Known {
    user: CurrentUser,
    epoch: i64,
    disabled: bool,
}

impl Known {
    fn of(record: &users::UserRecord) -> Self {
        Known {
            user: current(record),
            epoch: record.session_epoch,
            disabled: record.disabled_at.is_some(),
        }
    }
}

/// The accounts service.
#[derive(Clone)]
pub struct Accounts {
    db: Db,
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    policy: AccountPolicy,
    /// What the session lifetimes are measured by.
    clock: Clock,
    /// Set once the installation has its first account; it never goes back.
    set_up: Arc<AtomicBool>,
}

fn current(user: &users::UserRecord) -> CurrentUser {
    CurrentUser {
        id: user.id.clone(),
        email: user.email.clone(),
        name: user.display_name.clone(),
        role: user.role(),
    }
}

fn signed_in(user: &users::UserRecord, at: i64) -> SignedIn {
    SignedIn {
        user: current(user),
        auth: SessionAuth {
            user_id: user.id.clone(),
            epoch: user.session_epoch,
            authenticated_at: at,
        },
    }
}

impl Accounts {
    pub fn new(db: Db, cache: Cache, clock: Clock, policy: AccountPolicy) -> Self {
        Self {
            clock,
            hasher: PasswordHasher::new(policy.max_concurrent_hashes),
            throttle: LoginThrottle::new(cache, policy.throttle.clone()),
            db,
            policy,
            set_up: Arc::default(),
        }
    }

    /// Whether someone has set the installation up (its first account exists). Once
    /// true it stays true, so the database is asked only until then.
    pub async fn is_set_up(&self) -> Result<bool> {
        if self.set_up.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let claimed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM first_admin")
            .fetch_one(self.db.pool())
            .await?;
        if claimed > 0 {
            self.set_up.store(true, Ordering::Relaxed);
        }
        Ok(claimed > 0)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// How often an active session's expiry is pushed back: often enough for the idle
    /// timeout to slide, rarely enough not to write on every request.
    pub fn session_refresh_every(&self) -> Duration {
        (self.policy.session_idle / 4).min(Duration::from_secs(60))
    }

    /// What the sign-up page should offer.
    pub async fn signup_context(&self, invite: Option<&str>) -> Result<SignupContext> {
        let first_user = users::count(&self.db).await? == 0;
        let mode = settings::signup_mode(&self.db).await?;
        let invitation = match invite.filter(|t| !t.trim().is_empty()) {
            Some(token) => {
                invitations::find_pending(&self.db, token)
                    .await?
                    .map(|i| InvitationPreview {
                        email: i.email,
                        role: i.role,
                    })
            }
            None => None,
        };
        Ok(SignupContext {
            first_user,
            mode,
            invitation,
        })
    }

    /// Creates an account and signs it in. The first account becomes admin; later
    /// ones need an invitation unless sign-up is open.
    #[tracing::instrument(skip_all, fields(email = %input.email))]
    pub async fn signup(&self, input: SignupInput, ip: &str) -> Result<SignedIn> {
        let mut errors = FieldErrors::default();
        let name = parse_name(&input.name)
            .map_err(|m| errors.add("name", m))
            .ok();
        let email = Email::parse(&input.email)
            .map_err(|m| errors.add("email", m))
            .ok();
        check_new_password(
            &mut errors,
            "password",
            "password_confirm",
            input.password.expose_secret(),
            input.password_confirm.expose_secret(),
            email
                .as_ref()
                .map(Email::as_str)
                .or(Some(input.email.as_str())),
        );

        let first_user = users::count(&self.db).await? == 0;
        let token = input
            .invite
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let invitation = match token {
            Some(token) => {
                let found = invitations::find_pending(&self.db, token).await?;
                if found.is_none() {
                    errors.add("invite", "This invitation link is invalid, expired or already used. Ask an admin for a new one.");
                }
                found
            }
            None => None,
        };
        if let (Some(inv), Some(email)) = (&invitation, &email) {
            if inv.email.as_deref().is_some_and(|e| e != email.as_str()) {
                errors.add("email", "This invitation is for a different email address.");
            }
        }
        let role = match &invitation {
            Some(inv) => inv.role,
            None if first_user => Role::Admin,
            None => {
                if token.is_none() && settings::signup_mode(&self.db).await? == SignupMode::Invite {
                    errors.add(
                        "invite",
                        "Sign-up is by invitation only. Ask an admin for an invitation link.",
                    );
                }
                Role::Viewer
            }
        };
        errors.finish()?;
        let (name, email) = (name.unwrap_or_default(), email.expect("validated above"));

        let hash = self.hasher.hash(input.password).await?;
        // One transaction makes the one-time rules atomic: the first account claims the
        // installation, an invitation is used once; a sign-up that loses either race
        // leaves nothing behind.
        let id = UserId::new();
        let mut tx = self.db.pool().begin().await?;
        let user = match users::insert(&mut tx, &id, email.as_str(), &name, &hash, role).await {
            Ok(user) => user,
            Err(e) if self.db.backend().is_unique_violation(&e) => {
                return Err(Error::field(
                    "email",
                    "An account with this email already exists. Sign in instead.",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if invitation.is_none() && first_user && !users::claim_first_admin(&mut tx, &id).await? {
            return Err(Error::field(
                "invite",
                "Someone set up Outrival a moment ago. Ask them for an invitation link.",
            ));
        }
        if let Some(inv) = &invitation {
            if !invitations::accept(&mut tx, &inv.id, &id).await? {
                return Err(Error::field(
                    "invite",
                    "This invitation link was used a moment ago. Ask an admin for a new one.",
                ));
            }
        }
        tx.commit().await?;
        users::touch_login(&self.db, &user.id).await?;
        audit::record(
            &self.db,
            AuditEvent::own(action::SIGNUP, &user.id, &user.email, ip)
                .with_detail(format!("role {}", user.role)),
        )
        .await;
        Ok(signed_in(&user, self.clock.now_ms()))
    }

    /// Checks an email and password, with throttling and the same answer for an
    /// unknown email as for a wrong password.
    #[tracing::instrument(skip_all)]
    pub async fn login(&self, email: &str, password: SecretString, ip: &str) -> Result<SignedIn> {
        let mut errors = FieldErrors::default();
        let parsed = Email::parse(email).map_err(|m| errors.add("email", m)).ok();
        if password.expose_secret().is_empty() {
            errors.add("password", "Enter your password.");
        } else if password.expose_secret().chars().count() > crate::types::limits::PASSWORD_MAX {
            errors.add("password", "A password can be at most 128 characters.");
        }
        errors.finish()?;
        let email = parsed.expect("validated above");

        self.throttle.check(email.as_str(), ip).await?;
        let user = users::by_email(&self.db, email.as_str()).await?;
        let verified = self
            .hasher
            .verify(password, user.as_ref().map(|u| u.password_hash.clone()))
            .await?;
        let user = match (verified, user) {
            (true, Some(user)) => user,
            (_, user) => {
                let id = user.as_ref().map(|u| &u.id);
                return Err(self
                    .wrong_password(email.as_str(), id, ip, None, Error::InvalidCredentials)
                    .await?);
            }
        };
        if user.disabled_at.is_some() {
            metrics::counter!("login_failures_total", "reason" => "disabled").increment(1);
            audit::record(
                &self.db,
                AuditEvent::own(action::LOGIN_FAILED, &user.id, &user.email, ip)
                    .with_detail("account disabled"),
            )
            .await;
            return Err(Error::AccountDisabled);
        }
        self.throttle.succeed(email.as_str()).await?;
        users::touch_login(&self.db, &user.id).await?;
        audit::record(
            &self.db,
            AuditEvent::own(action::LOGIN, &user.id, &user.email, ip),
        )
        .await;
        Ok(signed_in(&user, self.clock.now_ms()))
    }

    /// Counts a wrong password against the account and the address, in the audit log
    /// and the throttle; returns the lockout when this failure was one too many,
    /// `otherwise` when not.
    async fn wrong_password(
        &self,
        email: &str,
        subject_id: Option<&UserId>,
        ip: &str,
        detail: Option<&str>,
        otherwise: Error,
    ) -> Result<Error> {
        metrics::counter!("login_failures_total", "reason" => "credentials").increment(1);
        audit::record(
            &self.db,
            AuditEvent {
                actor: Some(email),
                action: action::LOGIN_FAILED,
                subject_id: subject_id.map(UserId::as_str),
                subject: Some(email),
                ip: Some(ip),
                detail: detail.map(str::to_string),
                ..Default::default()
            },
        )
        .await;
        match self.throttle.fail(email, ip).await? {
            Some(lockout) => {
                audit::record(
                    &self.db,
                    AuditEvent {
                        action: action::ACCOUNT_LOCKED,
                        subject: Some(email),
                        ip: Some(ip),
                        ..Default::default()
                    },
                )
                .await;
                Ok(lockout)
            }
            None => Ok(otherwise),
        }
    }

    /// Records a sign-out.
    pub async fn logged_out(&self, user: &CurrentUser, ip: &str) {
        audit::record(
            &self.db,
            AuditEvent::own(action::LOGOUT, &user.id, &user.email, ip),
        )
        .await;
    }

    /// Changes a password after checking the current one. Every other session of the
    /// user ends; the returned auth keeps the caller's own session signed in.
    #[tracing::instrument(skip_all, fields(user.id = %user.id))]
    pub async fn change_password(
        &self,
        user: &CurrentUser,
        current_password: SecretString,
        new_password: SecretString,
        confirm: SecretString,
        ip: &str,
    ) -> Result<SessionAuth> {
        let mut errors = FieldErrors::default();
        if current_password.expose_secret().is_empty() {
            errors.add("current_password", "Enter your current password.");
        } else if current_password.expose_secret().chars().count()
            > crate::types::limits::PASSWORD_MAX
        {
            errors.add(
                "current_password",
                "A password can be at most 128 characters.",
            );
        }
        check_new_password(
            &mut errors,
            "new_password",
            "new_password_confirm",
            new_password.expose_secret(),
            confirm.expose_secret(),
            Some(&user.email),
        );
        if !errors.has("new_password")
            && new_password.expose_secret() == current_password.expose_secret()
        {
            errors.add(
                "new_password",
                "Choose a password different from your current one.",
            );
        }
        errors.finish()?;
        // The same throttle and lockout as sign-in: a stolen session must not become a
        // way to guess the password.
        self.throttle.check(&user.email, ip).await?;
        let record = users::by_id(&self.db, &user.id)
            .await?
            .ok_or(Error::Unauthenticated)?;
        if !self
            .hasher
            .verify(current_password, Some(record.password_hash))
            .await?
        {
            let wrong = Error::field("current_password", "Your current password is not correct.");
            return Err(self
                .wrong_password(
                    &user.email,
                    Some(&user.id),
                    ip,
                    Some("password change"),
                    wrong,
                )
                .await?);
        }
        self.throttle.succeed(&user.email).await?;
        let hash = self.hasher.hash(new_password).await?;
        let epoch = users::set_password(&self.db, &user.id, &hash).await?;
        audit::record(
            &self.db,
            AuditEvent::own(action::PASSWORD_CHANGED, &user.id, &user.email, ip)
                .with_detail("other sessions signed out"),
        )
        .await;
        Ok(SessionAuth {
            user_id: user.id.clone(),
            epoch,
            authenticated_at: self.clock.now_ms(),
        })
    }

    /// The clock session lifetimes are measured by.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Resolves the session of a request: as [`Accounts::authenticate`], and `None`
    /// too when the session has sat idle longer than allowed since `last_seen` (when
    /// the session was last marked seen; sign-in when it never was).
    pub async fn authenticate_request(
        &self,
        auth: &SessionAuth,
        last_seen: Option<i64>,
    ) -> Result<Option<CurrentUser>> {
        if !self.session_alive(auth, last_seen) {
            return Ok(None);
        }
        self.authenticate(auth).await
    }

    /// Whether a session last marked seen at `last_seen` is within its idle and
    /// absolute lifetimes now (what a kept identity is checked against again).
    pub fn session_alive(&self, auth: &SessionAuth, last_seen: Option<i64>) -> bool {
        let now = self.clock.now_ms();
        let idle = now - last_seen.unwrap_or(auth.authenticated_at);
        let lived = now - auth.authenticated_at;
        idle <= self.policy.session_idle.as_millis() as i64
            && lived <= self.policy.session_absolute.as_millis() as i64
    }

    /// Resolves a session's identity. `None` when the account is gone or disabled,
    /// the password changed since, or the absolute lifetime has passed.
    pub async fn authenticate(&self, auth: &SessionAuth) -> Result<Option<CurrentUser>> {
        let lived = self.clock.now_ms() - auth.authenticated_at;
        if lived > self.policy.session_absolute.as_millis() as i64 {
            return Ok(None);
        }
        // Read from the database itself: what a request finds here may be kept for
        // the session until the versions change (see `KeptIdentities`), so it must not
        // be older than they are.
        let known = users::by_id(&self.db, &auth.user_id)
            .await?
            .map(|record| Known::of(&record));
        let Some(known) = known else {
            return Ok(None);
        };
        if known.disabled || known.epoch != auth.epoch {
            return Ok(None);
        }
        Ok(Some(known.user))
    }
}
