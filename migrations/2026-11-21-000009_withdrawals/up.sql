-- Tombstones also for withdrawals: an item that leaves a role's view (a document archived, an
-- event cancelled or back to draft, an item moved from public to members) is listed in that
-- role's `/changes`, as a deletion is, so that a mirror built with that role drops it. Each
-- tombstone names the roles that lost sight of the item; a role that sees it again is taken
-- off (its `updated_since=` then lists the item anew).

-- The roles that see an item with this status and audience.
CREATE FUNCTION relais_seen_by(status text, audience text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN status = 'published' AND audience = 'public' THEN '{public,member,admin}'::text[]
        WHEN status = 'published' THEN '{member,admin}'::text[]
        ELSE '{admin}'::text[] END;

ALTER TABLE deletions ADD COLUMN lost_by text[] NOT NULL DEFAULT '{public,member,admin}';
UPDATE deletions SET lost_by = relais_seen_by(status, audience);
ALTER TABLE deletions ALTER COLUMN lost_by DROP DEFAULT;
ALTER TABLE deletions DROP COLUMN audience, DROP COLUMN status;

-- Adds `roles` to the tombstone of an item (made when missing), dated now.
CREATE FUNCTION relais_tombstone(item uuid, collection text, slug text, roles text[])
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO deletions AS d (id, collection, slug, lost_by) VALUES (item, collection, slug, roles)
    ON CONFLICT (id) DO UPDATE SET slug = EXCLUDED.slug, deleted_at = EXCLUDED.deleted_at,
        lost_by = ARRAY(SELECT DISTINCT r FROM unnest(d.lost_by || EXCLUDED.lost_by) r ORDER BY r);
$$;

-- TG_ARGV[0]: the collection; TG_ARGV[1]: 'publication' when rows have audience and status.
CREATE OR REPLACE FUNCTION relais_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM relais_tombstone(OLD.id, TG_ARGV[0], OLD.slug,
        CASE WHEN TG_ARGV[1] = 'publication'
             THEN relais_seen_by(to_jsonb(OLD) ->> 'status', to_jsonb(OLD) ->> 'audience')
             ELSE '{public,member,admin}'::text[] END);
    RETURN OLD;
END
$$;

-- TG_ARGV[0]: the collection.
CREATE FUNCTION relais_record_withdrawal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before text[] := relais_seen_by(OLD.status, OLD.audience);
    after text[] := relais_seen_by(NEW.status, NEW.audience);
    lost text[] := ARRAY(SELECT unnest(before) EXCEPT SELECT unnest(after));
    gained text[] := ARRAY(SELECT unnest(after) EXCEPT SELECT unnest(before));
BEGIN
    IF cardinality(lost) > 0 THEN
        PERFORM relais_tombstone(NEW.id, TG_ARGV[0], NEW.slug, lost);
    END IF;
    IF cardinality(gained) > 0 THEN
        UPDATE deletions SET lost_by = ARRAY(SELECT r FROM unnest(lost_by) r
                                            WHERE r <> ALL (gained) ORDER BY r)
        WHERE id = NEW.id;
        DELETE FROM deletions WHERE id = NEW.id AND lost_by = '{}';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_withdrawal AFTER UPDATE OF status, audience ON events FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.audience IS DISTINCT FROM NEW.audience)
    EXECUTE FUNCTION relais_record_withdrawal('events');
CREATE TRIGGER trainings_withdrawal AFTER UPDATE OF status, audience ON trainings FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.audience IS DISTINCT FROM NEW.audience)
    EXECUTE FUNCTION relais_record_withdrawal('trainings');
CREATE TRIGGER documents_withdrawal AFTER UPDATE OF status, audience ON documents FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.audience IS DISTINCT FROM NEW.audience)
    EXECUTE FUNCTION relais_record_withdrawal('documents');
