-- The members' workspace: an audit trail of every write, a trash that keeps deleted items with
-- their links until they are restored or purged, contributions and their moderation, and the
-- file a document may carry.

-- What changed between two representations of an item: one {field, old, new} per field that
-- differs, in the order of the fields. Row bookkeeping (`updated_at`) is left out, and secrets
-- are named without their values. The API's writes and the registrations trigger share it.
CREATE FUNCTION relais_changes(before jsonb, after jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce((
        SELECT jsonb_agg(CASE WHEN k.field IN ('password', 'password_hash', 'calendar_token', 'secret')
                              THEN jsonb_build_object('field', k.field)
                              ELSE jsonb_build_object('field', k.field,
                                                      'old', coalesce(before -> k.field, 'null'),
                                                      'new', coalesce(after -> k.field, 'null')) END
                         ORDER BY k.field)
        FROM (SELECT jsonb_object_keys(coalesce(before, '{}') || coalesce(after, '{}')) AS field) k
        WHERE k.field NOT IN ('id', 'created_at', 'updated_at')
          AND coalesce(before -> k.field, 'null') IS DISTINCT FROM coalesce(after -> k.field, 'null')), '[]');

-- Who writes: the API sets `relais.user_id` and `relais.role` for the transaction; a write
-- without them is the server's own (its sweeps).
CREATE TABLE audit_entries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- No foreign key: the trail outlives the accounts it names.
    user_id uuid,
    role text NOT NULL CHECK (role IN ('member', 'admin', 'system')),
    collection text NOT NULL,
    item_id uuid NOT NULL,
    action text NOT NULL,
    changes jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_entries_at_idx ON audit_entries (at, id);
CREATE INDEX audit_entries_item_idx ON audit_entries (item_id, at, id);
CREATE INDEX audit_entries_user_idx ON audit_entries (user_id, at, id);
CREATE INDEX audit_entries_collection_idx ON audit_entries (collection, at, id);

CREATE FUNCTION relais_audit(collection text, item uuid, action text, before jsonb, after jsonb)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO audit_entries (user_id, role, collection, item_id, action, changes)
    VALUES (nullif(current_setting('relais.user_id', true), '')::uuid,
            coalesce(nullif(current_setting('relais.role', true), ''), 'system'),
            collection, item, action, relais_changes(before, after));
$$;

-- The trail is append-only, whoever connects.
CREATE FUNCTION relais_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION relais_refuse_change();

-- Registrations change in SQL functions (queues, promotions, lapsed offers): each change of a
-- row is an entry, in the same transaction.
CREATE FUNCTION relais_audit_registration() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM relais_audit('registrations', NEW.id,
        CASE WHEN TG_OP = 'INSERT' THEN 'create' ELSE 'update' END,
        CASE WHEN TG_OP = 'INSERT' THEN NULL
             ELSE jsonb_build_object('status', OLD.status, 'offered_until', OLD.offered_until,
                                     'cancellation', OLD.cancellation, 'attendance', OLD.attendance) END,
        jsonb_build_object('status', NEW.status, 'offered_until', NEW.offered_until,
                           'cancellation', NEW.cancellation, 'attendance', NEW.attendance,
                           'user_id', NEW.user_id, 'item_id', NEW.item_id));
    RETURN NULL;
END
$$;
CREATE TRIGGER registrations_audit AFTER INSERT OR UPDATE OF status, offered_until, cancellation, attendance
    ON registrations FOR EACH ROW EXECUTE FUNCTION relais_audit_registration();

-- The trash. A deleted item leaves its table (lists, counts and indexes stay those of live
-- rows) and is kept here whole: its row and every row its deletion cascaded to (links,
-- sessions, registrations), parents before children, and the rows that pointed at it and were
-- unlinked (an account's actor profile). Its slug stays reserved until it is purged.
CREATE TABLE trash (
    id uuid PRIMARY KEY,
    collection text NOT NULL,
    table_name text NOT NULL,
    slug text NOT NULL,
    label text NOT NULL,
    snapshot jsonb NOT NULL,
    unlinked jsonb NOT NULL,
    deleted_by uuid,
    deleted_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX trash_slug_idx ON trash (table_name, slug);
CREATE INDEX trash_deleted_at_idx ON trash (deleted_at, id);
CREATE INDEX trash_collection_idx ON trash (collection, deleted_at, id);

-- The rows of `target` with these ids, then, depth first, the rows that reference them with
-- ON DELETE CASCADE: what a deletion of them removes.
CREATE FUNCTION relais_snapshot(target regclass, ids uuid[]) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    found jsonb;
    result jsonb;
    child_ids uuid[];
    fk record;
BEGIN
    EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(x)), ''[]'') FROM %s x WHERE x.id = ANY ($1)', target)
        INTO found USING ids;
    result := jsonb_build_array(jsonb_build_object('table', target::text, 'rows', found));
    FOR fk IN
        SELECT c.conrelid::regclass AS child, a.attname AS column,
               EXISTS (SELECT 1 FROM pg_attribute i WHERE i.attrelid = c.conrelid AND i.attname = 'id'
                                                      AND NOT i.attisdropped) AS has_id
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confrelid = target AND c.confdeltype = 'c'
          AND cardinality(c.conkey) = 1
        ORDER BY c.conrelid::regclass::text, a.attname
    LOOP
        IF fk.has_id THEN
            EXECUTE format('SELECT array_agg(x.id ORDER BY x.id) FROM %s x WHERE x.%I = ANY ($1)', fk.child, fk.column)
                INTO child_ids USING ids;
            IF child_ids IS NOT NULL THEN
                result := result || relais_snapshot(fk.child, child_ids);
            END IF;
        ELSE
            EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(x)), ''[]'') FROM %s x WHERE x.%I = ANY ($1)',
                           fk.child, fk.column)
                INTO found USING ids;
            IF found <> '[]' THEN
                result := result || jsonb_build_array(jsonb_build_object('table', fk.child::text, 'rows', found));
            END IF;
        END IF;
    END LOOP;
    RETURN result;
