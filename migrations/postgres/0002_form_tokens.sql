-- Comment-form tokens already used: a second submission of the same form is a replay.
-- Twinned with migrations/sqlite/0002_form_tokens.sql.
CREATE TABLE used_form_tokens (
    token   TEXT PRIMARY KEY,
    used_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX used_form_tokens_age ON used_form_tokens (used_at);
