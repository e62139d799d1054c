-- The licenses list filtered by type and state and sorted by end (the totals' tiles lead there),
-- walked in its order: licenses without an end last, as the list sorts them. The operator's page
-- reads its 50 rows here instead of sorting every match (83,000 at 1,000,000 licenses); a
-- partner's when its subtree holds enough of the matches to find a page soon (the list decides
-- from the counters).
CREATE INDEX licenses_by_end ON licenses (license_type, state, (CASE WHEN ends_at IS NULL THEN 1 ELSE 0 END), ends_at, id);
