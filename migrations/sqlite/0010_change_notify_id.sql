-- PostgreSQL's twin makes the change log's notification name the newest entry; SQLite has no
-- notifications (see 0008), so there is nothing to change here.
SELECT 1;
