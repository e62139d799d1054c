-- A registration is for a partner or a reseller.
ALTER TABLE partnership_requests ADD COLUMN kind TEXT NOT NULL DEFAULT 'partner';

-- A reseller linked to one partner (at most one at a time), after the partner accepted its
-- request for partner; the reseller uses that partner's channels for its own customers.
CREATE TABLE reseller_links (
    reseller_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    partner_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    request_id BIGINT,
    linked_at BIGINT NOT NULL
);
CREATE INDEX reseller_links_partner ON reseller_links (partner_id, linked_at);

-- What an invoice line bills: the package, or an add-on switched on for the partner.
ALTER TABLE invoice_lines ADD COLUMN kind TEXT NOT NULL DEFAULT 'package';
