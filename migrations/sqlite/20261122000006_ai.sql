-- AI drafts awaiting review, the claims each card version carries (with whether their
-- citations verified), and the usage ledger of every provider call.
CREATE TABLE ai_drafts (
    id               TEXT PRIMARY KEY NOT NULL,
    card_id          TEXT NOT NULL REFERENCES battlecards (id) ON DELETE CASCADE,
    job_id           TEXT NOT NULL UNIQUE,
    agent            TEXT NOT NULL,
    provider         TEXT NOT NULL,
    model            TEXT NOT NULL DEFAULT '',
    base_version     BIGINT NOT NULL,
    content          TEXT NOT NULL,
    claims           TEXT NOT NULL,
    unverified       BIGINT NOT NULL DEFAULT 0,
    notes            TEXT NOT NULL DEFAULT '[]',
    keywords         TEXT NOT NULL DEFAULT '[]',
    status           TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'discarded')),
    created_by       TEXT NOT NULL REFERENCES users (id),
    created_at       BIGINT NOT NULL,
    decided_by       TEXT,
    decided_at       BIGINT,
    accepted_version BIGINT
);
CREATE INDEX ai_drafts_card ON ai_drafts (card_id, created_at);

ALTER TABLE battlecard_versions ADD COLUMN claims TEXT NOT NULL DEFAULT '[]';
ALTER TABLE battlecard_versions ADD COLUMN unverified_claims BIGINT NOT NULL DEFAULT 0;

CREATE TABLE ai_usage (
    id                TEXT PRIMARY KEY NOT NULL,
    user_id           TEXT,
    agent             TEXT NOT NULL,
    provider          TEXT NOT NULL,
    model             TEXT NOT NULL DEFAULT '',
    prompt_tokens     BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    cost_micros       BIGINT NOT NULL DEFAULT 0,
    latency_ms        BIGINT NOT NULL DEFAULT 0,
    cache_hit         BIGINT NOT NULL DEFAULT 0,
    outcome           TEXT NOT NULL DEFAULT 'ok',
    created_at        BIGINT NOT NULL
);
CREATE INDEX ai_usage_user ON ai_usage (user_id, created_at);
CREATE INDEX ai_usage_time ON ai_usage (created_at);

-- A snapshot's AI summary (the source summariser), with its checked claims.
ALTER TABLE source_snapshots ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE source_snapshots ADD COLUMN summary_claims TEXT NOT NULL DEFAULT '[]';
