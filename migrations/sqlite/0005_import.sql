-- Moving in from WordPress. Twinned with migrations/postgres/0005_import.sql.

-- Which local row each WordPress id became, per source site (its base URL), so that running the
-- same import again finds everything already there and changes nothing.
CREATE TABLE imported (
    source   TEXT NOT NULL,
    kind     TEXT NOT NULL,
    wp_id    INTEGER NOT NULL,
    local_id INTEGER NOT NULL,
    PRIMARY KEY (source, kind, wp_id)
);

-- Old addresses of imported articles (WordPress link paths) that are not their path here: they
-- answer with a 301 to the article.
CREATE TABLE redirects (
    path    TEXT PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE
);
CREATE INDEX redirects_post ON redirects (post_id);

-- WordPress's post password: the text is shown only to a reader who types it ('' = none).
ALTER TABLE posts ADD COLUMN password TEXT NOT NULL DEFAULT '';
