//! Entity ids. Each kind of row has its own id type, so a card id can never be passed
//! where a competitor id is expected. On the wire an id is its plain text
//! (`#[serde(transparent)]`), in the database a TEXT column.
//!
//! An id built from text a client sent ([`From<String>`]) is not checked: an unknown
//! id simply finds nothing, exactly like an id the person may not see.
use serde::{Deserialize, Serialize};

/// Declares id types. `Name: N` keeps only the first `N` characters of a fresh id.
macro_rules! ids {
    ($( $(#[$doc:meta])* $name:ident $(: $len:literal)? ;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh random id (hex of a UUID v4), for a new row.
            // No `Default`: a made-up id is never what a caller means by "no id".
            #[cfg(feature = "server")]
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                #[allow(unused_mut)]
                let mut id = uuid::Uuid::new_v4().simple().to_string();
                $(id.truncate($len);)?
                Self(id)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        #[cfg(feature = "server")]
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <str as sqlx::Type<sqlx::Any>>::type_info()
            }

            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <str as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        #[cfg(feature = "server")]
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.0, buf)
            }
        }

        #[cfg(feature = "server")]
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                <String as sqlx::Decode<'r, sqlx::Any>>::decode(value).map(Self)
            }
        }
    )*};
}

ids! {
    /// A person's account.
    UserId;
    /// A competitor.
    CompetitorId;
    /// A battlecard.
    CardId;
    /// One objection on a card: stable across edits and reordering, so links and
    /// feedback keep pointing at it. Twelve characters; empty on an objection the
    /// editor added and nobody saved yet.
    ObjectionId: 12;
    /// A competitor's source (a pasted note or a web page).
    SourceId;
    /// One immutable snapshot of a source's text, which citations point into.
    SnapshotId;
    /// A background job.
    JobId;
    /// An AI draft of a card, waiting for review.
    DraftId;
    /// An invitation link (not its secret token).
    InvitationId;
    /// One row of the AI usage ledger.
    UsageId;
}

impl ObjectionId {
    /// Whether the objection has no id yet (added in the editor, not saved).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An objection the editor just added has no id until the server gives it one.
impl Default for ObjectionId {
    fn default() -> Self {
        Self(String::new())
    }
}

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_plain_text_on_the_wire() {
        let card = CardId::from("4f1c2d");
        assert_eq!(serde_json::to_string(&card).unwrap(), "\"4f1c2d\"");
        let back: CardId = serde_json::from_str("\"4f1c2d\"").unwrap();
        assert_eq!(back, card);
        let objection = ObjectionId::new();
        assert_eq!(objection.as_str().len(), 12);
        assert_eq!(CompetitorId::new().as_str().len(), 32);
    }

    #[tokio::test]
    async fn ids_round_trip_through_a_row() {
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("CREATE TABLE cards (id TEXT NOT NULL, competitor_id TEXT, source_id TEXT)")
            .execute(&pool)
            .await
            .unwrap();
        let (card, competitor) = (CardId::new(), CompetitorId::new());
        sqlx::query("INSERT INTO cards (id, competitor_id, source_id) VALUES ($1, $2, $3)")
            .bind(&card)
            .bind(competitor.clone())
            .bind(None::<SourceId>)
            .execute(&pool)
            .await
            .unwrap();
        let row: (CardId, CompetitorId, Option<SourceId>) =
            sqlx::query_as("SELECT id, competitor_id, source_id FROM cards WHERE id = $1")
                .bind(&card)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(row, (card, competitor, None));
    }
}
