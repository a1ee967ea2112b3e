DROP VIEW contributions;
DROP INDEX documents_contributions_idx, events_contributions_idx, events_queue_idx,
    events_submitted_by_idx;
UPDATE events SET status = 'draft' WHERE status IN ('submitted', 'rejected');
ALTER TABLE events
    DROP CONSTRAINT events_rejection_check,
    DROP COLUMN rejection_reason, DROP COLUMN decided_at, DROP COLUMN submitted_at,
    DROP COLUMN submitted_by,
    DROP CONSTRAINT events_status_check,
    ADD CONSTRAINT events_status_check CHECK (status IN ('draft', 'published', 'cancelled'));
CREATE OR REPLACE FUNCTION relais_register(target_event uuid, target_session uuid, member uuid,
    OUT outcome text, OUT registration_id uuid) LANGUAGE plpgsql AS $$
DECLARE
    item record;
    places integer;
    held integer;
BEGIN
    IF target_event IS NOT NULL THEN
        SELECT e.status, e.registration AS takes, e.starts_at, e.registration_opens_at AS opens,
               e.registration_closes_at AS closes
            INTO item FROM events e WHERE e.id = target_event FOR NO KEY UPDATE;
    ELSE
        SELECT CASE WHEN s.status = 'cancelled' THEN 'cancelled' ELSE t.status END AS status,
               s.registration AS takes, s.starts_at, s.registration_opens_at AS opens,
               s.registration_closes_at AS closes
            INTO item FROM training_sessions s JOIN trainings t ON t.id = s.training_id
            WHERE s.id = target_session FOR NO KEY UPDATE OF s;
    END IF;
    IF NOT FOUND THEN
        outcome := 'missing';
        RETURN;
    END IF;
    outcome := CASE
        WHEN item.status = 'draft' THEN 'draft'
        WHEN item.status = 'cancelled' THEN 'cancelled'
        WHEN item.takes = 'none' THEN 'no_registration'
        WHEN item.starts_at <= now() THEN 'started'
        WHEN item.opens > now() THEN 'not_yet_open'
        WHEN item.closes <= now() THEN 'closed'
    END;
    IF outcome IS NOT NULL THEN
        RETURN;
    END IF;
    SELECT r.id INTO registration_id FROM registrations r
        WHERE r.item_id = coalesce(target_event, target_session) AND r.user_id = member
          AND r.status <> 'cancelled';
    IF registration_id IS NOT NULL THEN
        outcome := 'exists';
        RETURN;
    END IF;
    -- The waitlist goes first: after this, a free place means nobody waits.
    PERFORM relais_fill_places(target_event, target_session);
    IF target_event IS NOT NULL THEN
        SELECT e.capacity, e.held_places INTO places, held FROM events e WHERE e.id = target_event;
    ELSE
        SELECT s.capacity, s.held_places INTO places, held
            FROM training_sessions s WHERE s.id = target_session;
    END IF;
    INSERT INTO registrations (event_id, session_id, user_id, status)
        VALUES (target_event, target_session, member,
                CASE WHEN places IS NULL OR held < places THEN 'confirmed' ELSE 'waitlisted' END)
        RETURNING id INTO registration_id;
    outcome := 'created';
END
$$;
