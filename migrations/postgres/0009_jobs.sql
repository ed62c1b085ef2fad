-- Background jobs that one node of many runs at a time (scheduled backups): who claimed the
-- latest run, when, and how it ended. Twinned with migrations/sqlite/0009_jobs.sql.

CREATE TABLE jobs (
    name        TEXT PRIMARY KEY,
    started_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    outcome     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
