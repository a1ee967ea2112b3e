-- Links changed in bulk (a theme deleted with its thousands of links, a bulk import) used to
-- cost the product of the items changed and the links changed: each item's new array scanned
-- every changed link. The changes are now grouped by item first, then joined once.
CREATE OR REPLACE FUNCTION relais_sync_theme_ids() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added text := format('SELECT a.%I AS id, a.theme_id, true AS added FROM added a', TG_ARGV[1]);
    removed text := format('SELECT r.%I AS id, r.theme_id, false AS added FROM removed r', TG_ARGV[1]);
    changes text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('UPDATE %I SET theme_ids = ''{}'' WHERE theme_ids <> ''{}''', TG_ARGV[0]);
        RETURN NULL;
    END IF;
    changes := CASE TG_OP
        WHEN 'INSERT' THEN added
        WHEN 'DELETE' THEN removed
        ELSE added || ' UNION ALL ' || removed
    END;
    -- As before, each item's array is changed by the links added and removed rather than read
    -- again from the link table (see 000008: concurrent changes to one item's links).
    EXECUTE format(
        'UPDATE %I o SET theme_ids = ARRAY(
             SELECT x FROM unnest(o.theme_ids) x WHERE x <> ALL (c.gone)
             UNION SELECT unnest(c.new) ORDER BY 1)
         FROM (SELECT id,
                      coalesce(array_agg(theme_id) FILTER (WHERE added), ''{}'') AS new,
                      coalesce(array_agg(theme_id) FILTER (WHERE NOT added), ''{}'') AS gone
               FROM (%s) changes GROUP BY id) c
         WHERE o.id = c.id',
        TG_ARGV[0], changes);
    RETURN NULL;
END
$$;
