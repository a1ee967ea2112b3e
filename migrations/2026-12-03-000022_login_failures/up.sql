-- Failed logins, counted per account and per client address over a sliding window, in the
-- database so that every server process behind a balancer shares the counts.
CREATE TABLE login_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- `account:<email>` or `address:<ip>`.
    key text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);
CREATE INDEX login_failures_failed_at ON login_failures (failed_at);

-- An attempt, counted before the password is checked: refused with the seconds to wait while
-- the account or the address is over its limit, else recorded (attempt_id: the address's row,
-- which a success takes back). The two keys are locked in a fixed order for the statement, so
-- parallel guesses, on any process, cannot all slip past the limit.
CREATE FUNCTION relais_login_attempt(
    account_key text,
    address_key text,
    window_seconds integer,
    per_account integer,
    per_address integer,
    OUT wait_seconds integer,
    OUT attempt_id bigint
) LANGUAGE plpgsql AS $$
DECLARE
    since timestamptz := clock_timestamp() - make_interval(secs => window_seconds);
    account_failures integer;
    account_oldest timestamptz;
    address_failures integer;
    address_oldest timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(k, 0))
    FROM unnest(ARRAY[account_key, address_key]) AS k
    ORDER BY k;
    DELETE FROM login_failures WHERE failed_at <= since;
    SELECT count(*), min(failed_at) INTO account_failures, account_oldest
    FROM login_failures WHERE key = account_key;
    SELECT count(*), min(failed_at) INTO address_failures, address_oldest
    FROM login_failures WHERE key = address_key;
    wait_seconds := greatest(
        CASE WHEN account_failures >= per_account
            THEN ceil(extract(epoch FROM account_oldest - since))::integer END,
        CASE WHEN address_failures >= per_address
            THEN ceil(extract(epoch FROM address_oldest - since))::integer END
    );
    IF wait_seconds IS NOT NULL THEN
        wait_seconds := greatest(wait_seconds, 1);
        RETURN;
    END IF;
    INSERT INTO login_failures (key) VALUES (account_key);
    INSERT INTO login_failures (key) VALUES (address_key) RETURNING id INTO attempt_id;
END
$$;
