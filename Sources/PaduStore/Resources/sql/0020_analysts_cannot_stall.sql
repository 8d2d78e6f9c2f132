-- Analysts cannot hurt the service or each other. An analyst login switched its own
-- statement_timeout and default_transaction_read_only off, created large objects, and held the
-- advisory locks the summary refresh and the migrator use, stalling an admin's refresh for 98 s
-- and `serve` start-up. Advisory locks need no privilege; any session can take any key.
-- 1. The summary refresh locks a row of padu.locks (FOR UPDATE to wait, SKIP LOCKED to skip),
--    a table analysts cannot even read; the migrator does the same on
--    public.schema_migrations_lock (Migrator.swift).
-- 2. Functions that write and are executable by PUBLIC (large objects, pg_notify, advisory
--    locks, logical messages) are revoked from PUBLIC. That needs the superuser who owns
--    pg_catalog: the migrations run as one in the embedded cluster and the tests; otherwise
--    this part is skipped with a notice (run it once as a superuser).
-- 3. Each analyst login gets a CONNECTION LIMIT (existing ones here, new ones in
--    AccountAdmin.createAnalyst).
-- 4. A watchdog the API's background refresher calls, padu.cancel_runaway_analyst_queries(),
--    cancels analysts' statements running longer than asked and ends their transactions idle
--    longer than that, whatever the sessions SET. It runs as padu_watchdog, a NOLOGIN role
--    that may signal backends (pg_signal_backend) and see their queries (pg_read_all_stats).

CREATE TABLE IF NOT EXISTS public.schema_migrations_lock (name text PRIMARY KEY);
INSERT INTO public.schema_migrations_lock VALUES ('migrate') ON CONFLICT DO NOTHING;
REVOKE ALL ON public.schema_migrations_lock FROM PUBLIC;

DO $$
DECLARE
    f regprocedure;
    analyst name;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'padu_watchdog') THEN
        CREATE ROLE padu_watchdog NOLOGIN;
    END IF;
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'not a superuser: PUBLIC keeps EXECUTE on large-object, notify and advisory-lock functions, '
                     'and padu_watchdog cannot signal analysts; run 0020''s superuser part as a superuser';
        RETURN;
    END IF;
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace
           AND (p.proname ~ '^(lo_|loread$|lowrite$|pg_advisory_|pg_try_advisory_)'
                OR p.proname IN ('pg_notify', 'pg_logical_emit_message'))
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
    GRANT pg_signal_backend, pg_read_all_stats TO padu_watchdog;
    FOR analyst IN
        SELECT r.rolname FROM pg_roles r
         WHERE r.rolcanlogin AND pg_has_role(r.oid, 'padu_analyst', 'MEMBER') AND NOT r.rolsuper
           AND r.rolname NOT IN ('padu_api', 'padu_owner')
    LOOP
        EXECUTE format('ALTER ROLE %I CONNECTION LIMIT 3', analyst);
    END LOOP;
END
$$;
SET LOCAL ROLE padu_owner;
GRANT USAGE ON SCHEMA padu TO padu_watchdog;

-- Named locks taken as row locks. Nobody but the owner has any privilege on it.
CREATE TABLE padu.locks (name text PRIMARY KEY);
INSERT INTO padu.locks VALUES ('refresh_summary');
REVOKE ALL ON padu.locks FROM PUBLIC;

-- The rebuild of 0011, without its advisory lock: it runs under the row lock its callers take.
CREATE OR REPLACE FUNCTION padu.rebuild_summary() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu SET work_mem = '256MB' AS $$
DECLARE
    started timestamptz := clock_timestamp();
    elapsed bigint;
