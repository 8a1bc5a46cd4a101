-- How often each card was read, per UTC day (day = viewed_at / 86400000). The batched
-- view flush adds to it in the same statement batch as the view log, so the editor's
-- "read N times, M in the last 30 days" sums a few rows instead of counting the log.
CREATE TABLE card_view_days (
    card_id TEXT NOT NULL REFERENCES battlecards (id) ON DELETE CASCADE,
    day     BIGINT NOT NULL,
    views   BIGINT NOT NULL,
    PRIMARY KEY (card_id, day)
);
INSERT INTO card_view_days (card_id, day, views)
SELECT card_id, viewed_at / 86400000, COUNT(*) FROM card_views
GROUP BY card_id, viewed_at / 86400000;
