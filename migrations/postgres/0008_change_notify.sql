-- Every statement that appends to the change log wakes the other nodes (LISTEN newsroom_changes),
-- so their page caches and search indexes follow within milliseconds instead of at the next poll.
-- NOTIFY is sent at commit and folded to one per transaction.
CREATE FUNCTION newsroom_changes_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('newsroom_changes', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER changes_notify AFTER INSERT ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION newsroom_changes_notify();
