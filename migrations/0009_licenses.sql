-- Licenses (PRODUCT.md §6): a holder account, the account above that issued it, a start, an
-- optional end, seats for login and agent licenses, what it is bound to. `holder_path` is the
-- holder's path (accounts.path) so the licenses of a subtree are one range of an index.
CREATE TABLE licenses (
    id __PK__,
    tenant_id BIGINT,
    license_type TEXT NOT NULL CHECK (license_type IN ('development', 'partner', 'agent', 'login', 'player')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'inactive', 'expired')),
    holder_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    holder_path __BYTES_TEXT__ NOT NULL,
    issuer_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- A partner license: the partner account it created.
    bound_account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    -- Free text of what it is bound to where no account is (a player, a machine).
    bound_to TEXT NOT NULL DEFAULT '',
    seats BIGINT CHECK (seats IS NULL OR seats >= 0),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT,
    reminded_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX licenses_holder ON licenses (holder_id, license_type, state);
CREATE INDEX licenses_subtree ON licenses (license_type, state, holder_path, id);
CREATE INDEX licenses_path ON licenses (holder_path, id);
CREATE INDEX licenses_due ON licenses (state, ends_at);
CREATE INDEX licenses_tenant ON licenses (tenant_id, id);
CREATE INDEX licenses_issuer ON licenses (issuer_id);
CREATE INDEX licenses_bound ON licenses (bound_account_id);

-- Counts of the licenses held in each account's subtree (itself included) by type and state,
-- kept in the same transaction as every change, so totals cost the same at any size.
CREATE TABLE license_totals (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    license_type TEXT NOT NULL,
    state TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, license_type, state)
);

-- What a package allows per license type, anywhere below the partner holding it.
CREATE TABLE package_license_limits (
    package_id BIGINT NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
    license_type TEXT NOT NULL CHECK (license_type IN ('development', 'partner', 'agent', 'login', 'player')),
    max_licenses BIGINT CHECK (max_licenses IS NULL OR max_licenses >= 0),
    max_seats BIGINT CHECK (max_seats IS NULL OR max_seats >= 0),
    PRIMARY KEY (package_id, license_type)
);
