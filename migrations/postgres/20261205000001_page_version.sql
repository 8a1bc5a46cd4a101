-- The version of everything a page can show. Every transaction that writes a table
-- pages read bumps it once, at commit (the deferred triggers below), so a rendered page
-- kept under the version it was rendered at can never be served after a write: the
-- next request reads a new version and renders again. Bumping at commit, after the
-- transaction's other locks, keeps the one row from ordering locks into a deadlock.
-- Not bumped by sessions (a page shows none) or raw card views (pages show only their
-- daily counts, which do bump it).
CREATE TABLE page_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO page_version (id, n) VALUES (1, 0);

CREATE FUNCTION bump_page_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction: the setting is local to it.
    IF coalesce(current_setting('outrival.page_version_bumped', true), '') <> 'yes' THEN
        UPDATE page_version SET n = n + 1 WHERE id = 1;
        PERFORM set_config('outrival.page_version_bumped', 'yes', true);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON activity DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON ai_drafts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON ai_usage DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON audit_log DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON battlecard_versions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON battlecards DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON card_view_days DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON competitor_tags DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON competitors DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON first_admin DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON invitations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON jobs DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON objection_feedback DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON search_docs DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON settings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON source_snapshots DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON sources DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
CREATE CONSTRAINT TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version();
