DO $$
DECLARE
    items text;
BEGIN
    FOREACH items IN ARRAY ARRAY['centres', 'actors', 'events', 'trainings', 'documents'] LOOP
        EXECUTE format('DROP TRIGGER %1$s_theme_slugs ON %1$I; ALTER TABLE %1$I DROP COLUMN theme_slugs', items);
    END LOOP;
END
$$;
DROP TRIGGER themes_renamed ON themes;
DROP FUNCTION relais_renamed_theme();
DROP FUNCTION relais_theme_slugs();

DO $$
DECLARE
    links text;
BEGIN
    FOREACH links IN ARRAY ARRAY['actor_centres', 'event_speakers', 'event_documents', 'training_trainers', 'document_authors'] LOOP
        EXECUTE format(
            'DROP TRIGGER %1$s_ids_added ON %1$I; DROP TRIGGER %1$s_ids_removed ON %1$I;
             DROP TRIGGER %1$s_ids_changed ON %1$I; DROP TRIGGER %1$s_ids_truncated ON %1$I', links);
    END LOOP;
END
$$;
DROP FUNCTION relais_sync_link_ids();
ALTER TABLE documents DROP COLUMN author_ids;
ALTER TABLE trainings DROP COLUMN trainer_ids;
ALTER TABLE events DROP COLUMN document_ids, DROP COLUMN speaker_ids;
ALTER TABLE actors DROP COLUMN centre_ids;
