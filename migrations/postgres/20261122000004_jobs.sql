-- Durable background jobs. A worker claims a ready job by taking a lease (lease_until);
-- a job whose lease runs out (its worker died) is claimed again. `attempts` doubles as
-- the fencing token: a worker may only finish the attempt it claimed.
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY NOT NULL,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    owner_id         TEXT REFERENCES users (id),
    subject          TEXT NOT NULL DEFAULT '',
    label            TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'dead')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    max_attempts     BIGINT NOT NULL,
    run_at           BIGINT NOT NULL,
    lease_until      BIGINT,
    worker           TEXT,
    progress         BIGINT NOT NULL DEFAULT 0,
    step             TEXT NOT NULL DEFAULT '',
    last_error       TEXT,
    result           TEXT,
    cancel_requested BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    updated_at       BIGINT NOT NULL
);
-- The claim query's scan: ready queued jobs and running jobs whose lease ran out.
CREATE INDEX jobs_ready ON jobs (state, run_at);
CREATE INDEX jobs_owner ON jobs (owner_id, created_at);
CREATE INDEX jobs_subject ON jobs (subject, created_at);
