-- Background jobs that one node of many runs at a time (scheduled backups): who claimed the
-- latest run, when, and how it ended. Twinned with migrations/postgres/0009_jobs.sql.

CREATE TABLE jobs (
    name        TEXT PRIMARY KEY,
    started_at  TEXT,
    finished_at TEXT,
    outcome     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
