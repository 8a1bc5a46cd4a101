//! Full-text search over competitors, cards, sections and objections. One table of
//! searchable pieces (`search_docs`) is kept in step with every change inside the
//! change's transaction; SQLite searches it through FTS5, PostgreSQL through a
//! tsvector GIN index. Both are hidden behind [`search`].
//!
//! Permissions live in the scope of each row: editors search the newest version of
//! every card, everyone else only the published version of published cards.
use sqlx::{AnyConnection, FromRow};

use crate::accounts::CurrentUser;
use crate::markdown::to_plain_text;
use crate::store::{Backend, Db};
use crate::types::limits::QUERY_MAX;
use crate::types::{
    CardContent, CardId, CardStatus, CompetitorId, HitKind, Role, SearchHit, SearchResults,
    SectionKey,
};

/// Which readers a row is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A competitor: everyone.
    Competitor,
    /// The newest version of a card: editors and admins.
    CardLatest,
    /// The published version of a card: everyone.
    CardPublished,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Competitor => "competitor",
            Scope::CardLatest => "card_latest",
            Scope::CardPublished => "card_published",
        }
    }
}

/// A search typed into a box: refused at `field` when longer than anyone would type
/// (a long one would only make the database work for nothing).
pub fn check_query(field: &str, query: &str) -> crate::Result<()> {
    if query.trim().chars().count() > QUERY_MAX {
        return Err(crate::Error::field(
            field,
            format!("A search can be at most {QUERY_MAX} characters."),
        ));
    }
    Ok(())
}

/// Words longer than this are cut; more words than `MAX_TERMS` are ignored.
const MAX_TERM_CHARS: usize = 40;
const MAX_TERMS: usize = 8;

/// (Re)indexes a competitor; an archived one is simply removed.
pub async fn index_competitor(
    conn: &mut AnyConnection,
    id: &CompetitorId,
    name: &str,
    body: &str,
    archived: bool,
) -> crate::Result<()> {
    sqlx::query("DELETE FROM search_docs WHERE competitor_id = $1 AND card_id IS NULL")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if !archived {
        insert(
            conn,
            Scope::Competitor,
            id,
            None,
            "",
            "Competitor",
            name,
            body,
        )
        .await?;
    }
    Ok(())
}

/// Replaces the rows of one card in one scope with `content`.
pub async fn index_card(
    conn: &mut AnyConnection,
    scope: Scope,
    competitor_id: &CompetitorId,
    card_id: &CardId,
    content: &CardContent,
) -> crate::Result<()> {
    remove_card(conn, card_id, Some(scope)).await?;
    let card = Some(card_id);
    insert(
        conn,
        scope,
        competitor_id,
        card,
        "",
        "Battlecard",
        &content.title,
        &content.summary,
    )
    .await?;
    for key in SectionKey::ALL {
        let text = to_plain_text(content.section(key));
        if !text.is_empty() {
            let anchor = format!("section-{}", key.as_str());
            insert(
                conn,
                scope,
                competitor_id,
                card,
                &anchor,
                key.label(),
                "",
                &text,
            )
            .await?;
        }
    }
    for o in &content.objections {
        let anchor = format!("objection-{}", o.id);
        let answer = to_plain_text(&o.answer);
        insert(
            conn,
            scope,
            competitor_id,
            card,
            &anchor,
            "Objection",
            &o.objection,
            &answer,
        )
        .await?;
    }
    Ok(())
}

/// Removes a card's rows (in one scope, or all).
pub async fn remove_card(
    conn: &mut AnyConnection,
    card_id: &CardId,
    scope: Option<Scope>,
) -> crate::Result<()> {
    match scope {
        Some(scope) => {
            sqlx::query("DELETE FROM search_docs WHERE card_id = $1 AND scope = $2")
                .bind(card_id)
                .bind(scope.as_str())
                .execute(conn)
                .await?
        }
        None => {
            sqlx::query("DELETE FROM search_docs WHERE card_id = $1")
                .bind(card_id)
                .execute(conn)
                .await?
        }
    };
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    conn: &mut AnyConnection,
    scope: Scope,
    competitor_id: &CompetitorId,
    card_id: Option<&CardId>,
    anchor: &str,
    label: &str,
    title: &str,
    body: &str,
) -> crate::Result<()> {
    sqlx::query(
        "INSERT INTO search_docs (scope, competitor_id, card_id, anchor, label, title, body) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(scope.as_str())
    .bind(competitor_id)
    .bind(card_id)
    .bind(anchor)
    .bind(label)
    .bind(title)
    .bind(body)
    .execute(conn)
    .await?;
    Ok(())
}

/// The words of a query: letters and digits only, lower-cased, so nothing a person
/// types can change the meaning of the FTS5 or tsquery expression.
pub fn terms(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.chars()
                .take(MAX_TERM_CHARS)
                .collect::<String>()
                .to_lowercase()
        })
        .take(MAX_TERMS)
        .collect()
}

#[derive(FromRow)]
struct HitRow {
    competitor_id: CompetitorId,
    card_id: Option<CardId>,
    anchor: String,
    label: String,
    title_marked: String,
    snippet: String,
    competitor_name: String,
    card_title: Option<String>,
    published_title: Option<String>,
    card_status: Option<CardStatus>,
}

