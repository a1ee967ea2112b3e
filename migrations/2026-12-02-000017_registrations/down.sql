DROP VIEW registration_rows;
ALTER TABLE events DROP COLUMN has_places;
ALTER TABLE training_sessions DROP COLUMN has_places;
ALTER TABLE users DROP COLUMN calendar_token;
DROP TABLE registrations;
DROP SEQUENCE registrations_queue;
DROP FUNCTION relais_register(uuid, uuid, uuid);
DROP TRIGGER events_cancelled ON events;
DROP TRIGGER training_sessions_cancelled ON training_sessions;
DROP FUNCTION relais_item_cancelled();
DROP TRIGGER events_places_changed ON events;
DROP TRIGGER training_sessions_places_changed ON training_sessions;
DROP FUNCTION relais_places_changed();
DROP FUNCTION relais_fill_places(uuid, uuid);
DROP FUNCTION relais_count_held_places();
ALTER TABLE training_sessions DROP COLUMN registration_opens_at, DROP COLUMN registration_closes_at;
DO $$
DECLARE
    items text;
BEGIN
    FOREACH items IN ARRAY ARRAY['events', 'training_sessions'] LOOP
        EXECUTE format('ALTER TABLE %1$I DROP COLUMN registration, DROP COLUMN waitlist_promotion,
            DROP COLUMN offer_hours, DROP COLUMN held_places', items);
    END LOOP;
END
$$;
