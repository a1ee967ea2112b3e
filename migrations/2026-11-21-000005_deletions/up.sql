-- Tombstones: every deleted item leaves its collection, id, slug and last visibility here, so
-- that an integrator mirroring the API (`updated_since=`) also learns what disappeared. The
-- database writes them, whatever deleted the row (an API call or a cascade).
CREATE TABLE deletions (
    id uuid PRIMARY KEY,
    collection text NOT NULL,
    slug text NOT NULL,
    audience text NOT NULL,
    status text NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deletions_deleted_at_idx ON deletions (deleted_at, id);
CREATE INDEX deletions_collection_idx ON deletions (collection, deleted_at);

-- TG_ARGV[0]: the collection; TG_ARGV[1]: 'publication' when rows have audience and status.
CREATE FUNCTION relais_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deletions (id, collection, slug, audience, status)
    VALUES (OLD.id, TG_ARGV[0], OLD.slug,
            CASE WHEN TG_ARGV[1] = 'publication' THEN to_jsonb(OLD) ->> 'audience' ELSE 'public' END,
            CASE WHEN TG_ARGV[1] = 'publication' THEN to_jsonb(OLD) ->> 'status' ELSE 'published' END)
    ON CONFLICT (id) DO NOTHING;
    RETURN OLD;
END
$$;

CREATE TRIGGER centres_deletion AFTER DELETE ON centres
    FOR EACH ROW EXECUTE FUNCTION relais_record_deletion('centres', 'always');
CREATE TRIGGER actors_deletion AFTER DELETE ON actors
    FOR EACH ROW EXECUTE FUNCTION relais_record_deletion('actors', 'always');
CREATE TRIGGER themes_deletion AFTER DELETE ON themes
    FOR EACH ROW EXECUTE FUNCTION relais_record_deletion('themes', 'always');
CREATE TRIGGER events_deletion AFTER DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION relais_record_deletion('events', 'publication');
CREATE TRIGGER trainings_deletion AFTER DELETE ON trainings
    FOR EACH ROW EXECUTE FUNCTION relais_record_deletion('trainings', 'publication');
CREATE TRIGGER training_sessions_deletion AFTER DELETE ON training_sessions
    FOR EACH ROW EXECUTE FUNCTION relais_record_deletion('sessions', 'always');
CREATE TRIGGER documents_deletion AFTER DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION relais_record_deletion('documents', 'publication');
