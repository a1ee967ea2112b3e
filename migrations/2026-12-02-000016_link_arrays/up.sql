-- Each item keeps on its row what a page shows of its links: the ids it links to (speakers,
-- documents, authors, trainers, the centres of an actor's network), in their order, and the
-- slugs of its themes. A page then reads them with its rows: looking up each row's links cost
-- four subqueries a row, and made a page of events 2.5 times the cost of a bare one. The link
-- tables stay the truth (foreign keys, cascades); these triggers follow every change to them.
--
-- The ids are read again from the link table for each item changed. The API replaces an item's
-- links only in a transaction that holds the item's row (it created it, or locked it FOR
-- UPDATE), so two writers never interleave on one item's links (see 000008 for why a re-read
-- would otherwise be unsafe).
ALTER TABLE actors ADD COLUMN centre_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE events ADD COLUMN speaker_ids uuid[] NOT NULL DEFAULT '{}',
                   ADD COLUMN document_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE trainings ADD COLUMN trainer_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE documents ADD COLUMN author_ids uuid[] NOT NULL DEFAULT '{}';

-- TG_ARGV: the items' table, its array, the link's column naming the item, the one naming the
-- target, the link's order.
CREATE FUNCTION relais_sync_link_ids() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('UPDATE %I SET %I = ''{}'' WHERE %I <> ''{}''', TG_ARGV[0], TG_ARGV[1], TG_ARGV[1]);
        RETURN NULL;
    END IF;
    changed := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %I FROM added', TG_ARGV[2])
        WHEN 'DELETE' THEN format('SELECT %I FROM removed', TG_ARGV[2])
        ELSE format('SELECT %1$I FROM added UNION SELECT %1$I FROM removed', TG_ARGV[2])
    END;
    EXECUTE format(
        'UPDATE %1$I o SET %2$I = ARRAY(SELECT l.%4$I FROM %6$I l WHERE l.%3$I = o.id ORDER BY l.%5$I)
         WHERE o.id IN (%7$s)',
        TG_ARGV[0], TG_ARGV[1], TG_ARGV[2], TG_ARGV[3], TG_ARGV[4], TG_TABLE_NAME, changed);
    RETURN NULL;
END
$$;

DO $$
DECLARE
    link record;
BEGIN
    FOR link IN SELECT * FROM (VALUES
        ('actor_centres', 'actors', 'centre_ids', 'actor_id', 'centre_id', 'centre_id'),
        ('event_speakers', 'events', 'speaker_ids', 'event_id', 'actor_id', 'position'),
        ('event_documents', 'events', 'document_ids', 'event_id', 'document_id', 'position'),
        ('training_trainers', 'trainings', 'trainer_ids', 'training_id', 'actor_id', 'position'),
        ('document_authors', 'documents', 'author_ids', 'document_id', 'actor_id', 'position'))
        AS v (links, items, ids, owner, target, ordering)
    LOOP
        EXECUTE format(
            'CREATE TRIGGER %1$s_ids_added AFTER INSERT ON %1$I REFERENCING NEW TABLE AS added
                 FOR EACH STATEMENT EXECUTE FUNCTION relais_sync_link_ids(%2$L, %3$L, %4$L, %5$L, %6$L);
             CREATE TRIGGER %1$s_ids_removed AFTER DELETE ON %1$I REFERENCING OLD TABLE AS removed
                 FOR EACH STATEMENT EXECUTE FUNCTION relais_sync_link_ids(%2$L, %3$L, %4$L, %5$L, %6$L);
             CREATE TRIGGER %1$s_ids_changed AFTER UPDATE ON %1$I
                 REFERENCING OLD TABLE AS removed NEW TABLE AS added
                 FOR EACH STATEMENT EXECUTE FUNCTION relais_sync_link_ids(%2$L, %3$L, %4$L, %5$L, %6$L);
             CREATE TRIGGER %1$s_ids_truncated AFTER TRUNCATE ON %1$I
                 FOR EACH STATEMENT EXECUTE FUNCTION relais_sync_link_ids(%2$L, %3$L, %4$L, %5$L, %6$L);
             UPDATE %2$I o SET %3$I = ARRAY(SELECT l.%5$I FROM %1$I l WHERE l.%4$I = o.id ORDER BY l.%6$I)
             WHERE EXISTS (SELECT 1 FROM %1$I l WHERE l.%4$I = o.id)',
            link.links, link.items, link.ids, link.owner, link.target, link.ordering);
    END LOOP;
END
$$;

-- Theme slugs follow the item's `theme_ids` (kept by 000008's triggers) and each theme's slug.
ALTER TABLE centres ADD COLUMN theme_slugs text[] NOT NULL DEFAULT '{}';
ALTER TABLE actors ADD COLUMN theme_slugs text[] NOT NULL DEFAULT '{}';
ALTER TABLE events ADD COLUMN theme_slugs text[] NOT NULL DEFAULT '{}';
ALTER TABLE trainings ADD COLUMN theme_slugs text[] NOT NULL DEFAULT '{}';
ALTER TABLE documents ADD COLUMN theme_slugs text[] NOT NULL DEFAULT '{}';

CREATE FUNCTION relais_theme_slugs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.theme_slugs := ARRAY(SELECT slug FROM themes WHERE id = ANY (NEW.theme_ids) ORDER BY slug);
    RETURN NEW;
END
$$;

-- A theme renamed: its items' slugs are made again (the items' trigger does it).
CREATE FUNCTION relais_renamed_theme() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    items text;
BEGIN
    FOREACH items IN ARRAY ARRAY['centres', 'actors', 'events', 'trainings', 'documents'] LOOP
        EXECUTE format('UPDATE %I SET theme_ids = theme_ids WHERE theme_ids @> ARRAY[$1]', items)
            USING NEW.id;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER themes_renamed AFTER UPDATE OF slug ON themes FOR EACH ROW
    WHEN (OLD.slug IS DISTINCT FROM NEW.slug) EXECUTE FUNCTION relais_renamed_theme();

DO $$
DECLARE
    items text;
BEGIN
    FOREACH items IN ARRAY ARRAY['centres', 'actors', 'events', 'trainings', 'documents'] LOOP
        EXECUTE format(
            'CREATE TRIGGER %1$s_theme_slugs BEFORE INSERT OR UPDATE OF theme_ids ON %1$I
                 FOR EACH ROW EXECUTE FUNCTION relais_theme_slugs();
             UPDATE %1$I SET theme_ids = theme_ids WHERE theme_ids <> ''{}''', items);
    END LOOP;
END
$$;
