-- French full-text search, in the database: accents, case and plurals do not matter, the
-- title weighs more than the summary, the summary more than the body. The weighted vectors are
-- generated columns, so the database keeps them up to date; GIN indexes make them fast.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TEXT SEARCH CONFIGURATION relais_french (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION relais_french
    ALTER MAPPING FOR hword_part, word WITH unaccent, french_stem;
-- A hyphenated compound is searched through its parts only: « centre-bourg » then finds
-- « centres-bourgs », which a whole-compound token would not.
ALTER TEXT SEARCH CONFIGURATION relais_french DROP MAPPING FOR hword, asciihword;

-- unaccent() is only STABLE (its dictionary could change); this wrapper names the dictionary,
-- which makes it safe to index, for typo-tolerant matching of names.
CREATE FUNCTION relais_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

ALTER TABLE centres ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('relais_french', name || ' ' || coalesce(acronym, '')), 'A') ||
    setweight(to_tsvector('relais_french', coalesce(operator, '') || ' ' || coalesce(territory, '')), 'B') ||
    setweight(to_tsvector('relais_french', coalesce(description, '')), 'C')) STORED;
ALTER TABLE actors ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('relais_french', name), 'A') ||
    setweight(to_tsvector('relais_french', coalesce(organisation, '') || ' ' || coalesce(job_title, '') || ' ' ||
                                           coalesce(territory, '')), 'B') ||
    setweight(to_tsvector('relais_french', coalesce(bio, '')), 'C')) STORED;
ALTER TABLE events ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('relais_french', title), 'A') ||
    setweight(to_tsvector('relais_french', summary), 'B') ||
    setweight(to_tsvector('relais_french', coalesce(body, '') || ' ' || coalesce(venue, '') || ' ' ||
                                           coalesce(city, '')), 'C')) STORED;
ALTER TABLE trainings ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('relais_french', title), 'A') ||
    setweight(to_tsvector('relais_french', summary), 'B') ||
    setweight(to_tsvector('relais_french', coalesce(body, '') || ' ' || coalesce(objectives, '')), 'C')) STORED;
ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('relais_french', title), 'A') ||
    setweight(to_tsvector('relais_french', summary), 'B') ||
    setweight(to_tsvector('relais_french', coalesce(body, '')), 'C')) STORED;
ALTER TABLE themes ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('relais_french', label), 'A') ||
    setweight(to_tsvector('relais_french', coalesce(description, '')), 'B')) STORED;

CREATE INDEX centres_search_idx ON centres USING gin (search);
CREATE INDEX actors_search_idx ON actors USING gin (search);
CREATE INDEX events_search_idx ON events USING gin (search);
CREATE INDEX trainings_search_idx ON trainings USING gin (search);
CREATE INDEX documents_search_idx ON documents USING gin (search);
CREATE INDEX themes_search_idx ON themes USING gin (search);
CREATE INDEX centres_name_trgm_idx ON centres USING gin (relais_fold(name) gin_trgm_ops);
CREATE INDEX actors_name_trgm_idx ON actors USING gin (relais_fold(name) gin_trgm_ops);
