//! Typed columns: a row converts fallibly. A status, role, state or agent stored as
//! text decodes into its enum or fails the query with the value it found — never a
//! silent default — and stored JSON decodes into its type or fails likewise.
use serde::de::DeserializeOwned;
use sqlx::any::{AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Any, Decode, Type};

use crate::types::{Agent, CardStatus, DraftStatus, JobState, Role};

macro_rules! text_enum_columns {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl Type<Any> for $ty {
            fn type_info() -> AnyTypeInfo {
                <str as Type<Any>>::type_info()
            }

            fn compatible(ty: &AnyTypeInfo) -> bool {
                <str as Type<Any>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Any> for $ty {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<'r, Any>>::decode(value)?;
                <$ty>::parse(text).ok_or_else(|| format!("unknown {} {text:?}", $what).into())
            }
        }
    )*};
}

text_enum_columns! {
    CardStatus => "card status",
    Role => "role",
    JobState => "job state",
    DraftStatus => "draft status",
    Agent => "agent",
}

/// A TEXT column holding JSON of `T`; corrupt JSON fails the query.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonText<T>(pub T);

impl<T> Type<Any> for JsonText<T> {
    fn type_info() -> AnyTypeInfo {
        <str as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <str as Type<Any>>::compatible(ty)
    }
}

impl<'r, T: DeserializeOwned> Decode<'r, Any> for JsonText<T> {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<'r, Any>>::decode(value)?;
        Ok(JsonText(serde_json::from_str(text).map_err(|e| {
            format!(
                "stored JSON does not read as {}: {e}",
                std::any::type_name::<T>()
            )
        })?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Claim;

    async fn db() -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn known_values_decode() {
        let pool = db().await;
        let (status, role): (CardStatus, Role) = sqlx::query_as("SELECT 'in_review', 'editor'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!((status, role), (CardStatus::InReview, Role::Editor));
        let (JsonText(claims),): (JsonText<Vec<Claim>>,) = sqlx::query_as("SELECT '[]'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(claims.is_empty());
    }

    #[tokio::test]
    async fn unknown_values_fail_instead_of_defaulting() {
        let pool = db().await;
        let status = sqlx::query_as::<_, (CardStatus,)>("SELECT 'publishd'")
            .fetch_one(&pool)
            .await;
        let error = status
            .expect_err("an unknown status is an error")
            .to_string();
        assert!(
            error.contains("unknown card status \"publishd\""),
            "{error}"
        );
        assert!(sqlx::query_as::<_, (Role,)>("SELECT 'superuser'")
            .fetch_one(&pool)
            .await
            .is_err());
        assert!(sqlx::query_as::<_, (JobState,)>("SELECT ''")
            .fetch_one(&pool)
            .await
            .is_err());
        let claims = sqlx::query_as::<_, (JsonText<Vec<Claim>>,)>("SELECT '[{\"text\": '")
            .fetch_one(&pool)
            .await;
        assert!(
            claims.is_err(),
            "corrupt claims are an error, not an empty list"
        );
    }
}
