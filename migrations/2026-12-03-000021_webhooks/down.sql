DROP TRIGGER audit_entries_outbox ON audit_entries;
DROP FUNCTION relais_outbox();
DROP FUNCTION relais_was_public(text, uuid);
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
