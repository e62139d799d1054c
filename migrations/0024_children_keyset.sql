-- Pages of an account's children found through an index for every sort the list offers, so a
-- deep page (by cursor: the rows after the last one's sort value and id) reads one page of
-- index entries instead of every row before it. By name: accounts_parent_name (0006).
CREATE INDEX accounts_parent_created ON accounts (parent_id, created_at, id);
CREATE INDEX accounts_parent_status ON accounts (parent_id, status, id);
-- By kind: the index of (parent_id, kind) gains the id that breaks ties (PostgreSQL's indexes
-- do not carry it as SQLite's rowid does).
DROP INDEX accounts_parent;
CREATE INDEX accounts_parent ON accounts (parent_id, kind, id);
