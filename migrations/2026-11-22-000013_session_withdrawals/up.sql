-- A training's sessions are seen by whoever sees the training. So they follow it in the
-- tombstones: when a training leaves a role's view, its sessions do too; when it comes back,
-- their tombstones lose that role and their `updated_at` moves, so that `updated_since=` lists
-- them again. A deleted session's tombstone names the roles that saw its training, not every
-- role: the public never learns the ids of sessions of a draft.

CREATE OR REPLACE FUNCTION relais_record_withdrawal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before text[] := relais_seen_by(OLD.status, OLD.audience);
    after text[] := relais_seen_by(NEW.status, NEW.audience);
    lost text[] := ARRAY(SELECT unnest(before) EXCEPT SELECT unnest(after));
    gained text[] := ARRAY(SELECT unnest(after) EXCEPT SELECT unnest(before));
    item record;
BEGIN
    FOR item IN
        SELECT NEW.id AS id, TG_ARGV[0] AS collection, NEW.slug AS slug
        UNION ALL
        SELECT s.id, 'sessions', s.slug FROM training_sessions s
        WHERE TG_ARGV[0] = 'trainings' AND s.training_id = NEW.id
    LOOP
        IF cardinality(lost) > 0 THEN
            PERFORM relais_tombstone(item.id, item.collection, item.slug, lost);
        END IF;
        IF cardinality(gained) > 0 THEN
            UPDATE deletions SET lost_by = ARRAY(SELECT r FROM unnest(lost_by) r
                                                WHERE r <> ALL (gained) ORDER BY r)
            WHERE id = item.id;
            DELETE FROM deletions WHERE id = item.id AND lost_by = '{}';
        END IF;
    END LOOP;
    IF TG_ARGV[0] = 'trainings' AND cardinality(gained) > 0 THEN
        UPDATE training_sessions SET updated_at = now() WHERE training_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

-- TG_ARGV[0]: the collection; TG_ARGV[1]: 'publication' when rows have audience and status,
-- 'training' for sessions, seen as their training is.
CREATE OR REPLACE FUNCTION relais_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    roles text[] := CASE TG_ARGV[1]
        WHEN 'publication'
            THEN relais_seen_by(to_jsonb(OLD) ->> 'status', to_jsonb(OLD) ->> 'audience')
        WHEN 'training'
            -- Deleted with its training (a cascade), the training is gone already: its
            -- sessions' tombstones were written before it went (relais_record_sessions_deletion).
            THEN coalesce((SELECT relais_seen_by(t.status, t.audience) FROM trainings t
                           WHERE t.id = (to_jsonb(OLD) ->> 'training_id')::uuid), '{}')
        ELSE '{public,member,admin}'::text[] END;
BEGIN
    IF cardinality(roles) > 0 THEN
        PERFORM relais_tombstone(OLD.id, TG_ARGV[0], OLD.slug, roles);
    END IF;
    RETURN OLD;
END
$$;

-- Before a training goes, the tombstones of its sessions, for the roles that saw it.
CREATE FUNCTION relais_record_sessions_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM relais_tombstone(s.id, 'sessions', s.slug, relais_seen_by(OLD.status, OLD.audience))
    FROM training_sessions s WHERE s.training_id = OLD.id;
    RETURN OLD;
END
$$;

CREATE TRIGGER trainings_sessions_deletion BEFORE DELETE ON trainings
    FOR EACH ROW EXECUTE FUNCTION relais_record_sessions_deletion();
DROP TRIGGER training_sessions_deletion ON training_sessions;
CREATE TRIGGER training_sessions_deletion AFTER DELETE ON training_sessions
    FOR EACH ROW EXECUTE FUNCTION relais_record_deletion('sessions', 'training');
