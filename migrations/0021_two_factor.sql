-- Two-factor sign-in (TOTP, RFC 6238). A login's secret is kept to check its codes; the last
-- accepted time step is kept so that a code is accepted once. Recovery codes are kept only as
-- hashes. A sign-in that passed the password and waits for its second step is a challenge,
-- kept only as a hash, for five minutes.
CREATE TABLE login_totp (
    login_id BIGINT PRIMARY KEY REFERENCES logins(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    enabled_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE TABLE login_recovery_codes (
    id __PK__,
    login_id BIGINT NOT NULL REFERENCES logins(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX login_recovery_codes_login ON login_recovery_codes (login_id);
CREATE TABLE sign_in_challenges (
    id __PK__,
    login_id BIGINT NOT NULL REFERENCES logins(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    ip TEXT,
    user_agent TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sign_in_challenges_expires ON sign_in_challenges (expires_at);
CREATE INDEX sign_in_challenges_login ON sign_in_challenges (login_id);
-- Who must use a second factor: the logins of an account whose role is listed, and, with
-- `below`, every login of the account and of every account under it. Set by the operator.
CREATE TABLE two_factor_policies (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    roles TEXT NOT NULL DEFAULT '',
    below INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
