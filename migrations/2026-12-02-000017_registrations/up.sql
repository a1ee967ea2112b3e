-- Registrations for events and training sessions. Places are held in the database: every
-- change of a registration first locks the row of its event or session, so that however many
-- requests and server processes there are, they take places one after the other; a counter on
-- that row (`held_places`, kept by a trigger) and a CHECK keep the confirmed and offered
-- registrations within `capacity`.

-- How an event or session takes registrations: `required` (through relais) or `none` (free
-- entry); how its waitlist moves up: `confirm` (a freed place is taken at once) or `offer` (it
-- is held `offer_hours` for the first waitlisted member, who accepts it or lets it pass on).
DO $$
DECLARE
    items text;
BEGIN
    FOREACH items IN ARRAY ARRAY['events', 'training_sessions'] LOOP
        EXECUTE format($f$
            ALTER TABLE %1$I
                ADD COLUMN registration text NOT NULL DEFAULT 'required'
                    CHECK (registration IN ('required', 'none')),
                ADD COLUMN waitlist_promotion text NOT NULL DEFAULT 'confirm'
                    CHECK (waitlist_promotion IN ('confirm', 'offer')),
                ADD COLUMN offer_hours integer NOT NULL DEFAULT 48
                    CHECK (offer_hours BETWEEN 1 AND 720),
                ADD COLUMN held_places integer NOT NULL DEFAULT 0,
                ADD CONSTRAINT %1$s_places_held_within_capacity
                    CHECK (capacity IS NULL OR held_places <= capacity)
        $f$, items);
    END LOOP;
END
$$;
ALTER TABLE training_sessions
    ADD COLUMN registration_opens_at timestamptz,
    ADD COLUMN registration_closes_at timestamptz;

-- The waitlist's order: first come, first served.
CREATE SEQUENCE registrations_queue;

CREATE TABLE registrations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id uuid REFERENCES events (id) ON DELETE CASCADE,
    session_id uuid REFERENCES training_sessions (id) ON DELETE CASCADE,
    -- The event or the session, whichever it is.
    item_id uuid NOT NULL GENERATED ALWAYS AS (coalesce(event_id, session_id)) STORED,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'offered', 'cancelled')),
    queued bigint NOT NULL DEFAULT nextval('registrations_queue'),
    -- Set when a place is offered; kept afterwards, as a record.
    offered_until timestamptz,
    -- Who or what ended it: the member, an admin, the member declining an offer, an offer
    -- left to lapse, the event or session cancelled.
    cancellation text CHECK (cancellation IN ('member', 'admin', 'declined', 'lapsed', 'cancelled_item')),
    attendance text CHECK (attendance IN ('attended', 'absent')),
    -- The moment it was made, within its transaction: the order of the queue.
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (num_nonnulls(event_id, session_id) = 1),
    CHECK (status <> 'offered' OR offered_until IS NOT NULL),
    CHECK ((status = 'cancelled') = (cancellation IS NOT NULL)),
    CHECK (attendance IS NULL OR status = 'confirmed')
);
-- One registration in force per member and event or session.
CREATE UNIQUE INDEX registrations_in_force_key ON registrations (item_id, user_id)
    WHERE status <> 'cancelled';
CREATE INDEX registrations_item_idx ON registrations (item_id, status, queued);
CREATE INDEX registrations_user_idx ON registrations (user_id, created_at, id);
CREATE INDEX registrations_offers_idx ON registrations (offered_until) WHERE status = 'offered';

-- `held_places` counts the confirmed and offered registrations of its row.
CREATE FUNCTION relais_count_held_places() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change integer := (CASE WHEN NEW.status IN ('confirmed', 'offered') THEN 1 ELSE 0 END)
                    - (CASE WHEN OLD.status IN ('confirmed', 'offered') THEN 1 ELSE 0 END);
