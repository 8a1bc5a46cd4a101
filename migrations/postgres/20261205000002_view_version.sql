-- Card views get a version of their own. Reps read cards all day, and each batch of
-- views written bumped the version of everything, so every kept page of every reader
-- was rendered again a few times a second. Only pages that show view counts (the card
-- editor) depend on `views`; the rest keep their copy while cards are read.
ALTER TABLE page_version ADD COLUMN views BIGINT NOT NULL DEFAULT 0;
DROP TRIGGER page_version ON card_view_days;

CREATE FUNCTION bump_view_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction: the setting is local to it.
    IF coalesce(current_setting('outrival.view_version_bumped', true), '') <> 'yes' THEN
        UPDATE page_version SET views = views + 1 WHERE id = 1;
        PERFORM set_config('outrival.view_version_bumped', 'yes', true);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER view_version AFTER INSERT OR UPDATE OR DELETE ON card_view_days DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_view_version();
