-- Competitors, battlecards with their versions, rep feedback and views, an activity
-- feed, and the full-text search index (FTS5 over an ordinary table).
CREATE TABLE competitors (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    website     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '',
    keywords    TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    archived_at BIGINT
);
CREATE INDEX competitors_updated ON competitors (updated_at);

CREATE TABLE competitor_tags (
    competitor_id TEXT NOT NULL REFERENCES competitors (id) ON DELETE CASCADE,
    tag           TEXT NOT NULL,
    PRIMARY KEY (competitor_id, tag)
);
CREATE INDEX competitor_tags_tag ON competitor_tags (tag);

CREATE TABLE battlecards (
    id                TEXT PRIMARY KEY NOT NULL,
    competitor_id     TEXT NOT NULL REFERENCES competitors (id),
    title             TEXT NOT NULL,
    summary           TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'published', 'archived')),
    version           BIGINT NOT NULL,
    content           TEXT NOT NULL,
    published_version BIGINT,
    published_at      BIGINT,
    status_by         TEXT NOT NULL,
    status_at         BIGINT NOT NULL,
    created_by        TEXT NOT NULL REFERENCES users (id),
    created_at        BIGINT NOT NULL,
    updated_by        TEXT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX battlecards_competitor ON battlecards (competitor_id, updated_at);

CREATE TABLE battlecard_versions (
    card_id    TEXT NOT NULL REFERENCES battlecards (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    content    TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (card_id, version)
);

CREATE TABLE objection_feedback (
    card_id      TEXT NOT NULL REFERENCES battlecards (id) ON DELETE CASCADE,
    objection_id TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    helpful      BIGINT NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (card_id, objection_id, user_id)
);

CREATE TABLE card_views (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id   TEXT NOT NULL REFERENCES battlecards (id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL,
    viewed_at BIGINT NOT NULL
);
CREATE INDEX card_views_card ON card_views (card_id, viewed_at);

CREATE TABLE activity (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    competitor_id TEXT NOT NULL,
    card_id       TEXT,
    actor_id      TEXT NOT NULL,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX activity_competitor ON activity (competitor_id, id);

-- One row per searchable piece of text. scope: 'competitor' (everyone while not
-- archived), 'card_latest' (editors: the newest version), 'card_published' (everyone:
-- the published version).
CREATE TABLE search_docs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    scope         TEXT NOT NULL,
    competitor_id TEXT NOT NULL,
    card_id       TEXT,
    anchor        TEXT NOT NULL DEFAULT '',
    label         TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL,
    body          TEXT NOT NULL
);
CREATE INDEX search_docs_owner ON search_docs (competitor_id, card_id, scope);

CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body, content = 'search_docs', content_rowid = 'id', tokenize = 'porter unicode61'
);
CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
