-- Sessions get a version too: each instance keeps who a session is (its user, checked)
-- in process while nothing changed, and the session store bumps this after a session is
-- created or deleted (sign-in, sign-out), wherever sessions are kept.
ALTER TABLE page_version ADD COLUMN sessions BIGINT NOT NULL DEFAULT 0;
