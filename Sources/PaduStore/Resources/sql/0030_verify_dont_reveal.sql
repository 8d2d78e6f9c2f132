-- The check as no oracle (issue 10): it answered `in_registry` for 50,000 guessed NIKs in a
-- few seconds with no limit. Now each account may check at most
-- `padu.check_limits.recipients_per_hour` recipients in a clock hour (claimed atomically, so
-- parallel requests cannot overshoot together), and every check of `audited_from` recipients
-- or more leaves an audit entry with its size. (Persons stay hidden until a line is approved:
-- 0023.)

-- One row: the limits, changed by the owner (a migration or an operator), read by the check.
CREATE TABLE padu.check_limits (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    recipients_per_hour integer NOT NULL CHECK (recipients_per_hour > 0),
    audited_from integer NOT NULL CHECK (audited_from > 0)
);
INSERT INTO padu.check_limits (recipients_per_hour, audited_from) VALUES (200000, 100);

-- Recipients checked per account per clock hour. Old hours are deleted as new ones start.
CREATE TABLE padu.check_usage (
    account_id bigint NOT NULL REFERENCES padu.accounts (id) ON DELETE CASCADE,
    hour timestamptz NOT NULL,
    recipients bigint NOT NULL,
    PRIMARY KEY (account_id, hour)
);

-- Claims `n` recipients of the caller's hourly allowance, or raises PD008 with the seconds
-- until the next hour in DETAIL. Runs as owner: callers have no grant on the tables.
CREATE FUNCTION padu.claim_check_quota(n integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    this_hour timestamptz := date_trunc('hour', now());
    used bigint;
    limits padu.check_limits;
BEGIN
    SELECT * INTO limits FROM padu.check_limits;
    DELETE FROM padu.check_usage WHERE account_id = padu.current_account() AND hour < this_hour;
    INSERT INTO padu.check_usage AS u (account_id, hour, recipients)
    VALUES (padu.current_account(), this_hour, n)
    ON CONFLICT (account_id, hour) DO UPDATE SET recipients = u.recipients + EXCLUDED.recipients
    RETURNING u.recipients INTO used;
    IF used > limits.recipients_per_hour THEN
        RAISE EXCEPTION 'the hourly allowance of recipients to check is used up'
            USING ERRCODE = 'PD008',
                  DETAIL = ceil(extract(epoch FROM this_hour + interval '1 hour' - now()))::int::text;
    END IF;
    IF n >= limits.audited_from THEN
        PERFORM padu.audit('check', 'recipients', NULL, jsonb_build_object('recipients', n));
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION padu.claim_check_quota(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION padu.claim_check_quota(integer) TO padu_agency, padu_coordinator;
