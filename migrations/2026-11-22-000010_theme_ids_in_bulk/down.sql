CREATE OR REPLACE FUNCTION relais_sync_theme_ids() RETURNS trigger LANGUAGE plpgsql AS $$
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
