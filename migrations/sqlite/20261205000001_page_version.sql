-- The version of everything a page can show. Every write to a table that pages read
-- bumps it (the triggers below), so a rendered page kept under the version it was
-- rendered at can never be served after a write: the next request reads a new version
-- and renders again. Not bumped by sessions (a page shows none) or raw card views
-- (pages show only their daily counts, which do bump it).
CREATE TABLE page_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO page_version (id, n) VALUES (1, 0);
CREATE TRIGGER page_version_activity_insert AFTER INSERT ON activity BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_activity_update AFTER UPDATE ON activity BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_activity_delete AFTER DELETE ON activity BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_ai_drafts_insert AFTER INSERT ON ai_drafts BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_ai_drafts_update AFTER UPDATE ON ai_drafts BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_ai_drafts_delete AFTER DELETE ON ai_drafts BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_ai_usage_insert AFTER INSERT ON ai_usage BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_ai_usage_update AFTER UPDATE ON ai_usage BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_ai_usage_delete AFTER DELETE ON ai_usage BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_audit_log_insert AFTER INSERT ON audit_log BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_audit_log_update AFTER UPDATE ON audit_log BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_audit_log_delete AFTER DELETE ON audit_log BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_battlecard_versions_insert AFTER INSERT ON battlecard_versions BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_battlecard_versions_update AFTER UPDATE ON battlecard_versions BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_battlecard_versions_delete AFTER DELETE ON battlecard_versions BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_battlecards_insert AFTER INSERT ON battlecards BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_battlecards_update AFTER UPDATE ON battlecards BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_battlecards_delete AFTER DELETE ON battlecards BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_card_view_days_insert AFTER INSERT ON card_view_days BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_card_view_days_update AFTER UPDATE ON card_view_days BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_card_view_days_delete AFTER DELETE ON card_view_days BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_competitor_tags_insert AFTER INSERT ON competitor_tags BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_competitor_tags_update AFTER UPDATE ON competitor_tags BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_competitor_tags_delete AFTER DELETE ON competitor_tags BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_competitors_insert AFTER INSERT ON competitors BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_competitors_update AFTER UPDATE ON competitors BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_competitors_delete AFTER DELETE ON competitors BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_first_admin_insert AFTER INSERT ON first_admin BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_first_admin_update AFTER UPDATE ON first_admin BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_first_admin_delete AFTER DELETE ON first_admin BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_invitations_insert AFTER INSERT ON invitations BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_invitations_update AFTER UPDATE ON invitations BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_invitations_delete AFTER DELETE ON invitations BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_jobs_insert AFTER INSERT ON jobs BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_jobs_update AFTER UPDATE ON jobs BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_jobs_delete AFTER DELETE ON jobs BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_objection_feedback_insert AFTER INSERT ON objection_feedback BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_objection_feedback_update AFTER UPDATE ON objection_feedback BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_objection_feedback_delete AFTER DELETE ON objection_feedback BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_search_docs_insert AFTER INSERT ON search_docs BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_search_docs_update AFTER UPDATE ON search_docs BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_search_docs_delete AFTER DELETE ON search_docs BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_settings_insert AFTER INSERT ON settings BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_settings_update AFTER UPDATE ON settings BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_settings_delete AFTER DELETE ON settings BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_source_snapshots_insert AFTER INSERT ON source_snapshots BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_source_snapshots_update AFTER UPDATE ON source_snapshots BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_source_snapshots_delete AFTER DELETE ON source_snapshots BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_sources_insert AFTER INSERT ON sources BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_sources_update AFTER UPDATE ON sources BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_sources_delete AFTER DELETE ON sources BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_users_insert AFTER INSERT ON users BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_users_update AFTER UPDATE ON users BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER page_version_users_delete AFTER DELETE ON users BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END;
