-- Customers (PRODUCT.md §7, seed 004) are accounts of kind customer; what is new here is the
-- rebrand information a partner, a reseller or a customer (and the operator, for everyone
-- without one) may carry: what its logins, and the logins below it without a brand of their own,
-- see in the page header, on the brand's own sign-in page and in their emails.
-- `sign_in_key` names the brand's sign-in link (/brand/{key}/login) and its logo's address;
-- `logo` holds the checked bytes (PNG, JPEG or a script-free SVG, at most 512 KiB), and
-- `logo_type` the type read from them.
CREATE TABLE brands (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    tenant_id BIGINT,
    sign_in_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    primary_color TEXT,
    accent_color TEXT,
    support_email TEXT,
    support_phone TEXT,
    support_url TEXT,
    footer TEXT,
    logo_type TEXT,
    logo __BLOB__,
    logo_size BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX brands_tenant ON brands (tenant_id);

-- The sender name of a mail, taken from the recipient's brand when it was queued.
ALTER TABLE outbox ADD COLUMN sender_name TEXT;

-- A partner's customers listed by when they were added, without sorting them all.
CREATE INDEX accounts_parent_kind_created ON accounts (parent_id, kind, created_at, id);
