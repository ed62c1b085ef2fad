-- The sitemap index groups live articles by month with their newest change: this index answers
-- it without reading the table's rows.
CREATE INDEX posts_sitemap ON posts (kind, status, published_at, modified_at);
