DROP TRIGGER documents_deletion ON documents;
DROP TRIGGER training_sessions_deletion ON training_sessions;
DROP TRIGGER trainings_deletion ON trainings;
DROP TRIGGER events_deletion ON events;
DROP TRIGGER themes_deletion ON themes;
DROP TRIGGER actors_deletion ON actors;
DROP TRIGGER centres_deletion ON centres;
DROP FUNCTION relais_record_deletion();
DROP TABLE deletions;
