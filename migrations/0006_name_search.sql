-- Name search that keeps up. `name_folded` is the name in lower case as Rust folds it
-- (beyond ASCII: "École" -> "école"), written with the name in the same statement, so both
-- databases search the same text. `tenant_id` is the account directly below the operator that
-- heads the account's tree (the account itself at depth 1, NULL for the operator).
ALTER TABLE accounts ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN tenant_id BIGINT;
-- A page of direct children by name walks this index (no sort of all children).
CREATE INDEX accounts_parent_name ON accounts (parent_id, name, id);
-- A search inside one tree walks its accounts by name, testing the folded name in the index.
CREATE INDEX accounts_tenant_name ON accounts (tenant_id, name, id, name_folded);
-- The same for the operator's view (every account).
DROP INDEX accounts_name;
CREATE INDEX accounts_name ON accounts (name, id, name_folded);
-- The trigram index of the folded names (SQLite: FTS5 trigram; PostgreSQL: pg_trgm).
__NAME_SEARCH_INDEX__
