-- Geography: INSEE regions and departments (Code officiel géographique), the territory of
-- centres, actors and events in those codes, and coordinates that can be searched by distance
-- and by box. A region's code is stored on every item of one of its departments, so that
-- `territory=region:76` finds them with one indexed comparison.

CREATE TABLE regions (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
    name text NOT NULL UNIQUE
);

CREATE TABLE departments (
    code text PRIMARY KEY CHECK (code ~ '^([0-9]{2}|2A|2B|97[1-6])$'),
    name text NOT NULL UNIQUE,
    region_code text NOT NULL REFERENCES regions (code),
    -- Items refer to a department together with its region, so that the two always agree.
    UNIQUE (code, region_code)
);
CREATE INDEX departments_region_code_idx ON departments (region_code);

INSERT INTO regions (code, name) VALUES
    ('01', 'Guadeloupe'), ('02', 'Martinique'), ('03', 'Guyane'), ('04', 'La Réunion'),
    ('06', 'Mayotte'), ('11', 'Île-de-France'), ('24', 'Centre-Val de Loire'),
    ('27', 'Bourgogne-Franche-Comté'), ('28', 'Normandie'), ('32', 'Hauts-de-France'),
    ('44', 'Grand Est'), ('52', 'Pays de la Loire'), ('53', 'Bretagne'),
    ('75', 'Nouvelle-Aquitaine'), ('76', 'Occitanie'), ('84', 'Auvergne-Rhône-Alpes'),
    ('93', 'Provence-Alpes-Côte d''Azur'), ('94', 'Corse');

INSERT INTO departments (code, name, region_code) VALUES
    ('01', 'Ain', '84'), ('02', 'Aisne', '32'), ('03', 'Allier', '84'),
    ('04', 'Alpes-de-Haute-Provence', '93'), ('05', 'Hautes-Alpes', '93'),
    ('06', 'Alpes-Maritimes', '93'), ('07', 'Ardèche', '84'), ('08', 'Ardennes', '44'),
    ('09', 'Ariège', '76'), ('10', 'Aube', '44'), ('11', 'Aude', '76'), ('12', 'Aveyron', '76'),
    ('13', 'Bouches-du-Rhône', '93'), ('14', 'Calvados', '28'), ('15', 'Cantal', '84'),
    ('16', 'Charente', '75'), ('17', 'Charente-Maritime', '75'), ('18', 'Cher', '24'),
    ('19', 'Corrèze', '75'), ('2A', 'Corse-du-Sud', '94'), ('2B', 'Haute-Corse', '94'),
    ('21', 'Côte-d''Or', '27'), ('22', 'Côtes-d''Armor', '53'), ('23', 'Creuse', '75'),
    ('24', 'Dordogne', '75'), ('25', 'Doubs', '27'), ('26', 'Drôme', '84'), ('27', 'Eure', '28'),
    ('28', 'Eure-et-Loir', '24'), ('29', 'Finistère', '53'), ('30', 'Gard', '76'),
    ('31', 'Haute-Garonne', '76'), ('32', 'Gers', '76'), ('33', 'Gironde', '75'),
    ('34', 'Hérault', '76'), ('35', 'Ille-et-Vilaine', '53'), ('36', 'Indre', '24'),
    ('37', 'Indre-et-Loire', '24'), ('38', 'Isère', '84'), ('39', 'Jura', '27'),
    ('40', 'Landes', '75'), ('41', 'Loir-et-Cher', '24'), ('42', 'Loire', '84'),
    ('43', 'Haute-Loire', '84'), ('44', 'Loire-Atlantique', '52'), ('45', 'Loiret', '24'),
    ('46', 'Lot', '76'), ('47', 'Lot-et-Garonne', '75'), ('48', 'Lozère', '76'),
    ('49', 'Maine-et-Loire', '52'), ('50', 'Manche', '28'), ('51', 'Marne', '44'),
    ('52', 'Haute-Marne', '44'), ('53', 'Mayenne', '52'), ('54', 'Meurthe-et-Moselle', '44'),
    ('55', 'Meuse', '44'), ('56', 'Morbihan', '53'), ('57', 'Moselle', '44'),
    ('58', 'Nièvre', '27'), ('59', 'Nord', '32'), ('60', 'Oise', '32'), ('61', 'Orne', '28'),
    ('62', 'Pas-de-Calais', '32'), ('63', 'Puy-de-Dôme', '84'),
    ('64', 'Pyrénées-Atlantiques', '75'), ('65', 'Hautes-Pyrénées', '76'),
    ('66', 'Pyrénées-Orientales', '76'), ('67', 'Bas-Rhin', '44'), ('68', 'Haut-Rhin', '44'),
    ('69', 'Rhône', '84'), ('70', 'Haute-Saône', '27'), ('71', 'Saône-et-Loire', '27'),
    ('72', 'Sarthe', '52'), ('73', 'Savoie', '84'), ('74', 'Haute-Savoie', '84'),
    ('75', 'Paris', '11'), ('76', 'Seine-Maritime', '28'), ('77', 'Seine-et-Marne', '11'),
    ('78', 'Yvelines', '11'), ('79', 'Deux-Sèvres', '75'), ('80', 'Somme', '32'),
    ('81', 'Tarn', '76'), ('82', 'Tarn-et-Garonne', '76'), ('83', 'Var', '93'),
    ('84', 'Vaucluse', '93'), ('85', 'Vendée', '52'), ('86', 'Vienne', '75'),
    ('87', 'Haute-Vienne', '75'), ('88', 'Vosges', '44'), ('89', 'Yonne', '27'),
    ('90', 'Territoire de Belfort', '27'), ('91', 'Essonne', '11'),
    ('92', 'Hauts-de-Seine', '11'), ('93', 'Seine-Saint-Denis', '11'),
    ('94', 'Val-de-Marne', '11'), ('95', 'Val-d''Oise', '11'), ('971', 'Guadeloupe', '01'),
    ('972', 'Martinique', '02'), ('973', 'Guyane', '03'), ('974', 'La Réunion', '04'),
    ('976', 'Mayotte', '06');

