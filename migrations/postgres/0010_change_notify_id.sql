-- The notification names the newest change-log entry its statement appended, so a node that has
-- already applied that far (its own write, followed before it answered) need not read the log
-- again. One notification per appending statement (payloads that differ are not folded).
CREATE OR REPLACE FUNCTION newsroom_changes_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('newsroom_changes', (SELECT COALESCE(MAX(id), 0)::text FROM appended));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER changes_notify ON changes;
CREATE TRIGGER changes_notify AFTER INSERT ON changes REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_changes_notify();
