-- Packages partners subscribe to; prices in integer minor units (cents).
CREATE TABLE packages (
    id __PK__,
    name TEXT NOT NULL,
    monthly_price BIGINT NOT NULL CHECK (monthly_price >= 0),
    currency TEXT NOT NULL,
    trial_days BIGINT NOT NULL DEFAULT 14,
    feature_ads BIGINT NOT NULL DEFAULT 0,
    feature_hardware BIGINT NOT NULL DEFAULT 0,
    feature_resellers BIGINT NOT NULL DEFAULT 0,
    max_customers BIGINT,
    max_dealers BIGINT,
    max_players BIGINT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX packages_name ON packages (name);

-- Add-ons: priced extra features of the operator's catalogue.
CREATE TABLE addons (
    id __PK__,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    monthly_price BIGINT NOT NULL CHECK (monthly_price >= 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX addons_name ON addons (name);

-- A prospective partner's registration, pending until the operator decides.
CREATE TABLE partnership_requests (
    id __PK__,
    company_name TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    no_resellers BIGINT NOT NULL DEFAULT 0,
    delivery TEXT NOT NULL DEFAULT 'email' CHECK (delivery IN ('email', 'sms')),
    package_id BIGINT NOT NULL REFERENCES packages(id),
    package_name TEXT NOT NULL,
    monthly_price BIGINT NOT NULL,
    currency TEXT NOT NULL,
    already_partner BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reason TEXT,
    ip TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by_login_id BIGINT,
    decided_by_email TEXT,
    partner_account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL
);
CREATE INDEX partnership_requests_package ON partnership_requests (package_id);
CREATE INDEX partnership_requests_partner ON partnership_requests (partner_account_id);
CREATE INDEX partnership_requests_status ON partnership_requests (status, created_at);
-- One pending request per email.
CREATE UNIQUE INDEX partnership_requests_pending_email ON partnership_requests (email) WHERE status = 'pending';

-- Each partner's package and where it stands.
CREATE TABLE subscriptions (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    package_id BIGINT NOT NULL REFERENCES packages(id),
    status TEXT NOT NULL CHECK (status IN ('trial', 'active', 'suspended')),
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    external_invoice_id TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_package ON subscriptions (package_id);

-- Operator settings (e.g. approve partnership requests automatically).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
