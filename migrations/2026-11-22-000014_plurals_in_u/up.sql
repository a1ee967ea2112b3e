-- French plurals the stemmer leaves alone: words in -u take an -s (« élu », « élus »;
-- « revenus », « contenus ») and words in -eu an -x (« lieu », « lieux »), and Snowball keeps
-- those endings, so « élu » did not find « élus ». Each word of a search in -u, -us or -ux
-- now matches all three forms. The search is widened rather than the stored vectors changed:
-- nothing is rewritten, and snippets highlight every form.
CREATE FUNCTION relais_query(text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN regexp_replace(websearch_to_tsquery('relais_french', $1)::text,
                          '''([^'']{2,}u)[sx]?''', '(''\1'' | ''\1s'' | ''\1x'')', 'g')::tsquery;
