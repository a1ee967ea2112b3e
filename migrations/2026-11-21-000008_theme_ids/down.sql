DO $$
DECLARE
    links text;
BEGIN
    FOREACH links IN ARRAY ARRAY['centre_themes', 'actor_themes', 'event_themes', 'training_themes', 'document_themes']
    LOOP
        EXECUTE format(
            'DROP TRIGGER %1$s_added ON %1$I; DROP TRIGGER %1$s_removed ON %1$I;
             DROP TRIGGER %1$s_changed ON %1$I; DROP TRIGGER %1$s_truncated ON %1$I', links);
    END LOOP;
END
$$;
DROP FUNCTION relais_sync_theme_ids();
ALTER TABLE centres DROP COLUMN theme_ids;
ALTER TABLE actors DROP COLUMN theme_ids;
ALTER TABLE events DROP COLUMN theme_ids;
ALTER TABLE trainings DROP COLUMN theme_ids;
ALTER TABLE documents DROP COLUMN theme_ids;
