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
-- period_end is the end of the last paid (or trial) period: access is denied from then on.
CREATE TABLE subscriptions (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    package_id BIGINT NOT NULL REFERENCES packages(id),
    status TEXT NOT NULL CHECK (status IN ('trial', 'active', 'suspended')),
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    external_invoice_id TEXT NOT NULL DEFAULT '',
    suspended_at BIGINT,
    purge_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_package ON subscriptions (package_id);
CREATE INDEX subscriptions_due ON subscriptions (status, period_end);

-- Pro-forma invoices, one per partner and period.
CREATE TABLE invoices (
    id __PK__,
    number TEXT NOT NULL UNIQUE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    currency TEXT NOT NULL,
    total BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')),
    created_at BIGINT NOT NULL,
    paid_at BIGINT,
    UNIQUE (account_id, period_start)
);
CREATE TABLE invoice_lines (
    id __PK__,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    amount BIGINT NOT NULL
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id);

-- Payments: a reference is registered once, however often it is sent.
CREATE TABLE payments (
    id __PK__,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    reference TEXT NOT NULL UNIQUE,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('manual', 'webhook')),
    created_at BIGINT NOT NULL
);
CREATE INDEX payments_invoice ON payments (invoice_id);

-- Webhook deliveries seen, so a replay changes nothing.
CREATE TABLE webhook_events (
    event_id TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);

-- Billing steps taken (reminder, invoice mail, suspension mail), each once per partner and period.
CREATE TABLE billing_events (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    period_end BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, kind, period_end)
);

-- Operator settings (e.g. approve partnership requests automatically).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
