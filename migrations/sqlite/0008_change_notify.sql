-- PostgreSQL's twin adds a NOTIFY trigger on the change log; one SQLite file has one process
-- writing and the nodes poll it, so there is nothing to add here.
SELECT 1;
