DROP INDEX documents_queue_idx, documents_author_ids_idx, documents_submitted_by_idx;
ALTER TABLE documents DROP CONSTRAINT documents_rejection_check, DROP CONSTRAINT documents_file_check,
    DROP COLUMN file_uploaded_at, DROP COLUMN file_sha256, DROP COLUMN file_size,
    DROP COLUMN file_media_type, DROP COLUMN file_name, DROP COLUMN file_key,
    DROP COLUMN rejection_reason, DROP COLUMN decided_at, DROP COLUMN submitted_at,
    DROP COLUMN submitted_by;
DROP TRIGGER documents_return ON documents;
DROP TRIGGER training_sessions_return ON training_sessions;
DROP TRIGGER trainings_return ON trainings;
DROP TRIGGER events_return ON events;
DROP TRIGGER actors_return ON actors;
DROP TRIGGER centres_return ON centres;
DROP FUNCTION relais_record_return();
DROP FUNCTION relais_restore(uuid);
DROP FUNCTION relais_restored_row(jsonb);
DROP FUNCTION relais_trash(regclass, text, uuid, uuid);
DROP FUNCTION relais_snapshot(regclass, uuid[]);
DROP TABLE trash;
DROP TRIGGER registrations_audit ON registrations;
DROP FUNCTION relais_audit_registration();
DROP TABLE audit_entries;
DROP FUNCTION relais_refuse_change();
DROP FUNCTION relais_audit(text, uuid, text, jsonb, jsonb);
DROP FUNCTION relais_changes(jsonb, jsonb);
