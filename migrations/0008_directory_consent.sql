-- Directory consent made explicit (issue 11, item 10): a partner is listed in the partner
-- directory only when it said so, at registration ("List my company in the partner directory,
-- with email, phone and website") or later in Reseller settings. Default off for what comes
-- from now on; partners that exist keep today's behaviour (listed while they serve resellers).
ALTER TABLE reseller_settings ADD COLUMN listed BIGINT NOT NULL DEFAULT 0;
UPDATE reseller_settings SET listed = 1;
ALTER TABLE partnership_requests ADD COLUMN directory_consent BIGINT NOT NULL DEFAULT 0;

-- A reseller may wait for several partners at once; only the same pair is a duplicate.
DROP INDEX requests_one_pending_link;
CREATE UNIQUE INDEX requests_one_pending_link ON requests (account_id, addressee_id) WHERE kind = 'reseller_link' AND status = 'pending';
