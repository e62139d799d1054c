-- A partner's channels; followers are customers.
CREATE TABLE channels (
    id __PK__,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX channels_account_name ON channels (account_id, name);

CREATE TABLE channel_followers (
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, customer_id)
);
CREATE INDEX channel_followers_customer ON channel_followers (customer_id);

-- The operator's advertising packages: impressions at a price.
CREATE TABLE ad_packages (
    id __PK__,
    name TEXT NOT NULL,
    impressions BIGINT NOT NULL CHECK (impressions > 0),
    price BIGINT NOT NULL CHECK (price >= 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ad_packages_name ON ad_packages (name);

-- Requests one account addresses to another (the operator, or a partner for reseller links),
-- decided once. Each type uses the columns it needs:
--   addon: ref_id = add-on, price, currency
--   broadcast: channel_id, engagement, content (JSON), starts_at
--   ad_package: ref_id = advertising package, impressions, price, currency
--   ad: title, content (JSON: text, image_url, target_url), impressions, starts_at, ends_at
CREATE TABLE requests (
    id __PK__,
    kind TEXT NOT NULL CHECK (kind IN ('addon', 'broadcast', 'ad_package', 'ad', 'reseller_link')),
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    addressee_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    ref_id BIGINT,
    channel_id BIGINT REFERENCES channels(id) ON DELETE SET NULL,
    engagement TEXT,
    content TEXT NOT NULL DEFAULT '{}',
    impressions BIGINT,
    price BIGINT,
    currency TEXT,
    starts_at BIGINT,
    ends_at BIGINT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    reason TEXT,
    created_at BIGINT NOT NULL,
    created_by_login_id BIGINT,
    decided_at BIGINT,
    decided_by_login_id BIGINT,
    decided_by_email TEXT
);
CREATE INDEX requests_inbox ON requests (addressee_id, status, kind, created_at);
CREATE INDEX requests_account ON requests (account_id, created_at);
CREATE INDEX requests_decided ON requests (addressee_id, decided_at);
CREATE INDEX requests_channel ON requests (channel_id);
-- One pending request per partner and add-on / reseller link.
CREATE UNIQUE INDEX requests_one_pending_addon ON requests (account_id, ref_id) WHERE kind = 'addon' AND status = 'pending';
CREATE UNIQUE INDEX requests_one_pending_link ON requests (account_id) WHERE kind = 'reseller_link' AND status = 'pending';

-- Add-ons switched on for a partner, at the price of the approved request.
CREATE TABLE partner_addons (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    addon_id BIGINT NOT NULL REFERENCES addons(id),
    price BIGINT NOT NULL,
    currency TEXT NOT NULL,
    request_id BIGINT,
    enabled_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, addon_id)
);
CREATE INDEX partner_addons_addon ON partner_addons (addon_id);

-- Impressions credited to a partner by approved advertising packages.
CREATE TABLE ad_wallets (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    credited BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- Approved broadcasts, sent at their start time by a job.
CREATE TABLE broadcasts (
    request_id BIGINT PRIMARY KEY REFERENCES requests(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    channel_id BIGINT REFERENCES channels(id) ON DELETE SET NULL,
    starts_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'sent')),
    recipients BIGINT,
    sent_at BIGINT
);
CREATE INDEX broadcasts_due ON broadcasts (status, starts_at);
CREATE INDEX broadcasts_account ON broadcasts (account_id);
CREATE INDEX broadcasts_channel ON broadcasts (channel_id);
