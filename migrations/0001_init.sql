-- Accounts form one tree. Times are integer milliseconds since the epoch.
CREATE TABLE accounts (
    id __PK__,
    parent_id BIGINT REFERENCES accounts(id),
    kind TEXT NOT NULL CHECK (kind IN ('operator', 'partner', 'reseller', 'dealer', 'customer')),
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'deleted')),
    email TEXT,
    phone TEXT,
    depth BIGINT NOT NULL DEFAULT 0,
    -- The ids from the root down, e.g. /1/2/325/: a subtree is one range of this column.
    path __BYTES_TEXT__ NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX accounts_path ON accounts (path, name, kind, status);
CREATE INDEX accounts_parent ON accounts (parent_id, kind);
CREATE INDEX accounts_name ON accounts (name, id);
CREATE INDEX accounts_kind_name ON accounts (kind, name, id);
-- Exactly one operator: the root.
CREATE UNIQUE INDEX accounts_one_root ON accounts (kind) WHERE kind = 'operator';

-- The closure of the tree: one row per (ancestor, descendant), the account itself at depth 0.
CREATE TABLE account_closure (
    ancestor_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    descendant_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    depth BIGINT NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX account_closure_descendant ON account_closure (descendant_id, depth);

-- Counts of the accounts below each account by kind, kept in the same transaction as every
-- change of the tree, so dashboards and list totals never count a big subtree live.
CREATE TABLE account_rollup (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    direct BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, kind)
);

CREATE TABLE logins (
    id __PK__,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    dashboard_rights BIGINT NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);
CREATE INDEX logins_account ON logins (account_id);

-- Sessions: only a hash of the cookie's token is stored.
CREATE TABLE sessions (
    id __PK__,
    token_hash TEXT NOT NULL UNIQUE,
    login_id BIGINT NOT NULL REFERENCES logins(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    acting_as_account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    acting_since BIGINT,
    ip TEXT,
    user_agent TEXT,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_login ON sessions (login_id);
CREATE INDEX sessions_acting ON sessions (acting_as_account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id __PK__,
    login_id BIGINT NOT NULL REFERENCES logins(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_login ON api_tokens (login_id);

-- Failed sign-ins, counted per key ("email:…" or "ip:…") so every instance sees the same count.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id __PK__,
    at BIGINT NOT NULL,
    login_id BIGINT,
    login_email TEXT,
    home_account_id BIGINT,
    acting_as_account_id BIGINT,
    subject_account_id BIGINT,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    ip TEXT,
    request_id TEXT,
    detail TEXT
);
CREATE INDEX audit_log_subject ON audit_log (subject_account_id, at);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_login ON audit_log (login_id);
CREATE INDEX audit_log_acting ON audit_log (acting_as_account_id);

-- Background jobs, claimed with a lease so two instances never run one job at once.
CREATE TABLE jobs (
    id __PK__,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 8,
    lease_until BIGINT,
    lease_owner TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

-- Every notification is stored here first, then delivered by a job.
CREATE TABLE outbox (
    id __PK__,
    channel TEXT NOT NULL DEFAULT 'email',
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    template TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'logged')),
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_status ON outbox (status);
