//! Validated values taken at the edge: an email address, a display name, a password.
use crate::error::FieldErrors;
use crate::types::limits::{EMAIL_MAX, NAME_MAX, PASSWORD_MAX, PASSWORD_MIN};

/// A syntactically valid email address, trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err("Enter your email address.");
        }
        if value.chars().count() > EMAIL_MAX {
            return Err("An email address can be at most 254 characters.");
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err("Enter a valid email address, like name@example.com.");
        };
        let valid_local = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let valid_domain = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if !valid_local || !valid_domain {
            return Err("Enter a valid email address, like name@example.com.");
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name: trimmed, 1–100 characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, &'static str> {
    let value = raw.trim();
    if value.is_empty() {
        return Err("Enter your name.");
    }
    if value.chars().count() > NAME_MAX {
        return Err("A name can be at most 100 characters.");
    }
    if value.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.");
    }
    Ok(value.to_string())
}

static COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Checks a new password against the rules; returns the message to show at the field.
pub fn check_password(password: &str, email: Option<&str>) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length == 0 {
        return Err("Choose a password.");
    }
    if length < PASSWORD_MIN {
        return Err("Use at least 12 characters.");
    }
    if length > PASSWORD_MAX {
        return Err("A password can be at most 128 characters.");
    }
    let lowered = password.to_lowercase();
    if let Some(email) = email {
        let email = email.trim().to_lowercase();
        let local = email.split('@').next().unwrap_or_default();
        if lowered == email || (!local.is_empty() && lowered == local) {
            return Err("Your password cannot be your email address.");
        }
    }
    let first = lowered.chars().next().unwrap_or_default();
    if lowered.chars().all(|c| c == first) {
        return Err("This password is too easy to guess; choose another.");
    }
    if COMMON_PASSWORDS
        .lines()
        .any(|common| common.trim() == lowered)
    {
        return Err("This password is on a list of commonly used passwords; choose another.");
    }
    Ok(())
}

/// The sign-up / new-password fields, checked together so every problem shows at once.
pub fn check_new_password(
    errors: &mut FieldErrors,
    field: &str,
    confirm_field: &str,
    password: &str,
    confirm: &str,
    email: Option<&str>,
) {
    if let Err(message) = check_password(password, email) {
        errors.add(field, message);
    } else if password != confirm {
        errors.add(confirm_field, "The two passwords do not match.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Dana@Example.COM ").unwrap().as_str(),
            "dana@example.com"
        );
        for bad in [
            "",
            "dana",
            "dana@",
            "@example.com",
            "dana@example",
            "da na@example.com",
            "a@b..c",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn password_rules() {
        assert!(check_password("short", None).is_err());
        assert!(check_password("aaaaaaaaaaaaaaaa", None).is_err());
        assert!(check_password("password1234", None).is_err());
        assert!(check_password("dana@example.com", Some("Dana@example.com")).is_err());
        assert!(check_password(&"x1".repeat(70), None).is_err());
        assert!(check_password("correct horse battery", Some("dana@example.com")).is_ok());
    }

    #[test]
    fn names() {
        assert_eq!(parse_name("  Dana Scully ").unwrap(), "Dana Scully");
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"n".repeat(101)).is_err());
    }
}
