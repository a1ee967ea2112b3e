DROP TRIGGER events_withdrawal ON events;
DROP TRIGGER trainings_withdrawal ON trainings;
DROP TRIGGER documents_withdrawal ON documents;
DROP FUNCTION relais_record_withdrawal();

-- The table as it was, columns in their first order; withdrawals (tombstones whose item
-- still exists) go.
DELETE FROM deletions d WHERE EXISTS (SELECT 1 FROM events WHERE id = d.id)
    OR EXISTS (SELECT 1 FROM trainings WHERE id = d.id)
    OR EXISTS (SELECT 1 FROM documents WHERE id = d.id);
ALTER TABLE deletions RENAME TO deletions_lost_by;
ALTER INDEX deletions_pkey RENAME TO deletions_lost_by_pkey;
ALTER INDEX deletions_deleted_at_idx RENAME TO deletions_lost_by_deleted_at_idx;
ALTER INDEX deletions_collection_idx RENAME TO deletions_lost_by_collection_idx;
CREATE TABLE deletions (
    id uuid PRIMARY KEY,
    collection text NOT NULL,
    slug text NOT NULL,
    audience text NOT NULL,
    status text NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deletions_deleted_at_idx ON deletions (deleted_at, id);
CREATE INDEX deletions_collection_idx ON deletions (collection, deleted_at);
INSERT INTO deletions (id, collection, slug, audience, status, deleted_at)
SELECT id, collection, slug,
       CASE WHEN 'public' = ANY (lost_by) THEN 'public' ELSE 'members' END,
       CASE WHEN 'member' = ANY (lost_by) THEN 'published' ELSE 'draft' END,
       deleted_at
FROM deletions_lost_by;
DROP TABLE deletions_lost_by;

CREATE OR REPLACE FUNCTION relais_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deletions (id, collection, slug, audience, status)
    VALUES (OLD.id, TG_ARGV[0], OLD.slug,
            CASE WHEN TG_ARGV[1] = 'publication' THEN to_jsonb(OLD) ->> 'audience' ELSE 'public' END,
            CASE WHEN TG_ARGV[1] = 'publication' THEN to_jsonb(OLD) ->> 'status' ELSE 'published' END)
    ON CONFLICT (id) DO NOTHING;
    RETURN OLD;
END
$$;
DROP FUNCTION relais_tombstone(uuid, text, text, text[]);
DROP FUNCTION relais_seen_by(text, text);
