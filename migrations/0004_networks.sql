-- Reseller and dealer networks (PRODUCT.md §5).

-- The person to contact at an account (a dealer's contact in My dealers).
ALTER TABLE accounts ADD COLUMN contact_name TEXT;

-- Each partner's stance towards resellers (seed 001 "Reseller Network"): whether it serves them
-- (from the registration's "I do not want to provide services to resellers" at approval, changeable
-- later) and which contact details the partner directory shows them. A partner without a row
-- serves resellers and shows its account's email and phone.
CREATE TABLE reseller_settings (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    serves_resellers BIGINT NOT NULL DEFAULT 1,
    email TEXT NOT NULL DEFAULT '',
    show_email BIGINT NOT NULL DEFAULT 0,
    phone TEXT NOT NULL DEFAULT '',
    show_phone BIGINT NOT NULL DEFAULT 0,
    website TEXT NOT NULL DEFAULT '',
    show_website BIGINT NOT NULL DEFAULT 0,
    address TEXT NOT NULL DEFAULT '',
    show_address BIGINT NOT NULL DEFAULT 0,
    -- How the partner works with resellers; shown when not empty.
    note TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);
