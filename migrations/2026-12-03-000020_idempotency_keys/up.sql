-- Idempotent creation: the first answer to a POST with an Idempotency-Key, kept 24 hours for the
-- caller that sent it, so that a retry gets it again instead of creating anything. The primary
-- key makes two requests with one key, on any server, take turns: one inserts the row and runs,
-- the other waits for its answer.
CREATE TABLE idempotency_keys (
    caller text NOT NULL,
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    -- What the key was used for: SHA-256 of the method, the path with its query, and the body.
    request_sha256 text NOT NULL CHECK (request_sha256 ~ '^[0-9a-f]{64}$'),
    -- Null while the first request runs.
    status integer CHECK (status BETWEEN 200 AND 499),
    headers jsonb,
    body bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
