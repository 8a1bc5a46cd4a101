-- Sessions get a version too: each instance keeps who a session is (its user, checked)
-- in process while nothing changed, and the session store bumps this after every write
-- to a session (sign-in, sign-out, a pushed-back expiry), wherever sessions are kept.
ALTER TABLE page_version ADD COLUMN sessions BIGINT NOT NULL DEFAULT 0;
