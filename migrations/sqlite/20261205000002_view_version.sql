-- Card views get a version of their own. Reps read cards all day, and each batch of
-- views written bumped the version of everything, so every kept page of every reader
-- was rendered again a few times a second. Only pages that show view counts (the card
-- editor) depend on `views`; the rest keep their copy while cards are read.
ALTER TABLE page_version ADD COLUMN views BIGINT NOT NULL DEFAULT 0;
DROP TRIGGER page_version_card_view_days_insert;
DROP TRIGGER page_version_card_view_days_update;
DROP TRIGGER page_version_card_view_days_delete;
CREATE TRIGGER view_version_card_view_days_insert AFTER INSERT ON card_view_days BEGIN UPDATE page_version SET views = views + 1 WHERE id = 1; END;
CREATE TRIGGER view_version_card_view_days_update AFTER UPDATE ON card_view_days BEGIN UPDATE page_version SET views = views + 1 WHERE id = 1; END;
CREATE TRIGGER view_version_card_view_days_delete AFTER DELETE ON card_view_days BEGIN UPDATE page_version SET views = views + 1 WHERE id = 1; END;
