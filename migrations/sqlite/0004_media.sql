-- Pictures: the media library. Twinned with migrations/postgres/0004_media.sql.
-- Files live in the media store (by content hash); a row keeps what the newsroom writes about a
-- picture and the keys of its re-encoded original and derived sizes.
CREATE TABLE media (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    -- SHA-256 of the bytes as uploaded: the same picture uploaded twice is one item.
    source_hash    TEXT NOT NULL UNIQUE,
    owner_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    title          TEXT NOT NULL DEFAULT '',
    alt            TEXT NOT NULL DEFAULT '',
    caption        TEXT NOT NULL DEFAULT '',
    credit         TEXT NOT NULL DEFAULT '',
    -- The format it came in: jpeg, png, webp or gif.
    source_format  TEXT NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    -- Store key and size of the re-encoded original (metadata stripped, orientation applied).
    original_key   TEXT NOT NULL,
    original_bytes INTEGER NOT NULL,
    -- Derived sizes: [{width, height, format, key, bytes}], JSON.
    variants       TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX media_created ON media (created_at);
CREATE INDEX media_owner ON media (owner_id);

-- Which articles use which pictures (featured or in the text), for "where is it used".
CREATE TABLE post_media (
    post_id  INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, media_id)
);
CREATE INDEX post_media_media ON post_media (media_id);

ALTER TABLE posts ADD COLUMN featured_media_id INTEGER REFERENCES media(id) ON DELETE SET NULL;
