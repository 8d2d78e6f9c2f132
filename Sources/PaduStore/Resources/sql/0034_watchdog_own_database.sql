-- The analyst watchdog looked at every database of the cluster: analyst roles are cluster-wide,
-- so a Padu server with a short limit cancelled analysts working in another database on the
-- same PostgreSQL (seen when the tests' servers share one cluster). It now polices only the
-- analysts of its own database. Replaced in place: the function keeps its owner, padu_watchdog,
-- when the migration runs as a superuser (0020).
-- Without a superuser the function still belongs to padu_owner (0020), which replaces it.
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        SET LOCAL ROLE padu_owner;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION padu.cancel_runaway_analyst_queries(max_seconds int) RETURNS int
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
         WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid() AND a.datname = current_database()
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

RESET ROLE;
