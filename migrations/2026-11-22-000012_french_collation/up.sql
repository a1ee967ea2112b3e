-- Names, titles and labels sort as French readers expect: « École » between « Eau » and
-- « Forêt », « élu » beside « Élu », not after « Zone » as byte order puts them. Lists sort
-- text `COLLATE relais_french`, and the sort indexes are rebuilt in that order so that keyset
-- paging still seeks. ICU's French collation is deterministic: equal only when identical.
DO $$
BEGIN
    CREATE COLLATION relais_french (provider = icu, locale = 'fr');
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    -- A server built without ICU keeps byte order rather than refusing to start.
    RAISE WARNING 'no ICU collation for French on this server: text sorts in byte order';
    CREATE COLLATION relais_french FROM "C";
END
$$;

DROP INDEX themes_label_idx;
CREATE INDEX themes_label_idx ON themes (label COLLATE relais_french, id);
DROP INDEX centres_name_idx;
CREATE INDEX centres_name_idx ON centres (name COLLATE relais_french, id);
DROP INDEX actors_name_idx;
CREATE INDEX actors_name_idx ON actors (name COLLATE relais_french, id);
DROP INDEX events_title_idx;
CREATE INDEX events_title_idx ON events (title COLLATE relais_french, id);
DROP INDEX trainings_visible_idx;
CREATE INDEX trainings_visible_idx ON trainings (status, audience, title COLLATE relais_french, id);
DROP INDEX trainings_title_idx;
CREATE INDEX trainings_title_idx ON trainings (title COLLATE relais_french, id);
DROP INDEX documents_title_idx;
CREATE INDEX documents_title_idx ON documents (title COLLATE relais_french, id);
DROP INDEX users_email_sort_idx;
CREATE INDEX users_email_sort_idx ON users (email COLLATE relais_french, id);