END
$$;

-- Moves a row to the trash and deletes it (its tombstone follows from the deletion).
CREATE FUNCTION relais_trash(target regclass, collection text, item uuid, deleted_by uuid)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    original jsonb;
    unlinked jsonb := '[]';
    ids uuid[];
    fk record;
BEGIN
    EXECUTE format('SELECT to_jsonb(x) FROM %s x WHERE x.id = $1', target) INTO original USING item;
    FOR fk IN
        SELECT c.conrelid::regclass AS referrer, a.attname AS column
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confrelid = target AND c.confdeltype = 'n'
          AND cardinality(c.conkey) = 1
    LOOP
        EXECUTE format('SELECT array_agg(x.id) FROM %s x WHERE x.%I = $1', fk.referrer, fk.column)
            INTO ids USING item;
        IF ids IS NOT NULL THEN
            unlinked := unlinked || jsonb_build_array(jsonb_build_object(
                'table', fk.referrer::text, 'column', fk.column, 'ids', to_jsonb(ids)));
        END IF;
    END LOOP;
    INSERT INTO trash (id, collection, table_name, slug, label, snapshot, unlinked, deleted_by)
    VALUES (item, collection, target::text, original ->> 'slug',
            coalesce(original ->> 'title', original ->> 'name', original ->> 'slug'),
            relais_snapshot(target, ARRAY[item]), unlinked, deleted_by);
    EXECUTE format('DELETE FROM %s WHERE id = $1', target) USING item;
END
$$;

-- A row as it comes back: dated now, so that mirrors (`updated_since=`) see it return, and
-- with its places counter at zero, since the triggers count its registrations again as they
-- are restored.
CREATE FUNCTION relais_restored_row(r jsonb) RETURNS jsonb LANGUAGE sql STABLE
    RETURN CASE WHEN r ? 'held_places' THEN jsonb_set(r, '{held_places}', '0') ELSE r END
        || CASE WHEN r ? 'updated_at' THEN jsonb_build_object('updated_at', now()) ELSE '{}' END;

