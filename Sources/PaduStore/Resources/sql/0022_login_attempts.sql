-- The login limiter, atomic and per (username, address). The API read the failure counts, ran
-- bcrypt, then wrote a failure: 20 parallel wrong passwords were all evaluated. And failures
-- counted per username alone, so five wrong passwords from anywhere locked the real user out
-- from every address.
-- Now each attempt claims a slot before the password is checked: padu.login_attempt increments
-- the counters of its (username, address) pair and of its address in one statement each
-- (INSERT ... ON CONFLICT DO UPDATE ... RETURNING: concurrent attempts queue on the row), and
-- answers whether this attempt may go on. A success clears its pair
-- (padu.login_attempt_succeeded). Windows are fixed: a counter starts again once its window
-- has passed.
SET LOCAL ROLE padu_owner;

CREATE TABLE padu.login_attempts (
    username text NOT NULL CHECK (length(username) <= 200),
    address text NOT NULL CHECK (length(address) <= 200),
    window_start timestamptz NOT NULL,
    attempts int NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE TABLE padu.login_address_attempts (
    address text PRIMARY KEY CHECK (length(address) <= 200),
    window_start timestamptz NOT NULL,
    attempts int NOT NULL
);

-- Claims an attempt slot for a username from an address. allowed is false once the pair made
-- more than p_max_per_pair attempts, or the address more than p_max_per_address (any
-- username), in the current window; retry_after_seconds says when the later of the two full
-- windows ends. A NULL address (a Unix socket) counts as ''.
CREATE FUNCTION padu.login_attempt(p_username text, p_address text, p_window interval, p_max_per_pair int,
                                   p_max_per_address int)
RETURNS TABLE (allowed boolean, retry_after_seconds int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    v_username text := lower(left(p_username, 200));
    v_address text := coalesce(left(p_address, 200), '');
    pair_attempts int;
    pair_start timestamptz;
    address_attempts int;
    address_start timestamptz;
    retry timestamptz;
BEGIN
    INSERT INTO padu.login_attempts AS a (username, address, window_start, attempts)
    VALUES (v_username, v_address, now(), 1)
    ON CONFLICT (username, address) DO UPDATE SET
        window_start = CASE WHEN a.window_start <= now() - p_window THEN now() ELSE a.window_start END,
        attempts = CASE WHEN a.window_start <= now() - p_window THEN 1 ELSE least(a.attempts, 1000000) + 1 END
    RETURNING a.attempts, a.window_start INTO pair_attempts, pair_start;
    INSERT INTO padu.login_address_attempts AS a (address, window_start, attempts)
    VALUES (v_address, now(), 1)
    ON CONFLICT (address) DO UPDATE SET
        window_start = CASE WHEN a.window_start <= now() - p_window THEN now() ELSE a.window_start END,
        attempts = CASE WHEN a.window_start <= now() - p_window THEN 1 ELSE least(a.attempts, 1000000) + 1 END
    RETURNING a.attempts, a.window_start INTO address_attempts, address_start;
    IF pair_attempts > p_max_per_pair OR address_attempts > p_max_per_address THEN
        retry := greatest(CASE WHEN pair_attempts > p_max_per_pair THEN pair_start + p_window END,
                          CASE WHEN address_attempts > p_max_per_address THEN address_start + p_window END);
        RETURN QUERY SELECT false, greatest(1, ceil(extract(epoch FROM retry - now()))::int);
    ELSE
        RETURN QUERY SELECT true, 0;
    END IF;
END
$$;

-- A successful sign-in clears its own pair's counter (not other addresses').
CREATE FUNCTION padu.login_attempt_succeeded(p_username text, p_address text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, padu
BEGIN ATOMIC
    DELETE FROM padu.login_attempts
     WHERE username = lower(left(p_username, 200)) AND address = coalesce(left(p_address, 200), '');
    DELETE FROM padu.login_attempts WHERE window_start < now() - interval '1 day';
    DELETE FROM padu.login_address_attempts WHERE window_start < now() - interval '1 day';
END;

GRANT EXECUTE ON FUNCTION padu.login_attempt(text, text, interval, int, int),
    padu.login_attempt_succeeded(text, text) TO padu_api;
