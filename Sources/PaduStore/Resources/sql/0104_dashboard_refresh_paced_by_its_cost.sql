-- The dashboard's own tables (0075) are rebuilt whole, from every delivery: 59 s at ten times
-- Muba (10,000,000 deliveries; docs/deploy.md), where the refresher's one-minute pace (0080)
-- would keep one core rebuilding them for as long as writes come in. The wait between two
-- refreshes is now at least four times what the last one took, so they use at most a fifth of
-- a core: unchanged at a regency's scale (a refresh of about a second, the minute still
-- applies), about every four minutes at ten times. p_min_seconds = 0 still asks for a refresh
-- whenever the summary moved on (the admin's and the tests' way to have it now).
SET LOCAL ROLE padu_owner;

CREATE OR REPLACE FUNCTION padu.refresh_dashboard_if_stale(p_min_seconds int) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, padu AS $$
DECLARE
    v_dashboard timestamptz;
    v_refresh_ms bigint;
    v_wait double precision;
BEGIN
    SELECT as_of, refresh_ms INTO v_dashboard, v_refresh_ms FROM padu.dashboard_state FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    v_wait := CASE WHEN p_min_seconds > 0 THEN greatest(p_min_seconds, 4 * coalesce(v_refresh_ms, 0) / 1000.0) ELSE 0 END;
    IF v_dashboard IS NOT NULL
       AND (v_dashboard > clock_timestamp() - make_interval(secs => v_wait)
            OR v_dashboard >= (SELECT coalesce(as_of, '-infinity') FROM padu.summary_state)) THEN
        RETURN NULL;
    END IF;
    RETURN padu.refresh_dashboard();
END
$$;
