-- A competitor's sources: pasted notes and web pages. Every fetch (and every edit of
-- a note) stores an immutable snapshot; citations point at a snapshot's exact text.
CREATE TABLE sources (
    id                 TEXT PRIMARY KEY NOT NULL,
    competitor_id      TEXT NOT NULL REFERENCES competitors (id),
    kind               TEXT NOT NULL CHECK (kind IN ('note', 'web')),
    title              TEXT NOT NULL DEFAULT '',
    url                TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL CHECK (status IN ('pending', 'ready', 'error')),
    last_error         TEXT,
    latest_snapshot_id TEXT,
    fetched_at         BIGINT,
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    removed_at         BIGINT
);
CREATE INDEX sources_competitor ON sources (competitor_id, created_at);

CREATE TABLE source_snapshots (
    id           TEXT PRIMARY KEY NOT NULL,
    source_id    TEXT NOT NULL REFERENCES sources (id),
    title        TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    http_status  BIGINT,
    content_type TEXT NOT NULL DEFAULT '',
    final_url    TEXT NOT NULL DEFAULT '',
    fetched_at   BIGINT NOT NULL,
    fetched_by   TEXT
);
CREATE INDEX source_snapshots_source ON source_snapshots (source_id, fetched_at);
