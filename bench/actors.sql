-- 10,000 actors of the network over the seed's centres and themes, for the list benchmark:
-- technicians, élus, chargés de mission and organisations; one in five is an expert open to
-- being put in touch. Loads once.

\set ON_ERROR_STOP on

INSERT INTO actors (slug, kind, name, organisation, job_title, category, territory, email, is_expert)
WITH p AS (
    SELECT ARRAY['Marie', 'Jean', 'Camille', 'Nicolas', 'Claire', 'Julien', 'Sophie', 'Thomas',
                 'Élodie', 'François', 'Agnès', 'Loïc', 'Hélène', 'Mathieu', 'Inès', 'Yann'] AS first_names,
    ARRAY['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand',
          'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'Fournier',
          'Rousseau', 'Vincent', 'Muller', 'Faure'] AS last_names,
    ARRAY['Syndicat mixte du bassin du Lot', 'Communauté de communes du Pays de Figeac',
          'Parc naturel régional des Causses du Quercy', 'Conservatoire d''espaces naturels',
          'Agence de l''eau Adour-Garonne', 'Département de l''Aveyron', 'Bureau d''études Hydro-Sud',
          'Association Rivières vivantes', 'Pays Val de Lot', 'Commune de Saint-Affrique'] AS organisations,
    ARRAY['technicien', 'elu', 'agent_developpement', 'charge_mission', 'expert', 'chercheur',
          'animateur', 'autre'] AS categories,
    ARRAY['Technicien rivière', 'Maire adjoint', 'Agent de développement', 'Chargée de mission',
          'Écologue', 'Chercheuse', 'Animateur de réseau', 'Directeur'] AS jobs,
    ARRAY['Lot', 'Aveyron', 'Tarn', 'Hérault', 'Gers', 'Ariège', 'Lozère', 'Gard'] AS territories
)
SELECT
    'banc-acteur-' || g,
    CASE WHEN g % 6 = 0 THEN 'organisation' ELSE 'person' END,
    CASE WHEN g % 6 = 0 THEN organisations[1 + g % 10] || ' ' || g
         ELSE first_names[1 + g % 16] || ' ' || last_names[1 + (g / 16) % 20] END,
    organisations[1 + (g / 7) % 10],
    CASE WHEN g % 6 <> 0 THEN jobs[1 + g % 8] END,
    CASE WHEN g % 6 <> 0 THEN categories[1 + g % 8] END,
    territories[1 + (g / 3) % 8],
    'acteur' || g || '@example.fr',
    g % 5 = 0
FROM generate_series(1, 10000) AS g, p
WHERE NOT EXISTS (SELECT 1 FROM actors WHERE slug = 'banc-acteur-1');

-- One to three expertise themes each, and the network of one centre.
INSERT INTO actor_themes (actor_id, theme_id)
SELECT a.id, t.id
FROM actors a
JOIN LATERAL (
    SELECT id FROM themes ORDER BY slug
    OFFSET (abs(hashtext(a.slug)) % (SELECT count(*) FROM themes)) LIMIT 1 + (abs(hashtext(a.slug)) % 3)
) t ON TRUE
WHERE a.slug LIKE 'banc-acteur-%'
  AND NOT EXISTS (SELECT 1 FROM actor_themes x WHERE x.actor_id = a.id)
ON CONFLICT DO NOTHING;

INSERT INTO actor_centres (actor_id, centre_id)
SELECT a.id, (SELECT id FROM centres ORDER BY slug OFFSET abs(hashtext(a.slug)) % (SELECT count(*) FROM centres) LIMIT 1)
FROM actors a
WHERE a.slug LIKE 'banc-acteur-%'
ON CONFLICT DO NOTHING;

VACUUM FULL actors;
VACUUM ANALYZE actors;
VACUUM ANALYZE actor_themes;
VACUUM ANALYZE actor_centres;
