DROP FUNCTION relais_login_attempt(text, text, integer, integer, integer);
DROP TABLE login_failures;
