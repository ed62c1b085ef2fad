-- Newsroom's content model. Twinned with migrations/sqlite/0001_init.sql: same tables, same columns.
-- Timestamps are UTC. `live_at` columns copy a post's published_at while it is published (NULL otherwise)
-- so archives read one index range instead of sorting every post of a term or author.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    slug          TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    email         TEXT NOT NULL,
    url           TEXT NOT NULL DEFAULT '',
    bio           TEXT NOT NULL DEFAULT '',
    avatar_url    TEXT,
    role          TEXT NOT NULL DEFAULT 'author',
    password_hash TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE terms (
    id          BIGSERIAL PRIMARY KEY,
    taxonomy    TEXT NOT NULL,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    parent_id   BIGINT REFERENCES terms(id) ON DELETE SET NULL,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (taxonomy, slug)
);

CREATE TABLE posts (
    id                 BIGSERIAL PRIMARY KEY,
    kind               TEXT NOT NULL DEFAULT 'post',
    title              TEXT NOT NULL,
    slug               TEXT NOT NULL,
    body_source        TEXT NOT NULL,
    body_format        TEXT NOT NULL DEFAULT 'markdown',
    body_html          TEXT NOT NULL,
    excerpt            TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'draft',
    published_at       TIMESTAMPTZ,
    modified_at        TIMESTAMPTZ NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    sticky             BOOLEAN NOT NULL DEFAULT FALSE,
    comment_status     TEXT NOT NULL DEFAULT 'open',
    source_name        TEXT NOT NULL DEFAULT '',
    source_url         TEXT NOT NULL DEFAULT '',
    featured_image_url TEXT NOT NULL DEFAULT '',
    featured_image_alt TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, slug)
);
CREATE INDEX posts_listing ON posts (kind, status, sticky, published_at);
CREATE INDEX posts_by_date ON posts (kind, status, published_at);

CREATE TABLE post_authors (
    post_id  BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    position BIGINT NOT NULL DEFAULT 0,
    live_at  TIMESTAMPTZ,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX post_authors_archive ON post_authors (user_id, live_at);

CREATE TABLE post_terms (
    post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    term_id BIGINT NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
    live_at TIMESTAMPTZ,
    PRIMARY KEY (post_id, term_id)
);
CREATE INDEX post_terms_archive ON post_terms (term_id, live_at);

CREATE TABLE old_slugs (
    slug    TEXT NOT NULL,
    post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    PRIMARY KEY (slug, post_id)
);

CREATE TABLE comments (
    id           BIGSERIAL PRIMARY KEY,
    post_id      BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    parent_id    BIGINT REFERENCES comments(id) ON DELETE SET NULL,
    user_id      BIGINT REFERENCES users(id) ON DELETE SET NULL,
    author_name  TEXT NOT NULL,
    author_email TEXT NOT NULL DEFAULT '',
    author_url   TEXT NOT NULL DEFAULT '',
    author_ip    TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    content      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    reason       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX comments_thread ON comments (post_id, status, created_at);
CREATE INDEX comments_by_email ON comments (author_email, status);
CREATE INDEX comments_by_ip ON comments (author_ip, created_at);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE changes (
    id        BIGSERIAL PRIMARY KEY,
    entity    TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    action    TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL
);
