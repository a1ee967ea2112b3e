DROP FUNCTION relais_query(text);
