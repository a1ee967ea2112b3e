-- 100,000 documents for the search benchmark, over the seed's centres and themes: titles,
-- summaries and bodies assembled from French phrases the way resource centres write them.
-- Loads once: a second run finds the documents there and adds nothing.

\set ON_ERROR_STOP on

INSERT INTO documents (slug, title, summary, body, kind, centre_id, published_on, audience, status)
WITH p AS (
    SELECT ARRAY[
    'Guide méthodologique', 'Note technique', 'Retour d''expérience', 'Compte rendu',
    'Fiche action', 'Dossier', 'Synthèse', 'Cahier des charges', 'Recueil d''expériences',
    'Actes de la journée technique', 'Boîte à outils', 'Repères'] AS kinds,
    ARRAY[
    'restauration des zones humides', 'gestion des mares agricoles',
    'restauration de la continuité écologique des cours d''eau', 'effacement des seuils et barrages',
    'reméandrage des petites rivières', 'lutte contre les espèces exotiques envahissantes',
    'trame verte et bleue dans les documents d''urbanisme', 'nature en ville et désimperméabilisation',
    'génie végétal des berges', 'suivi de l''efficacité des travaux de restauration',
    'séquence éviter-réduire-compenser', 'gestion des tourbières de montagne',
    'prairies humides et pâturage extensif', 'solutions fondées sur la nature face aux inondations',
    'revitalisation des centres-bourgs', 'tiers-lieux en milieu rural',
    'mobilités rurales et transport solidaire', 'projets alimentaires territoriaux',
    'restauration collective et produits locaux', 'habitat indigne et centres anciens',
    'participation des habitants aux contrats de ville', 'programme LEADER et coopération',
    'ingénierie territoriale des petites villes', 'transition énergétique des communes rurales',
    'accueil de nouveaux actifs', 'commerce de proximité en centre-ville',
    'jardins partagés et agriculture urbaine', 'pollinisateurs sauvages',
    'haies bocagères et agroforesterie', 'adaptation au changement climatique des territoires',
    'gestion différenciée des espaces verts', 'éclairage public et trame noire',
    'qualité de l''eau des captages', 'zones d''expansion des crues',
    'friches urbaines et renaturation', 'sentiers d''interprétation et sensibilisation',
    'inventaires naturalistes participatifs', 'emploi des jeunes dans les quartiers',
    'santé environnementale', 'économie sociale et solidaire'] AS topics,
    ARRAY[
    'en Occitanie', 'dans le Lot', 'en Aveyron', 'dans l''Hérault', 'dans le Tarn',
    'en Ariège', 'dans le Gers', 'en Lozère', 'dans les Pyrénées-Orientales', 'dans l''Aude',
    'en Haute-Garonne', 'dans le Gard', 'en Bretagne', 'dans le Finistère', 'en Normandie',
    'dans la vallée de la Somme', 'sur le bassin de la Loire', 'dans le Marais poitevin',
    'en Camargue', 'dans le Massif central', 'dans les Alpes', 'dans le Jura',
    'en Auvergne-Rhône-Alpes', 'en Nouvelle-Aquitaine', 'en Gironde', 'dans les Landes',
    'en Grand Est', 'en Alsace', 'dans les Vosges', 'en Hauts-de-France',
    'en Île-de-France', 'en Seine-Saint-Denis', 'en Provence', 'en Corse',
    'à La Réunion', 'en Guadeloupe', 'en Guyane', 'en Centre-Val de Loire',
    'en Bourgogne-Franche-Comté', 'dans le Morvan', 'en Pays de la Loire',
    'dans les Cévennes', 'dans les Causses', 'en Sologne', 'en Brenne',
    'dans le Perche', 'en Dombes', 'dans le Vercors', 'dans le Queyras', 'en Champagne'] AS places,
    ARRAY[
    'Le document présente la démarche, les acteurs mobilisés et le calendrier des travaux.',
    'Les résultats du suivi montrent une amélioration nette des habitats après trois ans.',
    'Les élus et les techniciens y trouveront des repères pour conduire leur projet.',
    'Le coût des opérations et les financements obtenus sont détaillés poste par poste.',
    'Une grille d''analyse aide les maîtres d''ouvrage à choisir les indicateurs de suivi.',
    'Les difficultés rencontrées et les solutions trouvées sont présentées sans détour.',
    'La concertation avec les riverains et les exploitants agricoles a été décisive.',
    'Des fiches pratiques accompagnent chaque étape, du diagnostic à l''évaluation.',
    'Le projet associe la commune, l''intercommunalité, le département et l''agence de l''eau.',
    'Les agents de développement y partagent leurs méthodes d''animation du territoire.',
    'Le bureau d''études a conçu un cahier des charges réutilisable par d''autres collectivités.',
    'Un glossaire et une bibliographie complètent le document.',
    'Les enseignements tirés de l''expérience sont transposables à d''autres territoires ruraux.',
    'Le volet réglementaire rappelle les autorisations nécessaires et les délais à prévoir.',
    'Les associations locales ont participé aux inventaires et aux chantiers bénévoles.',
    'La gouvernance du projet repose sur un comité de pilotage réuni deux fois par an.'] AS sentences,
    ARRAY['castor d''Europe', 'loutre', 'jussie', 'renouée du Japon', 'ragondin', 'écrevisse de Louisiane', 'sonneur à ventre jaune', 'triton crêté', 'cistude d''Europe', 'moule perlière', 'saumon atlantique', 'anguille', 'truite fario', 'brochet', 'chabot', 'lamproie marine', 'vison d''Europe', 'desman des Pyrénées', 'balsamine de l''Himalaya', 'ambroisie', 'frelon asiatique', 'azuré des mouillères', 'damier de la succise', 'râle des genêts', 'butor étoilé', 'cigogne noire', 'sphaigne', 'drosera', 'linaigrette', 'saule têtard', 'aulne glutineux', 'frêne', 'peuplier noir', 'roselière', 'ripisylve', 'lit majeur', 'bras mort', 'noue', 'bassin d''orage', 'toiture végétalisée', 'cour d''école', 'parc départemental', 'Dordogne', 'Garonne', 'Loire', 'Allier', 'Tarn', 'Lot', 'Aveyron', 'Vienne', 'Creuse', 'Sèvre niortaise', 'Somme', 'Selune', 'Drôme', 'Durance', 'Doubs', 'Saône', 'Meuse', 'Moselle', 'Charente', 'Adour', 'Gave de Pau', 'Hérault', 'Orb', 'Aude', 'Têt', 'Vidourle', 'Cher', 'Indre', 'Marais de Brière', 'Grand-Lieu', 'Lac du Der', 'Brenne', 'Dombes', 'Camargue', 'baie de Somme', 'estuaire de la Gironde', 'Figeac', 'Millau', 'Rodez', 'Albi', 'Lodève', 'Saint-Affrique', 'Cahors', 'Auch', 'Foix', 'Mende', 'Carcassonne', 'Perpignan', 'Béziers', 'Sète', 'Nîmes', 'Alès', 'Montauban', 'Castres', 'Tarbes', 'Pamiers', 'Villefranche-de-Rouergue', 'Decazeville', 'Lourdes', 'gare', 'halle', 'friche industrielle', 'ancienne école', 'presbytère', 'maison de santé', 'épicerie associative', 'marché de plein vent', 'cantine scolaire', 'navette à la demande', 'covoiturage', 'autopartage', 'vélo électrique', 'chaufferie bois', 'centrale villageoise', 'méthanisation', 'réseau de chaleur', 'rénovation thermique'] AS subjects,
    ARRAY(SELECT id FROM centres ORDER BY slug) AS centres
)
SELECT
    'banc-document-' || g,
    kinds[1 + g % cardinality(kinds)] || ' : ' || topics[1 + (g / 3) % cardinality(topics)] || ' '
        || places[1 + (g / 7) % cardinality(places)] || ' — ' || subjects[1 + (g * 7919) % cardinality(subjects)],
    'Comment mener un projet de ' || topics[1 + (g / 3) % cardinality(topics)] || ' '
        || places[1 + (g / 7) % cardinality(places)] || ' : '
        || lower(sentences[1 + g % cardinality(sentences)]),
    sentences[1 + (g / 5) % cardinality(sentences)] || ' ' || sentences[1 + (g / 11) % cardinality(sentences)]
        || ' Voir aussi : ' || topics[1 + (g / 13) % cardinality(topics)] || '. '
        || sentences[1 + (g / 17) % cardinality(sentences)],
    (ARRAY['guide', 'note_technique', 'retour_experience', 'publication', 'support_sensibilisation',
           'compte_rendu', 'dossier', 'actualite'])[1 + g % 8],
    centres[1 + g % cardinality(centres)],
    DATE '2015-01-01' + (g % 4000)::int,
    CASE WHEN g % 10 = 0 THEN 'members' ELSE 'public' END,
    CASE WHEN g % 25 = 0 THEN 'draft' ELSE 'published' END
FROM generate_series(1, 100000) AS g, p
WHERE NOT EXISTS (SELECT 1 FROM documents WHERE slug = 'banc-document-1');

-- One or two themes each.
INSERT INTO document_themes (document_id, theme_id)
SELECT d.id, t.id
FROM documents d
JOIN LATERAL (
    SELECT id FROM themes ORDER BY slug
    OFFSET (abs(hashtext(d.slug)) % (SELECT count(*) FROM themes)) LIMIT 1 + (abs(hashtext(d.slug)) % 2)
) t ON TRUE
WHERE d.slug LIKE 'banc-document-%'
ON CONFLICT DO NOTHING;

-- The links above rewrote each document once (its `theme_ids`, kept by a trigger): compact the
-- table as a bulk load would have left it, then give the planner its statistics.
VACUUM FULL documents;
VACUUM ANALYZE;
