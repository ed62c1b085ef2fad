-- The newsroom's admin: sign-in, sessions, throttling, password resets, two-factor, revisions,
-- corrections, who is editing what, and the activity log. Twinned with migrations/postgres/0003_admin.sql.

-- Emails are stored lowercased and sign people in, so one address is one account.
CREATE UNIQUE INDEX users_email ON users (email);
-- Base32 TOTP secret while two-factor sign-in is on (NULL when off) and the last time step used,
-- so one code cannot be replayed within its window.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- Who created an article (WordPress's post_author): "own" articles for the capability rules.
ALTER TABLE posts ADD COLUMN owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
-- Bumped by every save from an editor: a save made on an older version is refused (no silent overwrite).
ALTER TABLE posts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- The excerpt as the writer typed it ('' = made from the body).
ALTER TABLE posts ADD COLUMN custom_excerpt TEXT NOT NULL DEFAULT '';

-- A signed-in browser. The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed sign-ins (and reset requests) per account and per IP, shared by every node.
CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    scope   TEXT NOT NULL,
    subject TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts (scope, subject, at);

-- Single-use, expiring password reset links; only the token's SHA-256 is stored.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

-- Two-factor recovery codes, hashed, each good once.
CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- Every save of an article keeps a revision; an autosave keeps one row per article and writer.
CREATE TABLE revisions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id            INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id            INTEGER REFERENCES users(id) ON DELETE SET NULL,
    kind               TEXT NOT NULL DEFAULT 'revision',
    title              TEXT NOT NULL,
    body_source        TEXT NOT NULL,
    custom_excerpt     TEXT NOT NULL DEFAULT '',
    source_name        TEXT NOT NULL DEFAULT '',
    source_url         TEXT NOT NULL DEFAULT '',
    featured_image_url TEXT NOT NULL DEFAULT '',
    featured_image_alt TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL
);
CREATE INDEX revisions_post ON revisions (post_id, kind, created_at);

-- Dated correction notes shown above a published article's body.
CREATE TABLE corrections (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    note       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX corrections_post ON corrections (post_id, created_at);

-- Who has an article open in the editor, refreshed by a heartbeat.
CREATE TABLE presence (
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

-- What people did (published, edited, trashed, changed a role or a setting), for administrators.
CREATE TABLE activity (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    user_name   TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL DEFAULT '',
    object_id   INTEGER,
    summary     TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX activity_at ON activity (at);

-- The moderation queue lists comments by status, newest first, and counts them for the menu badge.
CREATE INDEX comments_status ON comments (status, created_at);

-- The admin's article list: newest first by publication (or last change, for drafts) and "Mine",
-- without sorting or scanning every article.
CREATE INDEX posts_admin_date ON posts (kind, (COALESCE(published_at, modified_at)));
CREATE INDEX posts_owner ON posts (owner_id);
