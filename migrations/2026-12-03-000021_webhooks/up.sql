-- Webhooks: endpoints that administrators register, and an outbox of deliveries to them. A
-- delivery is written by a trigger on the audit trail, so in the very transaction of the change
-- it tells of: a rolled-back write sends nothing, and a committed one is kept until delivered,
-- whatever happens to the server.
CREATE TABLE webhooks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    -- Empty: every collection, every action.
    collections text[] NOT NULL DEFAULT '{}',
    actions text[] NOT NULL DEFAULT '{}',
    -- The Standard Webhooks signing secret (`whsec_` and base64); never sent back.
    secret text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/=]{32,}$'),
    enabled boolean NOT NULL DEFAULT true,
    -- Failed attempts in a row; past the server's limit the endpoint is disabled.
    consecutive_failures integer NOT NULL DEFAULT 0,
    disabled_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    -- Also the `webhook-id` of the message: the same on every attempt, for receivers to
    -- deduplicate.
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status integer,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    delivered_at timestamptz
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, created_at, id);

-- Whether the public sees the item now, or saw it until this transaction (a deletion or a
-- withdrawal leaves its tombstone, dated now, naming the public among the roles that lost it).
CREATE FUNCTION relais_was_public(collection text, item uuid) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM deletions d WHERE d.id = item AND d.deleted_at = now()
                   AND 'public' = ANY (d.lost_by))
        OR CASE collection
            WHEN 'events' THEN EXISTS (SELECT 1 FROM events t WHERE t.id = item
                                       AND t.status = 'published' AND t.audience = 'public')
            WHEN 'trainings' THEN EXISTS (SELECT 1 FROM trainings t WHERE t.id = item
                                          AND t.status = 'published' AND t.audience = 'public')
            WHEN 'documents' THEN EXISTS (SELECT 1 FROM documents t WHERE t.id = item
                                          AND t.status = 'published' AND t.audience = 'public')
            WHEN 'sessions' THEN EXISTS (SELECT 1 FROM training_sessions s
                                         JOIN trainings t ON t.id = s.training_id
                                         WHERE s.id = item AND t.status = 'published'
                                           AND t.audience = 'public')
            WHEN 'centres' THEN EXISTS (SELECT 1 FROM centres t WHERE t.id = item)
            WHEN 'actors' THEN EXISTS (SELECT 1 FROM actors t WHERE t.id = item)
            WHEN 'themes' THEN EXISTS (SELECT 1 FROM themes t WHERE t.id = item)
            ELSE false
        END;
$$;

-- The outbox: an audit entry of a public item becomes a delivery to each enabled endpoint that
-- wants its collection and action. The payload names the item and the fields that changed,
-- not their values (members-only details stay out); receivers read the item at `location`.
CREATE FUNCTION relais_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT relais_was_public(NEW.collection, NEW.item_id) THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_deliveries (webhook_id, event_type, payload)
    SELECT w.id, NEW.collection || '.' || NEW.action,
           jsonb_build_object(
               'type', NEW.collection || '.' || NEW.action,
               'timestamp', NEW.at,
               'data', jsonb_build_object(
                   'collection', NEW.collection,
                   'id', NEW.item_id,
                   'action', NEW.action,
                   'fields', coalesce((SELECT jsonb_agg(c ->> 'field')
                                       FROM jsonb_array_elements(NEW.changes) c), '[]'::jsonb),
                   'location', CASE WHEN NEW.collection <> 'sessions'
                                    THEN '/api/v1/' || NEW.collection || '/' || NEW.item_id
                                    ELSE (SELECT '/api/v1/trainings/' || s.training_id
                                                 || '/sessions/' || s.id
                                          FROM training_sessions s WHERE s.id = NEW.item_id)
                               END))
        FROM webhooks w
        WHERE w.enabled
          AND (w.collections = '{}' OR NEW.collection = ANY (w.collections))
          AND (w.actions = '{}' OR NEW.action = ANY (w.actions));
    IF FOUND THEN
        PERFORM pg_notify('relais_webhooks', '');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_entries_outbox AFTER INSERT ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION relais_outbox();
