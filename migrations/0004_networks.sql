-- Reseller and dealer networks (PRODUCT.md §5).

-- The person to contact at an account (a dealer's contact in My dealers).
ALTER TABLE accounts ADD COLUMN contact_name TEXT;
