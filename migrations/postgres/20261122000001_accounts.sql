-- Accounts, invitations, settings, audit log and SQL-stored sessions.
-- Portable types: TEXT ids, BIGINT Unix-millisecond timestamps.
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    disabled_at   BIGINT,
    session_epoch BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    last_login_at BIGINT
);

CREATE TABLE invitations (
    id          TEXT PRIMARY KEY NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    email       TEXT,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT,
    accepted_by TEXT REFERENCES users (id),
    revoked_at  BIGINT
);
CREATE INDEX invitations_created_at ON invitations (created_at);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT
);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    created_at BIGINT NOT NULL,
    actor_id   TEXT,
    actor      TEXT,
    action     TEXT NOT NULL,
    subject_id TEXT,
    subject    TEXT,
    ip         TEXT,
    detail     TEXT
);
CREATE INDEX audit_log_created_at ON audit_log (created_at);
CREATE INDEX audit_log_action_created_at ON audit_log (action, created_at);

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY NOT NULL,
    data       BYTEA NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
