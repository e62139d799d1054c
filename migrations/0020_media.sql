-- Media players, playlists and clips (PRODUCT.md §8, seed 000). Times are integer milliseconds.
-- `owner_path` is the owner's path (accounts.path), so the players of a subtree are one range of
-- an index.

-- The operator's catalogue of player models. A player ID printed on a device starts with its
-- model's prefix (how the panel recognises a device); a model no longer supported stays listed
-- (its players keep working) but is not offered for new players.
CREATE TABLE player_models (
    id __PK__,
    name TEXT NOT NULL,
    id_prefix TEXT NOT NULL,
    compatible BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX player_models_name ON player_models (name);
CREATE UNIQUE INDEX player_models_prefix ON player_models (id_prefix);

-- Content: a slide composed in the panel (title, text, background) or an uploaded image.
-- `share_all` = 1: every account below the owner sees it; otherwise those in clip_shares.
CREATE TABLE clips (
    id __PK__,
    tenant_id BIGINT,
    owner_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    owner_path __BYTES_TEXT__ NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('slide', 'image')),
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    background TEXT NOT NULL DEFAULT '#1d3557',
    duration_s BIGINT NOT NULL CHECK (duration_s > 0),
    image __BLOB__,
    image_type TEXT NOT NULL DEFAULT '',
    image_bytes BIGINT NOT NULL DEFAULT 0,
    share_all BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX clips_owner ON clips (owner_id, id);
CREATE INDEX clips_path ON clips (owner_path, id);
CREATE INDEX clips_tenant ON clips (tenant_id, id);

CREATE TABLE clip_shares (
    clip_id BIGINT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (clip_id, account_id)
);
CREATE INDEX clip_shares_account ON clip_shares (account_id);

-- A playlist belongs to an account; every edit bumps `version`.
CREATE TABLE playlists (
    id __PK__,
    tenant_id BIGINT,
    owner_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    owner_path __BYTES_TEXT__ NOT NULL,
    name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX playlists_owner ON playlists (owner_id, name);
CREATE INDEX playlists_path ON playlists (owner_path, id);
CREATE INDEX playlists_tenant ON playlists (tenant_id, id);

CREATE TABLE playlist_items (
    id __PK__,
    playlist_id BIGINT NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    clip_id BIGINT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    duration_s BIGINT NOT NULL CHECK (duration_s > 0)
);
CREATE UNIQUE INDEX playlist_items_order ON playlist_items (playlist_id, position);
CREATE INDEX playlist_items_clip ON playlist_items (clip_id);

-- A media player. `player_code` is the player ID printed on the device, `mac` its MAC address
-- (AA:BB:CC:DD:EE:FF); either may be unknown until the device registers. A player of a dealer
-- or customer needs an active player license (`license_id`) before it gets content
-- (`needs_license`); a partner's own player, connected by the operator, does not. `clone_of`:
-- the client's player whose content this one shows. `config_rev` counts changes of what the
-- player is told (playlist, clone, settings): with the playlist's version it makes the ETag.
-- Only the hash of the device token is kept.
CREATE TABLE players (
    id __PK__,
    tenant_id BIGINT,
    owner_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    owner_path __BYTES_TEXT__ NOT NULL,
    model_id BIGINT NOT NULL REFERENCES player_models(id),
    player_code TEXT,
    mac TEXT,
    name TEXT NOT NULL,
    playlist_id BIGINT REFERENCES playlists(id) ON DELETE SET NULL,
    clone_of BIGINT REFERENCES players(id) ON DELETE SET NULL,
    orientation TEXT NOT NULL DEFAULT 'landscape' CHECK (orientation IN ('landscape', 'portrait')),
    volume BIGINT NOT NULL DEFAULT 50 CHECK (volume >= 0 AND volume <= 100),
    poll_interval_s BIGINT NOT NULL DEFAULT 60 CHECK (poll_interval_s >= 5),
    needs_license BIGINT NOT NULL DEFAULT 1,
    license_id BIGINT REFERENCES licenses(id) ON DELETE SET NULL,
    added_by_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    config_rev BIGINT NOT NULL DEFAULT 1,
    token_hash TEXT,
    token_issued_at BIGINT,
    last_seen_at BIGINT,
    -- What the device last reported it shows (its version), and when.
    reported_version TEXT NOT NULL DEFAULT '',
    reported_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX players_code ON players (player_code);
CREATE UNIQUE INDEX players_mac ON players (mac);
CREATE UNIQUE INDEX players_token ON players (token_hash);
CREATE INDEX players_path ON players (owner_path, name, id);
CREATE INDEX players_seen ON players (owner_path, last_seen_at);
CREATE INDEX players_owner ON players (owner_id, id);
CREATE INDEX players_model ON players (model_id);
CREATE INDEX players_playlist ON players (playlist_id);
CREATE INDEX players_clone ON players (clone_of);
CREATE INDEX players_license ON players (license_id);
CREATE INDEX players_added_by ON players (added_by_id);
CREATE INDEX players_tenant ON players (tenant_id, id);

-- What the panel tells the operator about players (added by a partner, disconnected).
CREATE TABLE player_notifications (
    id __PK__,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    player_id BIGINT,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX player_notifications_account ON player_notifications (account_id, id);
