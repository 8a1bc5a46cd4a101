//! argon2id hashing on the blocking pool, with a cap on how many run at once so a
//! burst of logins cannot starve the machine.
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A hash of a random password, verified against when an email is unknown so the
    /// response takes as long as for a wrong password.
    decoy: Arc<OnceLock<String>>,
}

/// OWASP's recommended argon2id setting: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            decoy: Arc::default(),
        }
    }

    /// A PHC-format argon2id hash of `password`.
    pub async fn hash(&self, password: SecretString) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2()
                .hash_password(password.expose_secret().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("Failed to hash a password: {e}"))
        })
        .await
        .context("password hashing task failed")?
    }

    /// Whether `password` matches `hash`. With `None`, checks against a decoy and
    /// returns false, taking the same time.
    pub async fn verify(
        &self,
        password: SecretString,
        hash: Option<String>,
    ) -> anyhow::Result<bool> {
        let known = hash.is_some();
        let hash = match hash {
            Some(h) => h,
            None => self.decoy_hash().await?,
        };
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let matches = tokio::task::spawn_blocking(move || -> anyhow::Result<bool> {
            let parsed = PasswordHash::new(&hash)
                .map_err(|e| anyhow::anyhow!("A stored password hash is malformed: {e}"))?;
            Ok(argon2()
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok())
        })
        .await
        .context("password verification task failed")??;
        Ok(known && matches)
    }

    async fn decoy_hash(&self) -> anyhow::Result<String> {
        if let Some(h) = self.decoy.get() {
            return Ok(h.clone());
        }
        let random: String = uuid::Uuid::new_v4().to_string();
        let h = self.hash(SecretString::from(random)).await?;
        Ok(self.decoy.get_or_init(|| h).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let hasher = PasswordHasher::new(2);
        let h1 = hasher
            .hash(SecretString::from("correct horse battery"))
            .await
            .unwrap();
        let h2 = hasher
            .hash(SecretString::from("correct horse battery"))
            .await
            .unwrap();
        assert!(h1.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(h1, h2, "salts must differ");
        assert!(hasher
            .verify(
                SecretString::from("correct horse battery"),
                Some(h1.clone())
            )
            .await
            .unwrap());
        assert!(!hasher
            .verify(SecretString::from("wrong horse battery"), Some(h1))
            .await
            .unwrap());
        assert!(!hasher
            .verify(SecretString::from("anything at all"), None)
            .await
            .unwrap());
    }
}
