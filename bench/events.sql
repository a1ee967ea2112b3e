-- :events events (psql -v events=N) over the seed's centres and themes, for the list
-- benchmark: a network's journées techniques, « Jeudis », ateliers and colloques, spread evenly
-- from three years back to one year ahead of the day they are generated. Most last a few
-- hours or a day; one in seven runs over two or three days and one in five hundred over three
-- weeks (a cycle of visits), so that « upcoming » always has events still running.
-- Loads once: a second run finds the events there and adds nothing.

\set ON_ERROR_STOP on

INSERT INTO events (slug, title, summary, kind, centre_id, starts_at, ends_at, format, venue, city,
                    latitude, longitude, audience, capacity, status)
WITH p AS (
    SELECT ARRAY[
    'Journée technique', 'Les Jeudis', 'Atelier', 'Groupe de travail', 'Séminaire', 'Colloque',
    'Visite de terrain', 'Webinaire', 'Rencontre régionale'] AS formats_fr,
    ARRAY[
    'restauration des zones humides', 'gestion des mares agricoles', 'continuité écologique',
    'espèces exotiques envahissantes', 'trame verte et bleue', 'nature en ville',
    'génie végétal des berges', 'tourbières de montagne', 'revitalisation des centres-bourgs',
    'tiers-lieux en milieu rural', 'mobilités rurales', 'projets alimentaires territoriaux',
    'programme LEADER', 'ingénierie territoriale', 'transition énergétique des communes',
    'haies bocagères', 'pollinisateurs sauvages', 'solutions fondées sur la nature',
    'participation des habitants', 'friches et renaturation'] AS topics,
    ARRAY['Toulouse', 'Montpellier', 'Rodez', 'Albi', 'Cahors', 'Foix', 'Mende', 'Nîmes',
          'Orléans', 'Rennes', 'Lyon', 'Besançon', 'Bordeaux', 'Nancy', 'Lille'] AS cities,
    ARRAY[43.6045, 43.6108, 44.3506, 43.9289, 44.4475, 42.9639, 44.5181, 43.8367,
          47.9030, 48.1173, 45.7640, 47.2378, 44.8378, 48.6921, 50.6292] AS latitudes,
    ARRAY[1.4440, 3.8767, 2.5750, 2.1464, 1.4419, 1.6053, 3.5000, 4.3601,
          1.9093, -1.6778, 4.8357, 6.0241, -0.5792, 6.1844, 3.0573] AS longitudes,
    ARRAY(SELECT id FROM centres ORDER BY slug) AS centres
), e AS (
    SELECT g, p.*,
        date_trunc('hour', now()) - interval '3 years'
            + (interval '4 years' * g / :events) AS starts_at,
        CASE WHEN g % 500 = 0 THEN interval '21 days'
             WHEN g % 7 = 0 THEN interval '2 days 8 hours'
             WHEN g % 3 = 0 THEN interval '7 hours'
             ELSE interval '3 hours' END AS lasts
    FROM generate_series(1, :events) AS g, p
)
SELECT
    'banc-evenement-' || g,
    formats_fr[1 + g % 9] || ' : ' || topics[1 + (g / 9) % 20] || ' à ' || cities[1 + (g / 3) % 15],
    'Une ' || lower(formats_fr[1 + g % 9]) || ' du réseau pour échanger sur '
        || topics[1 + (g / 9) % 20] || ', avec des retours d''expérience de terrain.',
    (ARRAY['journee_technique', 'rencontre', 'atelier', 'groupe_travail', 'seminaire', 'colloque',
           'visite_terrain', 'webinaire', 'rencontre'])[1 + g % 9],
    centres[1 + g % cardinality(centres)],
    starts_at,
    starts_at + lasts,
    CASE WHEN g % 9 = 7 THEN 'online' WHEN g % 4 = 0 THEN 'hybrid' ELSE 'in_person' END,
    CASE WHEN g % 9 = 7 THEN NULL ELSE 'Salle des fêtes' END,
    CASE WHEN g % 9 = 7 THEN NULL ELSE cities[1 + (g / 3) % 15] END,
    CASE WHEN g % 9 = 7 THEN NULL ELSE latitudes[1 + (g / 3) % 15] END,
    CASE WHEN g % 9 = 7 THEN NULL ELSE longitudes[1 + (g / 3) % 15] END,
    CASE WHEN g % 10 = 0 THEN 'members' ELSE 'public' END,
    CASE WHEN g % 2 = 0 THEN 30 + g % 90 END,
    CASE WHEN g % 25 = 0 THEN 'draft' WHEN g % 40 = 1 THEN 'cancelled' ELSE 'published' END
FROM e
WHERE NOT EXISTS (SELECT 1 FROM events WHERE slug = 'banc-evenement-1');

-- One or two themes each.
INSERT INTO event_themes (event_id, theme_id)
SELECT ev.id, t.id
FROM events ev
JOIN LATERAL (
    SELECT id FROM themes ORDER BY slug
    OFFSET (abs(hashtext(ev.slug)) % (SELECT count(*) FROM themes)) LIMIT 1 + (abs(hashtext(ev.slug)) % 2)
) t ON TRUE
WHERE ev.slug LIKE 'banc-evenement-%'
  AND NOT EXISTS (SELECT 1 FROM event_themes et WHERE et.event_id = ev.id)
ON CONFLICT DO NOTHING;

VACUUM FULL events;
VACUUM ANALYZE events;
VACUUM ANALYZE event_themes;
