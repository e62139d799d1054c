-- Sites and probes (PRODUCT.md §7, seed 004): a customer account has sites (name, address, time
-- zone, notes); a probe is a monitoring agent installed at a site. A site hands out enrollment
-- codes (single use, expiring, revocable, kept as a hash); a probe that presents one registers
-- and gets a probe token of its own (kept as a hash) with which it checks in. Times are integer
-- milliseconds. `name_folded` and `address_folded` are lower-cased (in Rust, beyond ASCII), for
-- search and sort.
CREATE TABLE sites (
    id __PK__,
    tenant_id BIGINT,
    customer_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    address_folded TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX sites_customer_name ON sites (customer_id, name_folded);
CREATE INDEX sites_customer_created ON sites (customer_id, created_at, id);
CREATE INDEX sites_tenant ON sites (tenant_id, id);

-- How often the probes of a customer check in, and when a probe reads late and offline
-- (seconds since its last check-in). No row: the defaults (60, 180, 600).
CREATE TABLE probe_settings (
    customer_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    interval_seconds BIGINT NOT NULL,
    late_after_seconds BIGINT NOT NULL,
    offline_after_seconds BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A probe: where it is (site, and its customer), what it said when it registered or last
-- wrote a check-in, and its token's hash. `enabled` = 0: disabled, its token stops working.
-- `last_seen_at` is written at most once per check-in interval, whatever the probe sends.
CREATE TABLE probes (
    id __PK__,
    tenant_id BIGINT,
    customer_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    host TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL,
    token_prefix TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    last_seen_at BIGINT,
    enrolled_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX probes_token ON probes (token_hash);
CREATE INDEX probes_site ON probes (site_id, name, id);
CREATE INDEX probes_customer ON probes (customer_id, last_seen_at);
CREATE INDEX probes_tenant ON probes (tenant_id, id);

-- Enrollment codes of a site: only a hash of the code is kept, with its prefix to tell them
-- apart. Used once (`used_at`, and the probe it made), expiring, revocable.
CREATE TABLE probe_enrollments (
    id __PK__,
    site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    code_prefix TEXT NOT NULL,
    created_by_login_id BIGINT REFERENCES logins(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    probe_id BIGINT REFERENCES probes(id) ON DELETE SET NULL,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX probe_enrollments_code ON probe_enrollments (code_hash);
CREATE INDEX probe_enrollments_site ON probe_enrollments (site_id, created_at);
CREATE INDEX probe_enrollments_customer ON probe_enrollments (customer_id);
CREATE INDEX probe_enrollments_login ON probe_enrollments (created_by_login_id);
CREATE INDEX probe_enrollments_probe ON probe_enrollments (probe_id);
