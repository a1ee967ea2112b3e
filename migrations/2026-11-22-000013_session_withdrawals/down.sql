DROP TRIGGER training_sessions_deletion ON training_sessions;
CREATE TRIGGER training_sessions_deletion AFTER DELETE ON training_sessions
    FOR EACH ROW EXECUTE FUNCTION relais_record_deletion('sessions', 'always');
DROP TRIGGER trainings_sessions_deletion ON trainings;
DROP FUNCTION relais_record_sessions_deletion();

CREATE OR REPLACE FUNCTION relais_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM relais_tombstone(OLD.id, TG_ARGV[0], OLD.slug,
        CASE WHEN TG_ARGV[1] = 'publication'
             THEN relais_seen_by(to_jsonb(OLD) ->> 'status', to_jsonb(OLD) ->> 'audience')
             ELSE '{public,member,admin}'::text[] END);
    RETURN OLD;
END
$$;

CREATE OR REPLACE FUNCTION relais_record_withdrawal() RETURNS trigger LANGUAGE plpgsql AS $$
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
