DROP FUNCTION relais_distance_km(float8, float8, float8, float8);
DROP INDEX centres_location_idx, actors_location_idx, events_location_idx;
DROP INDEX centres_region_code_idx, centres_department_code_idx, actors_region_code_idx,
    actors_department_code_idx, events_region_code_idx, events_department_code_idx;
ALTER TABLE centres DROP COLUMN department_code, DROP COLUMN region_code;
ALTER TABLE actors DROP COLUMN department_code, DROP COLUMN region_code;
ALTER TABLE events DROP COLUMN department_code, DROP COLUMN region_code;
DROP TABLE departments;
DROP TABLE regions;
