-- Forgot password: single-use reset links. Only a hash of the link's token is stored; a link
-- ends when used, after 30 minutes, or with its login.
CREATE TABLE password_resets (
    id __PK__,
    login_id BIGINT NOT NULL REFERENCES logins(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    ip TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_login ON password_resets (login_id);
CREATE INDEX password_resets_expires ON password_resets (expires_at);
