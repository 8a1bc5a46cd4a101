-- The rep view reads one person's votes on one card with every page: an index on
-- (card, person) rather than a scan of every vote on the card.
CREATE INDEX objection_feedback_by_user ON objection_feedback (card_id, user_id);
