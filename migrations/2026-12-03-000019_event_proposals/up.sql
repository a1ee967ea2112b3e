-- Proposed events: members propose events as they contribute documents. A proposal is
-- `submitted` (or a `draft`), seen by its proposer and administrators only, until an
-- administrator publishes it or rejects it with a reason.
ALTER TABLE events
    DROP CONSTRAINT events_status_check,
    ADD CONSTRAINT events_status_check
        CHECK (status IN ('draft', 'submitted', 'published', 'rejected', 'cancelled')),
    ADD COLUMN submitted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN submitted_at timestamptz,
    ADD COLUMN decided_at timestamptz,
    ADD COLUMN rejection_reason text,
    ADD CONSTRAINT events_rejection_check CHECK (status <> 'rejected' OR rejection_reason IS NOT NULL);
CREATE INDEX events_submitted_by_idx ON events (submitted_by) WHERE submitted_by IS NOT NULL;
CREATE INDEX events_queue_idx ON events (coalesce(submitted_at, 'infinity'::timestamptz), id)
    WHERE status = 'submitted';
-- Everything that went through moderation, in its order: the administrators' list.
CREATE INDEX events_contributions_idx ON events (coalesce(submitted_at, 'infinity'::timestamptz), id)
    WHERE submitted_at IS NOT NULL;
CREATE INDEX documents_contributions_idx
    ON documents (coalesce(submitted_at, 'infinity'::timestamptz), id) WHERE submitted_at IS NOT NULL;

-- Every contribution, whatever its collection, as `/me/contributions` and the moderation
-- queue list them: filters on the view reach each table's own indexes.
CREATE VIEW contributions AS
    SELECT 'documents'::text AS collection, id, slug, title, kind, centre_id, audience, status,
           submitted_by, author_ids, submitted_at, decided_at, rejection_reason, created_at,
           updated_at
        FROM documents
    UNION ALL
    SELECT 'events'::text, id, slug, title, kind, centre_id, audience, status,
           submitted_by, '{}'::uuid[], submitted_at, decided_at, rejection_reason, created_at,
           updated_at
        FROM events;

-- A proposal takes no registration until it is published: it answers as a draft does.
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
        WHEN item.status IN ('draft', 'submitted', 'rejected') THEN 'draft'
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