BEGIN
    -- Callers hold this already; taking it again here keeps a direct call correct too.
    PERFORM 1 FROM padu.locks WHERE name = 'refresh_summary' FOR UPDATE;
    CREATE TEMP TABLE summary_base ON COMMIT DROP AS
    SELECT d.fiscal_year, d.program_id, p.agency_id, p.cluster_id,
           coalesce(h.region_code::text, g.region_code::text) AS location,
           h.id AS household_id, h.decile,
           coalesce('h' || h.id, 'n' || d.nik, 'k' || d.kk) AS recipient,
           CASE WHEN d.person_id IS NOT NULL THEN 'p' || d.person_id WHEN d.nik IS NOT NULL THEN 'n' || d.nik END AS person,
           d.value_idr
      FROM padu.deliveries d
      JOIN padu.programs p ON p.id = d.program_id
      JOIN padu.agencies g ON g.id = p.agency_id
      LEFT JOIN padu.household_members m ON d.household_id IS NULL AND m.person_id = d.person_id AND m.valid_to IS NULL
      LEFT JOIN padu.households h ON h.id = coalesce(d.household_id, m.household_id);

    DELETE FROM padu.summary_agency;
    INSERT INTO padu.summary_agency
    SELECT fiscal_year, location, agency_id, count(*), sum(value_idr), count(DISTINCT household_id), count(DISTINCT person)
      FROM summary_base GROUP BY fiscal_year, location, agency_id;

    DELETE FROM padu.summary_cluster;
    INSERT INTO padu.summary_cluster
    SELECT fiscal_year, location, cluster_id, count(*), sum(value_idr), count(DISTINCT household_id), count(DISTINCT person)
      FROM summary_base GROUP BY fiscal_year, location, cluster_id;

    DELETE FROM padu.summary_location;
    INSERT INTO padu.summary_location
    WITH per_recipient AS (
        SELECT fiscal_year, location, recipient, household_id, max(decile) AS decile,
               count(DISTINCT program_id) AS programmes
          FROM summary_base GROUP BY fiscal_year, location, recipient, household_id
    ), recipients AS (
        SELECT fiscal_year, location, count(*) AS recipients,
               count(*) FILTER (WHERE decile IS NOT NULL) AS in_registry,
               count(*) FILTER (WHERE decile BETWEEN 1 AND 4) AS decile_1_4,
               ARRAY[count(*) FILTER (WHERE decile = 1), count(*) FILTER (WHERE decile = 2),
                     count(*) FILTER (WHERE decile = 3), count(*) FILTER (WHERE decile = 4),
                     count(*) FILTER (WHERE decile = 5), count(*) FILTER (WHERE decile = 6),
                     count(*) FILTER (WHERE decile = 7), count(*) FILTER (WHERE decile = 8),
                     count(*) FILTER (WHERE decile = 9), count(*) FILTER (WHERE decile = 10)] AS by_decile,
               ARRAY[count(*) FILTER (WHERE household_id IS NOT NULL AND programmes = 1),
                     count(*) FILTER (WHERE household_id IS NOT NULL AND programmes = 2),
                     count(*) FILTER (WHERE household_id IS NOT NULL AND programmes = 3),
                     count(*) FILTER (WHERE household_id IS NOT NULL AND programmes >= 4)] AS overlap,
               count(*) FILTER (WHERE decile = 1) AS decile_1_reached
          FROM per_recipient GROUP BY fiscal_year, location
    ), totals AS (
        SELECT fiscal_year, location, count(*) AS deliveries, sum(value_idr) AS value_idr,
               count(DISTINCT household_id) AS households, count(DISTINCT person) AS persons
          FROM summary_base GROUP BY fiscal_year, location
    )
    SELECT t.fiscal_year, t.location, t.deliveries, t.value_idr, t.households, t.persons, r.recipients, r.in_registry,
           r.decile_1_4, r.by_decile, r.overlap, r.decile_1_reached
      FROM totals t JOIN recipients r USING (fiscal_year, location);

    DELETE FROM padu.summary_registry;
    INSERT INTO padu.summary_registry
    SELECT region_code, count(*), count(*) FILTER (WHERE decile = 1), count(*) FILTER (WHERE decile BETWEEN 1 AND 4)
      FROM padu.households WHERE decile IS NOT NULL GROUP BY region_code;

    elapsed := (extract(epoch FROM clock_timestamp() - started) * 1000)::bigint;
    UPDATE padu.summary_state SET as_of = started, refresh_ms = elapsed, signature = padu.summary_signature();
    ANALYZE padu.summary_agency, padu.summary_cluster, padu.summary_location, padu.summary_registry;
    RETURN elapsed;
END
$$;

-- An explicit refresh waits for one running, then rebuilds (0013).
CREATE OR REPLACE FUNCTION padu.refresh_summary() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    PERFORM 1 FROM padu.locks WHERE name = 'refresh_summary' FOR UPDATE;
    RETURN padu.rebuild_summary();
END
$$;

-- The background refresher skips while a refresh runs (0015).
CREATE OR REPLACE FUNCTION padu.refresh_summary_if_changed() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
BEGIN
    PERFORM 1 FROM padu.locks WHERE name = 'refresh_summary' FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM padu.summary_state WHERE as_of IS NOT NULL AND signature = padu.summary_signature()) THEN
        RETURN NULL;
    END IF;
    RETURN padu.rebuild_summary();
END
$$;

-- The watchdog. Owned by padu_watchdog, so it signals with that role's rights; it touches only
-- backends of logins that are members of padu_analyst. Returns how many it cancelled or ended.
CREATE FUNCTION padu.cancel_runaway_analyst_queries(max_seconds int) RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    victim record;
    signalled int := 0;
BEGIN
    IF max_seconds IS NULL OR max_seconds < 1 THEN
        RAISE EXCEPTION 'max_seconds must be at least 1' USING ERRCODE = '22023';
    END IF;
    FOR victim IN
        SELECT a.pid, a.state
          FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
         WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
           AND pg_has_role(r.oid, 'padu_analyst', 'MEMBER') AND NOT r.rolsuper
           AND r.rolname NOT IN ('padu_api', 'padu_owner', 'padu_watchdog')
           AND ((a.state = 'active' AND a.query_start < clock_timestamp() - make_interval(secs => max_seconds))
                OR (a.state LIKE 'idle in transaction%'
                    AND a.state_change < clock_timestamp() - make_interval(secs => max_seconds)))
    LOOP
        BEGIN
            IF victim.state = 'active' THEN
                IF pg_cancel_backend(victim.pid) THEN signalled := signalled + 1; END IF;
            ELSE
                IF pg_terminate_backend(victim.pid) THEN signalled := signalled + 1; END IF;
            END IF;
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;  -- without the superuser part above the watchdog can see but not signal
        END;
    END LOOP;
    RETURN signalled;
END
$$;
REVOKE EXECUTE ON FUNCTION padu.cancel_runaway_analyst_queries(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION padu.cancel_runaway_analyst_queries(int) TO padu_api, padu_admin;

RESET ROLE;
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION padu.cancel_runaway_analyst_queries(int) OWNER TO padu_watchdog;
    END IF;
END
$$;
