-- Each item keeps the ids of its themes in `theme_ids`, a copy of its theme links that the
-- database maintains, so that counting a search's matches by theme reads the matches alone
-- instead of looking up the links of each one. The link tables stay the truth (foreign keys,
-- cascades when a theme is deleted); these triggers follow every change to them.
ALTER TABLE centres ADD COLUMN theme_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE actors ADD COLUMN theme_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE events ADD COLUMN theme_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE trainings ADD COLUMN theme_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE documents ADD COLUMN theme_ids uuid[] NOT NULL DEFAULT '{}';

-- TG_ARGV[0]: the items' table; TG_ARGV[1]: the link's column naming the item. Statement
-- triggers with transition tables (`added`, `removed`): a change to many links rewrites each
-- item concerned once. Each item's array is changed by the links added and removed rather than
-- read again from the link table: when two transactions change one item's links at once, the
-- second waits for the first, then applies its own change to the array the first left (a
-- re-read would use a snapshot taken before the first committed, and undo its change).
CREATE FUNCTION relais_sync_theme_ids() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept text := 'SELECT x FROM unnest(o.theme_ids) x';
    gone text := format('SELECT r.theme_id FROM removed r WHERE r.%I = o.id', TG_ARGV[1]);
    new text := format('SELECT a.theme_id FROM added a WHERE a.%I = o.id', TG_ARGV[1]);
    ids text;
    changed text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('UPDATE %I SET theme_ids = ''{}'' WHERE theme_ids <> ''{}''', TG_ARGV[0]);
        RETURN NULL;
    END IF;
    CASE TG_OP
        WHEN 'INSERT' THEN
            ids := format('%s UNION %s', kept, new);
            changed := 'added';
        WHEN 'DELETE' THEN
            ids := format('%s EXCEPT %s', kept, gone);
            changed := 'removed';
        ELSE
            ids := format('(%s EXCEPT %s) UNION %s', kept, gone, new);
            changed := '(SELECT * FROM added UNION ALL SELECT * FROM removed) c';
    END CASE;
    EXECUTE format(
        'UPDATE %1$I o SET theme_ids = ARRAY(%2$s ORDER BY 1) WHERE o.id IN (SELECT %3$I FROM %4$s)',
        TG_ARGV[0], ids, TG_ARGV[1], changed);
    RETURN NULL;
END
$$;

DO $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT * FROM (VALUES
        ('centres', 'centre_themes', 'centre_id'),
        ('actors', 'actor_themes', 'actor_id'),
        ('events', 'event_themes', 'event_id'),
        ('trainings', 'training_themes', 'training_id'),
        ('documents', 'document_themes', 'document_id')) AS v (items, links, owner)
    LOOP
        EXECUTE format(
            'CREATE TRIGGER %1$s_added AFTER INSERT ON %1$I REFERENCING NEW TABLE AS added
                 FOR EACH STATEMENT EXECUTE FUNCTION relais_sync_theme_ids(%2$L, %3$L);
             CREATE TRIGGER %1$s_removed AFTER DELETE ON %1$I REFERENCING OLD TABLE AS removed
                 FOR EACH STATEMENT EXECUTE FUNCTION relais_sync_theme_ids(%2$L, %3$L);
             CREATE TRIGGER %1$s_changed AFTER UPDATE ON %1$I
                 REFERENCING OLD TABLE AS removed NEW TABLE AS added
                 FOR EACH STATEMENT EXECUTE FUNCTION relais_sync_theme_ids(%2$L, %3$L);
             CREATE TRIGGER %1$s_truncated AFTER TRUNCATE ON %1$I
                 FOR EACH STATEMENT EXECUTE FUNCTION relais_sync_theme_ids(%2$L, %3$L);
             UPDATE %2$I o SET theme_ids = ARRAY(SELECT l.theme_id FROM %1$I l WHERE l.%3$I = o.id ORDER BY 1)
             WHERE EXISTS (SELECT 1 FROM %1$I l WHERE l.%3$I = o.id)',
            item.links, item.items, item.owner);
    END LOOP;
END
$$;