ALTER TABLE centres
    ADD COLUMN region_code text CONSTRAINT centres_region_code_fkey REFERENCES regions (code),
    ADD COLUMN department_code text,
    ADD CONSTRAINT centres_department_code_fkey FOREIGN KEY (department_code, region_code)
        REFERENCES departments (code, region_code),
    ADD CONSTRAINT centres_department_has_region CHECK (department_code IS NULL OR region_code IS NOT NULL);
ALTER TABLE actors
    ADD COLUMN region_code text CONSTRAINT actors_region_code_fkey REFERENCES regions (code),
    ADD COLUMN department_code text,
    ADD CONSTRAINT actors_department_code_fkey FOREIGN KEY (department_code, region_code)
        REFERENCES departments (code, region_code),
    ADD CONSTRAINT actors_department_has_region CHECK (department_code IS NULL OR region_code IS NOT NULL);
ALTER TABLE events
    ADD COLUMN region_code text CONSTRAINT events_region_code_fkey REFERENCES regions (code),
    ADD COLUMN department_code text,
    ADD CONSTRAINT events_department_code_fkey FOREIGN KEY (department_code, region_code)
        REFERENCES departments (code, region_code),
    ADD CONSTRAINT events_department_has_region CHECK (department_code IS NULL OR region_code IS NOT NULL);

CREATE INDEX centres_region_code_idx ON centres (region_code);
CREATE INDEX centres_department_code_idx ON centres (department_code);
CREATE INDEX actors_region_code_idx ON actors (region_code);
CREATE INDEX actors_department_code_idx ON actors (department_code);
CREATE INDEX events_region_code_idx ON events (region_code);
CREATE INDEX events_department_code_idx ON events (department_code);

-- Boxes (`bbox=`, and the box around a `near=` circle) are searched through the built-in
-- point type's GiST index: no extension is needed.
CREATE INDEX centres_location_idx ON centres USING gist (point(longitude, latitude));
CREATE INDEX actors_location_idx ON actors USING gist (point(longitude, latitude));
CREATE INDEX events_location_idx ON events USING gist (point(longitude, latitude));

-- Great-circle distance in kilometres (haversine, mean Earth radius).
CREATE FUNCTION relais_distance_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT 2 * 6371.0088 * asin(least(1, sqrt(
        sin(radians(lat2 - lat1) / 2) ^ 2
        + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lon2 - lon1) / 2) ^ 2)))
$$;