BEGIN
    IF change <> 0 AND coalesce(NEW.event_id, OLD.event_id) IS NOT NULL THEN
        UPDATE events SET held_places = held_places + change, updated_at = now()
            WHERE id = coalesce(NEW.event_id, OLD.event_id);
    ELSIF change <> 0 THEN
        UPDATE training_sessions SET held_places = held_places + change, updated_at = now()
            WHERE id = coalesce(NEW.session_id, OLD.session_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER registrations_held_places AFTER INSERT OR DELETE OR UPDATE OF status ON registrations
    FOR EACH ROW EXECUTE FUNCTION relais_count_held_places();

-- Locks the event or session, passes on the offers that lapsed and gives the free places to
-- the waitlist, first come first served: confirmed or offered, as the item says. Every
-- change of registrations calls it, or locks the item first as it does: item before
-- registrations, so that two changes never wait on each other in a circle.
CREATE FUNCTION relais_fill_places(target_event uuid, target_session uuid) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    item uuid := coalesce(target_event, target_session);
    places integer;
    promotion text;
    hold_hours integer;
    held integer;
    promoted integer;
BEGIN
    IF target_event IS NOT NULL THEN
        SELECT e.capacity, e.waitlist_promotion, e.offer_hours INTO places, promotion, hold_hours
            FROM events e WHERE e.id = target_event FOR NO KEY UPDATE;
    ELSE
        SELECT s.capacity, s.waitlist_promotion, s.offer_hours INTO places, promotion, hold_hours
            FROM training_sessions s WHERE s.id = target_session FOR NO KEY UPDATE;
    END IF;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    UPDATE registrations SET status = 'cancelled', cancellation = 'lapsed', updated_at = now()
        WHERE item_id = item AND status = 'offered' AND offered_until <= now();
    -- The places held, as the trigger counts them (after the lapses just passed on).
    IF target_event IS NOT NULL THEN
        SELECT e.held_places INTO held FROM events e WHERE e.id = target_event;
    ELSE
        SELECT s.held_places INTO held FROM training_sessions s WHERE s.id = target_session;
    END IF;
    WITH next AS (
        SELECT id FROM registrations WHERE item_id = item AND status = 'waitlisted'
        ORDER BY queued
        -- No limit when places are unlimited.
        LIMIT CASE WHEN places IS NULL THEN NULL ELSE greatest(places - held, 0) END
    )
    UPDATE registrations r
        SET status = CASE promotion WHEN 'offer' THEN 'offered' ELSE 'confirmed' END,
            offered_until = CASE promotion
                WHEN 'offer' THEN now() + make_interval(hours => hold_hours) END,
            updated_at = now()
        FROM next WHERE r.id = next.id;
    GET DIAGNOSTICS promoted = ROW_COUNT;
    RETURN promoted;
END
$$;

-- Registers `member` for an event or a session, in one call, so that the item's row is locked
-- only as long as it takes. Says what happened: `created`, or why not (`missing`, `draft`,
-- `cancelled`, `started`, `no_registration`, `not_yet_open`, `closed`, `exists`), with the
-- registration made or found.
CREATE FUNCTION relais_register(target_event uuid, target_session uuid, member uuid,
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

-- More places, or a member's place freed by deleting the registration (with the account):
-- the waitlist moves up.
CREATE FUNCTION relais_places_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'registrations' THEN
        PERFORM relais_fill_places(OLD.event_id, OLD.session_id);
    ELSIF TG_TABLE_NAME = 'events' THEN
        PERFORM relais_fill_places(NEW.id, NULL);
    ELSE
        PERFORM relais_fill_places(NULL, NEW.id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER registrations_place_freed AFTER DELETE ON registrations FOR EACH ROW
    WHEN (OLD.status IN ('confirmed', 'offered')) EXECUTE FUNCTION relais_places_changed();
CREATE TRIGGER events_places_changed AFTER UPDATE OF capacity, waitlist_promotion ON events
    FOR EACH ROW WHEN (OLD.capacity IS DISTINCT FROM NEW.capacity
                       OR OLD.waitlist_promotion IS DISTINCT FROM NEW.waitlist_promotion)
    EXECUTE FUNCTION relais_places_changed();
CREATE TRIGGER training_sessions_places_changed AFTER UPDATE OF capacity, waitlist_promotion
    ON training_sessions
    FOR EACH ROW WHEN (OLD.capacity IS DISTINCT FROM NEW.capacity
                       OR OLD.waitlist_promotion IS DISTINCT FROM NEW.waitlist_promotion)
    EXECUTE FUNCTION relais_places_changed();

-- A cancelled event or session keeps its registrations, marked so.
CREATE FUNCTION relais_item_cancelled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registrations SET status = 'cancelled', cancellation = 'cancelled_item', updated_at = now()
        WHERE item_id = NEW.id AND status <> 'cancelled';
    RETURN NULL;
END
$$;
CREATE TRIGGER events_cancelled AFTER UPDATE OF status ON events FOR EACH ROW
    WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
    EXECUTE FUNCTION relais_item_cancelled();
CREATE TRIGGER training_sessions_cancelled AFTER UPDATE OF status ON training_sessions FOR EACH ROW
    WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
    EXECUTE FUNCTION relais_item_cancelled();

-- Whether an event or session has places left: a list filter (`has_places=`).
ALTER TABLE events ADD COLUMN has_places boolean NOT NULL
    GENERATED ALWAYS AS (capacity IS NULL OR held_places < capacity) STORED;
ALTER TABLE training_sessions ADD COLUMN has_places boolean NOT NULL
    GENERATED ALWAYS AS (capacity IS NULL OR held_places < capacity) STORED;

-- A member's private calendar: its confirmed registrations at an unguessable URL (two random
-- UUIDs: 244 random bits), changed on demand, which ends the old URL.
ALTER TABLE users ADD COLUMN calendar_token text NOT NULL UNIQUE
    DEFAULT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');

-- Registrations as they are listed: with what they are for and who holds them.
CREATE VIEW registration_rows AS
SELECT r.id, r.event_id, r.session_id, s.training_id, r.item_id, r.user_id,
       coalesce(e.slug, s.slug) AS item_slug,
       coalesce(e.title, tr.title) AS title,
       coalesce(e.starts_at, s.starts_at) AS starts_at,
       coalesce(e.ends_at, s.ends_at) AS ends_at,
       coalesce(e.timezone, s.timezone) AS timezone,
       r.status,
       CASE WHEN r.status = 'waitlisted' THEN
           (SELECT count(*) FROM registrations w
            WHERE w.item_id = r.item_id AND w.status = 'waitlisted' AND w.queued <= r.queued)::int
       END AS position,
       r.offered_until, r.cancellation, r.attendance, r.queued,
       coalesce(a.name, u.email) AS attendee_name,
       a.organisation AS attendee_organisation,
       a.category AS attendee_category,
       u.email AS attendee_email,
       r.created_at, r.updated_at
FROM registrations r
JOIN users u ON u.id = r.user_id
LEFT JOIN actors a ON a.id = u.actor_id
LEFT JOIN events e ON e.id = r.event_id
LEFT JOIN training_sessions s ON s.id = r.session_id
LEFT JOIN trainings tr ON tr.id = s.training_id;
