-- The account that set the installation up. One row at most (id is always 1), so
-- sign-ups racing on an empty installation cannot all become admins.
CREATE TABLE first_admin (
    id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    user_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO first_admin (id, user_id, created_at)
SELECT 1, id, created_at FROM users ORDER BY created_at, id LIMIT 1;

-- What readers see of a card comes from its published version: its title, summary,
-- and who published it when, kept beside the newest (possibly draft) ones.
ALTER TABLE battlecards ADD COLUMN published_title TEXT;
ALTER TABLE battlecards ADD COLUMN published_summary TEXT;
ALTER TABLE battlecards ADD COLUMN published_by TEXT;
UPDATE battlecards b SET
    published_title = v.content::json ->> 'title',
    published_summary = v.content::json ->> 'summary',
    published_by = b.status_by
FROM battlecard_versions v
WHERE v.card_id = b.id AND v.version = b.published_version;

-- Publications get their own action, the only card activity readers are shown.
UPDATE activity SET action = 'card.published'
WHERE action = 'card.status' AND detail LIKE '%→ Published%';
