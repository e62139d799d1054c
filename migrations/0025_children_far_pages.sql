-- A far page number of an account's children (page 800 of 1,632) skips the rows before it in
-- an index that holds all the skip needs: the sort key, the id, the status that hides deleted
-- accounts and, by name, the kind a filter may ask for. The skipped accounts' rows are not
-- read; the page's rows are then read by id.
DROP INDEX accounts_parent_name;
CREATE INDEX accounts_parent_name ON accounts (parent_id, name, id, status, kind);
DROP INDEX accounts_parent_created;
CREATE INDEX accounts_parent_created ON accounts (parent_id, created_at, id, status);
DROP INDEX accounts_parent;
CREATE INDEX accounts_parent ON accounts (parent_id, kind, id, status);