-- Puts back an item from the trash, with its links. A slug taken since, or a link whose other
-- end is gone, fails with the database's own error (unique or foreign key), which the API
-- answers with a 409; the transaction then leaves the trash as it was.
CREATE FUNCTION relais_restore(item uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    entry trash;
    part jsonb;
    columns text;
    link jsonb;
BEGIN
    DELETE FROM trash WHERE id = item RETURNING * INTO entry;
    FOR part IN SELECT value FROM jsonb_array_elements(entry.snapshot) LOOP
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
        FROM pg_attribute
        WHERE attrelid = (part ->> 'table')::regclass AND attnum > 0 AND NOT attisdropped
          AND attgenerated = '';
        EXECUTE format('INSERT INTO %1$s (%2$s) SELECT %2$s FROM jsonb_populate_recordset(NULL::%1$s, $1)',
                       part ->> 'table', columns)
            USING (SELECT jsonb_agg(relais_restored_row(r)) FROM jsonb_array_elements(part -> 'rows') r);
    END LOOP;
    FOR link IN SELECT value FROM jsonb_array_elements(entry.unlinked) LOOP
        EXECUTE format('UPDATE %1$s SET %2$I = $1 WHERE %2$I IS NULL AND id IN
                            (SELECT v::uuid FROM jsonb_array_elements_text($2) v)',
                       link ->> 'table', link ->> 'column')
            USING item, link -> 'ids';
    END LOOP;
END
$$;

-- An item that comes back (restored) is taken off the tombstones of the roles that see it.
-- TG_ARGV[0]: 'publication' when rows have audience and status.
CREATE FUNCTION relais_record_return() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM deletions WHERE id = NEW.id) THEN
        UPDATE deletions SET lost_by = ARRAY(
            SELECT r FROM unnest(lost_by) r
            WHERE r <> ALL (CASE WHEN TG_ARGV[0] = 'publication'
                                 THEN relais_seen_by(to_jsonb(NEW) ->> 'status', to_jsonb(NEW) ->> 'audience')
                                 ELSE '{public,member,admin}'::text[] END)
            ORDER BY r)
        WHERE id = NEW.id;
        DELETE FROM deletions WHERE id = NEW.id AND lost_by = '{}';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER centres_return AFTER INSERT ON centres
    FOR EACH ROW EXECUTE FUNCTION relais_record_return('always');
CREATE TRIGGER actors_return AFTER INSERT ON actors
    FOR EACH ROW EXECUTE FUNCTION relais_record_return('always');
CREATE TRIGGER events_return AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION relais_record_return('publication');
CREATE TRIGGER trainings_return AFTER INSERT ON trainings
    FOR EACH ROW EXECUTE FUNCTION relais_record_return('publication');
CREATE TRIGGER training_sessions_return AFTER INSERT ON training_sessions
    FOR EACH ROW EXECUTE FUNCTION relais_record_return('always');
CREATE TRIGGER documents_return AFTER INSERT ON documents
    FOR EACH ROW EXECUTE FUNCTION relais_record_return('publication');

-- Contributions: who submitted a document and when, and the moderation's last decision.
-- The file: where it is stored (a key of the object store, new for each upload, so that a
-- failed upload never touches the file served) and what it is.
ALTER TABLE documents
    ADD COLUMN submitted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN submitted_at timestamptz,
    ADD COLUMN decided_at timestamptz,
    ADD COLUMN rejection_reason text,
    ADD COLUMN file_key text,
    ADD COLUMN file_name text,
    ADD COLUMN file_media_type text,
    ADD COLUMN file_size bigint CHECK (file_size >= 0),
    ADD COLUMN file_sha256 text CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    ADD COLUMN file_uploaded_at timestamptz,
    ADD CONSTRAINT documents_file_check
        CHECK (num_nulls(file_key, file_name, file_media_type, file_size, file_sha256, file_uploaded_at) IN (0, 6)),
    ADD CONSTRAINT documents_rejection_check CHECK (status <> 'rejected' OR rejection_reason IS NOT NULL);
UPDATE documents SET submitted_at = created_at WHERE status = 'submitted';
CREATE INDEX documents_submitted_by_idx ON documents (submitted_by) WHERE submitted_by IS NOT NULL;
CREATE INDEX documents_author_ids_idx ON documents USING gin (author_ids);
CREATE INDEX documents_queue_idx ON documents (coalesce(submitted_at, 'infinity'::timestamptz), id)
    WHERE status = 'submitted';
