-- Video clips (issue 14): a clip may be an uploaded MP4 or WebM video besides a slide or an
-- image. Its type, size and when it was stored sit on the clip (`video_stored_at` tells one
-- stored video from the next: the ETag of its link); its bytes are kept in the database in
-- pieces of at most 1 MiB (clip_video_chunks, `seq` from 0), so every instance sharing the
-- database serves them and a range request reads only the pieces it needs.
--
-- The kinds allowed are a CHECK of `clips.kind`. PostgreSQL changes it in place; SQLite cannot
-- change a CHECK, so there the table is built anew under its name, with the two tables that
-- refer to it (clip_shares, playlist_items), their rows, ids, id sequences and indexes as they
-- were. The old tables are dropped children first, so no ON DELETE CASCADE fires.

--@ postgres
ALTER TABLE clips DROP CONSTRAINT clips_kind_check;
ALTER TABLE clips ADD CONSTRAINT clips_kind_check CHECK (kind IN ('slide', 'image', 'video'));
ALTER TABLE clips ADD COLUMN video_type TEXT NOT NULL DEFAULT '';
ALTER TABLE clips ADD COLUMN video_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clips ADD COLUMN video_stored_at BIGINT NOT NULL DEFAULT 0;

--@ sqlite
CREATE TABLE clips_new (
    id __PK__,
    tenant_id BIGINT,
    owner_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    owner_path __BYTES_TEXT__ NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('slide', 'image', 'video')),
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    background TEXT NOT NULL DEFAULT '#1d3557',
    duration_s BIGINT NOT NULL CHECK (duration_s > 0),
    image __BLOB__,
    image_type TEXT NOT NULL DEFAULT '',
    image_bytes BIGINT NOT NULL DEFAULT 0,
    share_all BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    video_type TEXT NOT NULL DEFAULT '',
    video_bytes BIGINT NOT NULL DEFAULT 0,
    video_stored_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO clips_new (id, tenant_id, owner_id, owner_path, kind, title, body, background,
    duration_s, image, image_type, image_bytes, share_all, created_at, updated_at)
SELECT id, tenant_id, owner_id, owner_path, kind, title, body, background,
    duration_s, image, image_type, image_bytes, share_all, created_at, updated_at FROM clips;
CREATE TABLE clip_shares_new (
    clip_id BIGINT NOT NULL REFERENCES clips_new(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (clip_id, account_id)
);
INSERT INTO clip_shares_new (clip_id, account_id) SELECT clip_id, account_id FROM clip_shares;
CREATE TABLE playlist_items_new (
    id __PK__,
    playlist_id BIGINT NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    clip_id BIGINT NOT NULL REFERENCES clips_new(id) ON DELETE CASCADE,
    duration_s BIGINT NOT NULL CHECK (duration_s > 0)
);
INSERT INTO playlist_items_new (id, playlist_id, position, clip_id, duration_s)
SELECT id, playlist_id, position, clip_id, duration_s FROM playlist_items;
-- Ids are never given twice: the new tables go on from where the old ones' sequences were.
DELETE FROM sqlite_sequence WHERE name IN ('clips_new', 'playlist_items_new');
INSERT INTO sqlite_sequence (name, seq) SELECT 'clips_new', seq FROM sqlite_sequence WHERE name = 'clips';
INSERT INTO sqlite_sequence (name, seq) SELECT 'playlist_items_new', seq FROM sqlite_sequence WHERE name = 'playlist_items';
DROP TABLE playlist_items;
DROP TABLE clip_shares;
DROP TABLE clips;
ALTER TABLE clips_new RENAME TO clips;
ALTER TABLE clip_shares_new RENAME TO clip_shares;
ALTER TABLE playlist_items_new RENAME TO playlist_items;
CREATE INDEX clips_owner ON clips (owner_id, id);
CREATE INDEX clips_path ON clips (owner_path, id);
CREATE INDEX clips_tenant ON clips (tenant_id, id);
CREATE INDEX clip_shares_account ON clip_shares (account_id);
CREATE UNIQUE INDEX playlist_items_order ON playlist_items (playlist_id, position);
CREATE INDEX playlist_items_clip ON playlist_items (clip_id);

--@ both
CREATE TABLE clip_video_chunks (
    clip_id BIGINT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    data __BLOB__ NOT NULL,
    PRIMARY KEY (clip_id, seq)
);
