-- Application passwords for the REST API (HTTP Basic), as WordPress has them. Twinned with
-- migrations/sqlite/0006_app_passwords.sql.
-- Only the SHA-256 of each password is kept: it is 24 random characters (about 140 bits), so a
-- fast hash cannot be searched, and it lets every API call be checked without a slow hash.
CREATE TABLE app_passwords (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    last_ip      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX app_passwords_user ON app_passwords (user_id);
