-- The login's time zone (an IANA name such as Europe/Amsterdam): pages show times in it.
-- NULL until set on My profile, or taken from the browser at sign-in.
ALTER TABLE logins ADD COLUMN time_zone TEXT;