const SQLITE_QUERY: &str = "SELECT d.competitor_id, d.card_id, d.anchor, d.label, \
       highlight(search_fts, 0, char(2), char(3)) AS title_marked, \
       snippet(search_fts, 1, char(2), char(3), '…', 24) AS snippet, \
       c.name AS competitor_name, b.title AS card_title, b.published_title AS published_title, \
       b.status AS card_status \
     FROM search_fts \
     JOIN search_docs d ON d.id = search_fts.rowid \
     JOIN competitors c ON c.id = d.competitor_id \
     LEFT JOIN battlecards b ON b.id = d.card_id \
     WHERE search_fts MATCH $1 AND d.scope IN ($2, $3) \
     ORDER BY bm25(search_fts, 6.0, 1.0), d.id LIMIT $4";

const POSTGRES_QUERY: &str = "WITH q AS (SELECT to_tsquery('english', $1) AS q) \
     SELECT d.competitor_id, d.card_id, d.anchor, d.label, \
       ts_headline('english', d.title, q.q, 'HighlightAll=true, StartSel=' || chr(2) || ', StopSel=' || chr(3)) AS title_marked, \
       ts_headline('english', d.body, q.q, 'MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=\" … \", StartSel=' || chr(2) || ', StopSel=' || chr(3)) AS snippet, \
       c.name AS competitor_name, b.title AS card_title, b.published_title AS published_title, \
       b.status AS card_status \
     FROM search_docs d CROSS JOIN q \
     JOIN competitors c ON c.id = d.competitor_id \
     LEFT JOIN battlecards b ON b.id = d.card_id \
     WHERE (setweight(to_tsvector('english', d.title), 'A') || setweight(to_tsvector('english', d.body), 'B')) @@ q.q \
       AND d.scope IN ($2, $3) \
     ORDER BY ts_rank_cd(setweight(to_tsvector('english', d.title), 'A') || setweight(to_tsvector('english', d.body), 'B'), q.q) DESC, d.id \
     LIMIT $4";

/// Finds what `query` matches among what `user` may read, best first.
pub async fn search(
    db: &Db,
    user: &CurrentUser,
    query: &str,
    limit: i64,
) -> crate::Result<SearchResults> {
    check_query("q", query)?;
    let words = terms(query);
    let query = query.trim().chars().take(200).collect::<String>();
    if words.is_empty() {
        return Ok(SearchResults {
            query,
            hits: vec![],
        });
    }
    let (sql, expression) = match db.backend() {
        Backend::Sqlite => (
            SQLITE_QUERY,
            words
                .iter()
                .map(|t| format!("\"{t}\"*"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Backend::Postgres => (
            POSTGRES_QUERY,
            words
                .iter()
                .map(|t| format!("{t}:*"))
                .collect::<Vec<_>>()
                .join(" & "),
        ),
    };
    let editor = user.role.at_least(Role::Editor);
    let card_scope = if editor {
        Scope::CardLatest
    } else {
        Scope::CardPublished
    };
    let rows: Vec<HitRow> = sqlx::query_as(sql)
        .bind(expression)
        .bind(Scope::Competitor.as_str())
        .bind(card_scope.as_str())
        .bind(limit.clamp(1, 50))
        .fetch_all(db.pool())
        .await?;
    let hits = rows.into_iter().map(|row| hit(row, editor)).collect();
    Ok(SearchResults { query, hits })
}

fn hit(row: HitRow, editor: bool) -> SearchHit {
    let status = row.card_status;
    let Some(card_id) = row.card_id else {
        return SearchHit {
            kind: HitKind::Competitor,
            title: row.title_marked,
            label: "Competitor".into(),
            snippet: row.snippet,
            url: format!("/competitors/{}", row.competitor_id),
            status: None,
        };
    };
    let kind = if row.anchor.starts_with("objection-") {
        HitKind::Objection
    } else if row.anchor.is_empty() {
        HitKind::Card
    } else {
        HitKind::Section
    };
    // Editors land in the editor unless the card is published as it stands.
    let base = if editor && status != Some(CardStatus::Published) {
        format!("/cards/{card_id}/edit")
    } else {
        format!("/cards/{card_id}")
    };
    let url = if row.anchor.is_empty() {
        base
    } else {
        format!("{base}#{}", row.anchor)
    };
    // Readers only ever see a card's published title: the newest one may be a draft's.
    let card_title = if editor {
        row.card_title
    } else {
        row.published_title
    }
    .unwrap_or_default();
    let (title, label) = match kind {
        HitKind::Card => (
            row.title_marked,
            format!("Battlecard · {}", row.competitor_name),
        ),
        HitKind::Objection => (row.title_marked, format!("Objection · {card_title}")),
        _ => (
            card_title,
            format!("{} · {}", row.label, row.competitor_name),
        ),
    };
    SearchHit {
        kind,
        title,
        label,
        snippet: row.snippet,
        url,
        status: editor.then_some(status).flatten(),
    }
}

#[cfg(test)]
mod tests {
    use super::terms;

    #[test]
    fn terms_strip_query_syntax() {
        assert_eq!(
            terms("\"acme\" OR pric* -x NEAR(a b) 'drop table'"),
            vec!["acme", "or", "pric", "x", "near", "a", "b", "drop"]
        );
        assert!(terms("  ** \" ( ) ").is_empty());
    }
}
